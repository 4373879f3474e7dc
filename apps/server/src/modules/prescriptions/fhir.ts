/**
 * The prescription in FHIR R4: one MedicationRequest per item, and the whole as an NRCeS
 * PrescriptionRecord document Bundle (Composition typed SNOMED CT 440545006 with one section,
 * then every resource it refers to as urn:uuid entries). Built from the signed document only,
 * so the FHIR view says exactly what was signed.
 */
import { createHash } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  Composition,
  Encounter,
  MedicationRequest,
  Organization,
  Patient,
  Practitioner,
  Timing as FhirTiming,
} from '@medplum/fhirtypes';
import { CODE_SYSTEM_BASE, NRCES_PROFILE_BASE, SYSTEMS } from '../fhir/index.js';
import type { PrescriptionDocument, PrescriptionItem } from './document.js';
import { FREQUENCY_TIMING } from './phrases.js';

const NRCES = NRCES_PROFILE_BASE;
const PRESCRIPTION_RECORD = { system: SYSTEMS.snomed, code: '440545006', display: 'Prescription record' };
const UCUM = 'http://unitsofmeasure.org';
const DURATION_UCUM = { days: 'd', weeks: 'wk', months: 'mo' } as const;
const WHEN: Record<string, 'AC' | 'PC' | 'C'> = {
  before_food: 'AC',
  after_food: 'PC',
  with_food: 'C',
  empty_stomach: 'AC',
};

/** A stable UUID for a resource that has no UUID of its own (the composition, each item). */
function derivedUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const medicationRequestId = (prescriptionId: string, index: number): string => `${prescriptionId}-${index}`;

interface References {
  patient: string;
  practitioner: string;
  encounter: string;
}

export interface PrescriptionState {
  cancelled: boolean;
  dispensed: boolean;
}

function timingOf(item: PrescriptionItem): FhirTiming | undefined {
  const repeat: NonNullable<FhirTiming['repeat']> = {};
  const frequency = FREQUENCY_TIMING[item.frequency];
  if (frequency !== null) Object.assign(repeat, frequency);
  if (item.duration !== null) {
    const code = DURATION_UCUM[item.duration.unit];
    repeat.boundsDuration = { value: item.duration.value, unit: item.duration.unit, system: UCUM, code };
  }
  const when = item.timing === null ? undefined : WHEN[item.timing];
  if (item.frequency === 'at_bedtime') repeat.when = ['HS'];
  else if (item.frequency === 'morning') repeat.when = ['MORN'];
  else if (when !== undefined) repeat.when = [when];
  if (item.frequency === 'once') repeat.count = 1;
  return Object.keys(repeat).length === 0 ? undefined : { repeat };
}

export function toMedicationRequest(
  rx: PrescriptionDocument,
  item: PrescriptionItem,
  state: PrescriptionState,
  references: References = {
    patient: `Patient/${rx.patient.id}`,
    practitioner: `Practitioner/${rx.doctor.practitionerId}`,
    encounter: `Encounter/${rx.consultationId}`,
  },
): MedicationRequest {
  const text = `${item.name} ${item.form}${item.strength === null ? '' : ` ${item.strength}`}`;
  const timing = timingOf(item);
  const additional = [item.instructions, item.instructionsLocal].filter((line): line is string => line !== null);
  return {
    resourceType: 'MedicationRequest',
    id: medicationRequestId(rx.id, item.index),
    meta: { profile: [`${NRCES}/MedicationRequest`] },
    identifier: [{ system: 'urn:sanjog:prescription-item', value: medicationRequestId(rx.id, item.index) }],
    status: state.cancelled ? 'cancelled' : state.dispensed ? 'completed' : 'active',
    intent: 'order',
    medicationCodeableConcept: {
      coding: [
        { system: `${CODE_SYSTEM_BASE}/formulary`, code: item.medicineCode, display: `${item.name} ${item.form}` },
      ],
      text,
    },
    subject: { reference: references.patient, display: rx.patient.name },
    encounter: { reference: references.encounter },
    authoredOn: rx.issuedAt,
    requester: { reference: references.practitioner, display: rx.doctor.name },
    groupIdentifier: { system: 'urn:sanjog:prescription', value: rx.id },
    dosageInstruction: [
      {
        sequence: 1,
        text: item.directions.en,
        ...(additional.length === 0 ? {} : { additionalInstruction: additional.map((line) => ({ text: line })) }),
        patientInstruction: item.directions.local ?? item.directions.en,
        ...(timing === undefined ? {} : { timing }),
        ...(item.frequency === 'as_needed' ? { asNeededBoolean: true } : {}),
        route: { text: item.route },
        doseAndRate: [{ doseQuantity: { value: item.dose.value, unit: item.dose.unit } }],
      },
    ],
  };
}

