import { describe, expect, it } from 'vitest';
import { FacilityCache } from './checks.js';
import { cellsOf, readFacility, readHeader, stableId, timeOrderedId, type ReferenceData } from './formats.js';
import type { FacilityRef } from './repository.js';

describe('the facility cache of the checks', () => {
  it('still answers for every id of a batch after it was full and started afresh', async () => {
    const asked: string[][] = [];
    const cache = new FacilityCache(
      {
        facilitiesByRegistryId: (ids: string[]) => {
          asked.push(ids);
          return Promise.resolve(
            ids.map((id): FacilityRef => ({ registryId: id, id, stateId: 'IN-09', kind: 'hub', active: true })),
          );
        },
      },
      4,
    );
    await cache.load(['A', 'B', 'C']);
    await cache.load(['A', 'D']);
    expect(asked).toEqual([['A', 'B', 'C'], ['D']]);
    // Full: B is known, E and F do not fit; the cache starts afresh and fetches B again.
    await cache.load(['B', 'E', 'F']);
    expect(asked.at(-1)).toEqual(['B', 'E', 'F']);
    for (const id of ['B', 'E', 'F']) expect(cache.get(id)).toEqual({ stateId: 'IN-09', kind: 'hub', active: true });
    expect(cache.get('A')).toBeNull();
  });
});

describe('reading a facility row', () => {
  const reference: ReferenceData = {
    states: new Map([
      ['9', 'IN-09'],
      ['IN-09', 'IN-09'],
      ['29', 'IN-29'],
      ['IN-29', 'IN-29'],
    ]),
    districts: new Set(['IN-09-140', 'IN-29-525']),
    specialities: new Set(['general_medicine']),
    scope: { all: false, stateIds: ['IN-09'] },
  };

  it('accepts column names in any case and order, and normalises values', () => {
    const { header, problems } = readHeader('facilities', [
      'District Code',
      'STATE-CODE',
      'Name',
      'Kind',
      'Registry ID',
      'languages',
      'active',
    ]);
    expect(problems).toEqual([]);
    const { row, problems: rowProblems } = readFacility(
      cellsOf(header, ['140', '09', '  Malihabad   PHC ', 'Spoke', 'in0900000002', 'HI;en;hi', 'No']),
      reference,
    );
    expect(rowProblems).toEqual([]);
    expect(row).toMatchObject({
      id: stableId('facility', 'IN0900000002'),
      registryId: 'IN0900000002',
      name: 'Malihabad PHC',
      kind: 'spoke',
      stateId: 'IN-09',
      districtId: 'IN-09-140',
      languages: ['hi', 'en'],
      active: false,
      pincode: null,
    });
  });

  it('names every problem of a row', () => {
    const { header } = readHeader('facilities', [
      'registry_id',
      'name',
      'kind',
      'state_code',
      'district_code',
      'pincode',
      'longitude',
      'phone',
    ]);
    const { problems } = readFacility(
      cellsOf(header, ['IN1', 'X', 'clinic', '29', '525', '12', '200', 'call me']),
      reference,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'registry_id',
      'name',
      'kind',
      'state_code',
      'pincode',
      'longitude',
      'phone',
    ]);
    expect(problems.find((p) => p.field === 'state_code')?.reason).toBe('State IN-29 is not one of yours (IN-09)');
  });

  it('derives the same stable id from the same registry id, a UUID version 5', () => {
    expect(stableId('facility', 'IN0900000001')).toBe(stableId('facility', 'IN0900000001'));
    expect(stableId('facility', 'IN0900000001')).not.toBe(stableId('facility', 'IN0900000002'));
    expect(stableId('facility', 'IN0900000001')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('time-ordered ids', () => {
  it('are UUID version 7 and sort in the order they were made', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 3000)));
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
