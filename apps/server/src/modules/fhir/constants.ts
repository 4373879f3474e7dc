/**
 * Every URI the FHIR directory puts on the wire, in one place. Identifier systems of our own
 * records are URNs; our code systems live under one canonical base, to be replaced by the
 * deployment's published terminology server when there is one.
 */

/** The base of Sanjog's own code systems. */
export const CODE_SYSTEM_BASE = 'https://sanjog.example.org/fhir/CodeSystem';

export const SYSTEMS = {
  // Identifier systems.
  /** India's Health Facility Registry (HFR) id, e.g. IN0910000001. */
  hfr: 'https://facility.abdm.gov.in',
  /** India's Healthcare Professionals Registry (HPR) id, 14 digits. */
  hpr: 'https://hpr.abdm.gov.in',
  /** A practitioner's registration number with their medical council (the council is the assigner). */
  councilRegistration: 'urn:sanjog:council-registration',
  facilityId: 'urn:sanjog:facility',
  stateId: 'urn:sanjog:state',
  practitionerId: 'urn:sanjog:practitioner',
  practitionerRoleId: 'urn:sanjog:practitioner-role',
  healthcareServiceId: 'urn:sanjog:healthcare-service',

  // Code systems of ours.
  facilityKind: `${CODE_SYSTEM_BASE}/facility-kind`,
  facilitySubtype: `${CODE_SYSTEM_BASE}/facility-subtype`,
  practitionerRole: `${CODE_SYSTEM_BASE}/practitioner-role`,
  speciality: `${CODE_SYSTEM_BASE}/speciality`,
  serviceType: `${CODE_SYSTEM_BASE}/service-type`,

  // External code systems.
  snomed: 'http://snomed.info/sct',
  bcp47: 'urn:ietf:bcp:47',
  mcsdTypes: 'https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  administrativeGender: 'http://hl7.org/fhir/administrative-gender',
} as const;

/** The registry identifier system of each country whose registry we know. */
export const FACILITY_REGISTRY_SYSTEMS: Readonly<Record<string, string>> = { IN: SYSTEMS.hfr };
export const PRACTITIONER_REGISTRY_SYSTEMS: Readonly<Record<string, string>> = { IN: SYSTEMS.hpr };

export const FACILITY_KIND_DISPLAY = {
  spoke: 'Spoke (health centre with a telemedicine operator)',
  hub: 'Hub (doctors and specialists who consult for spokes)',
  opd: 'Online OPD',
  referral: 'Referral hospital',
  pharmacy: 'Pharmacy',
} as const;

export const ROLE_DISPLAY = {
  hub_doctor: 'Hub doctor',
  opd_doctor: 'Online OPD doctor',
  spoke_operator: 'Spoke operator',
  specialist: 'Specialist',
  pharmacist: 'Pharmacist',
  coordinator: 'Coordinator',
} as const;

/** What kinds of HealthcareService the directory derives from the network. */
export const SERVICE_TYPE_DISPLAY = {
  'online-opd': 'Online OPD: patients consult a doctor directly',
  'hub-teleconsultation': 'Hub teleconsultation: spokes refer patients to the hub',
} as const;
export type ServiceType = keyof typeof SERVICE_TYPE_DISPLAY;

/** The FHIR resource types of the care network directory (IHE mCSD). */
/** Where India's NRCeS (ABDM) FHIR profiles live. */
export const NRCES_PROFILE_BASE = 'https://nrces.in/ndhm/fhir/r4/StructureDefinition';

export const DIRECTORY_TYPES = [
  'Organization',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
] as const;
export type DirectoryType = (typeof DIRECTORY_TYPES)[number];

export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';