const GENDER = { female: 'female', male: 'male', other: 'other', unknown: 'unknown' } as const;

/** The NRCeS PrescriptionRecord document. */
export function toPrescriptionBundle(
  rx: PrescriptionDocument,
  signature: string,
  state: PrescriptionState,
  lastUpdated: string,
): Bundle {
  const uuid = {
    composition: derivedUuid(`${rx.id}:composition`),
    patient: rx.patient.id,
    practitioner: rx.doctor.practitionerId,
    organization: rx.facility.id,
    encounter: rx.consultationId,
  };
  const references: References = {
    patient: `urn:uuid:${uuid.patient}`,
    practitioner: `urn:uuid:${uuid.practitioner}`,
    encounter: `urn:uuid:${uuid.encounter}`,
  };
  const requests = rx.items.map((item) => ({
    fullUrl: `urn:uuid:${derivedUuid(`${rx.id}:item:${item.index}`)}`,
    resource: toMedicationRequest(rx, item, state, references),
  }));
  const composition: Composition = {
    resourceType: 'Composition',
    id: uuid.composition,
    meta: { profile: [`${NRCES}/PrescriptionRecord`] },
    identifier: { system: 'urn:sanjog:prescription', value: rx.id },
    status: state.cancelled ? 'entered-in-error' : 'final',
    type: { coding: [PRESCRIPTION_RECORD], text: 'Prescription record' },
    subject: { reference: references.patient, display: rx.patient.name },
    encounter: { reference: references.encounter },
    date: rx.issuedAt,
    author: [{ reference: references.practitioner, display: rx.doctor.name }],
    title: 'Prescription record',
    custodian: { reference: `urn:uuid:${uuid.organization}`, display: rx.facility.name },
    section: [
      {
        title: 'Prescription record',
        code: { coding: [PRESCRIPTION_RECORD] },
        entry: requests.map((request) => ({ reference: request.fullUrl, type: 'MedicationRequest' })),
      },
    ],
  };
  const patient: Patient = {
    resourceType: 'Patient',
    id: uuid.patient,
    identifier: [{ system: 'urn:sanjog:patient', value: rx.patient.id }],
    name: [{ text: rx.patient.name }],
    gender: GENDER[rx.patient.sex as keyof typeof GENDER],
  };
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    id: uuid.practitioner,
    identifier: [
      {
        use: 'official',
        type: {
          coding: [{ system: SYSTEMS.identifierType, code: 'MD', display: 'Medical License number' }],
          text: 'Council registration number',
        },
        system: SYSTEMS.councilRegistration,
        value: rx.doctor.registrationNumber,
        ...(rx.doctor.registrationCouncil === null ? {} : { assigner: { display: rx.doctor.registrationCouncil } }),
      },
      ...(rx.doctor.registryId === null ? [] : [{ system: SYSTEMS.hpr, value: rx.doctor.registryId }]),
    ],
    name: [{ text: rx.doctor.name }],
    qualification: [{ code: { text: rx.doctor.qualification } }],
  };
  const organization: Organization = {
    resourceType: 'Organization',
    id: uuid.organization,
    identifier: [
      { system: SYSTEMS.facilityId, value: rx.facility.id },
      ...(rx.facility.registryId === null ? [] : [{ system: SYSTEMS.hfr, value: rx.facility.registryId }]),
    ],
    name: rx.facility.name,
  };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: uuid.encounter,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR', display: 'virtual' },
    subject: { reference: references.patient },
    participant: [{ individual: { reference: references.practitioner } }],
    serviceProvider: { reference: `urn:uuid:${uuid.organization}` },
  };
  const entries: BundleEntry[] = [
    { fullUrl: `urn:uuid:${uuid.composition}`, resource: composition },
    { fullUrl: references.patient, resource: patient },
    { fullUrl: references.practitioner, resource: practitioner },
    { fullUrl: `urn:uuid:${uuid.organization}`, resource: organization },
    { fullUrl: references.encounter, resource: encounter },
    ...requests,
  ];
  return {
    resourceType: 'Bundle',
    id: rx.id,
    meta: { versionId: '1', lastUpdated, profile: [`${NRCES}/DocumentBundle`] },
    identifier: { system: 'urn:sanjog:prescription', value: rx.id },
    type: 'document',
    timestamp: rx.issuedAt,
    entry: entries,
    signature: {
      type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" }],
      when: rx.issuedAt,
      who: { reference: references.practitioner, display: rx.doctor.name },
      // Ed25519 over the canonical JSON of the signed document (format sanjog.prescription.v1).
      sigFormat: 'application/octet-stream',
      data: Buffer.from(signature, 'base64url').toString('base64'),
    },
  };
}
