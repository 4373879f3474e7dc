import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { normaliseCode, normaliseText, TermIndex } from './search.js';

/**
 * Clinical terminology of the country pack: chief complaints (SNOMED CT) and ICD-10 diagnoses,
 * loaded at start and searched as the doctor types.
 */
describe('search ranking (in memory)', () => {
  const index = new TermIndex(
    [
      { code: 'R50.9', title: 'Fever, unspecified' },
      { code: 'A01.0', title: 'Typhoid fever' },
      { code: 'A90', title: 'Dengue fever [classical dengue]' },
      { code: 'R05', title: 'Cough' },
      { code: 'J06.9', title: 'Acute upper respiratory infection, unspecified' },
      { code: 'J06.0', title: 'Acute laryngopharyngitis' },
      { code: 'B50.9', title: 'Plasmodium falciparum malaria, unspecified' },
    ].map((item) => ({ item, codes: [item.code], titles: [item.title] })),
  );
  const codes = (query: string | undefined, limit = 20) => index.search(query, limit).map((d) => d.code);

  it('puts a code match first, then titles starting with the query, then titles containing it', () => {
    expect(codes('fever')).toEqual(['R50.9', 'A01.0', 'A90']);
    // "dengue" starts a title; "classical" only occurs inside one.
    expect(codes('dengue')).toEqual(['A90']);
    expect(codes('classical')).toEqual(['A90']);
  });

  it('matches codes by prefix, with or without the dot and in any case, exact code first', () => {
    expect(codes('J06')).toEqual(['J06.9', 'J06.0']);
    expect(codes('j069')).toEqual(['J06.9']);
    expect(codes('j06.0')).toEqual(['J06.0']);
    expect(codes('R05')).toEqual(['R05']);
  });

  it('ranks a code match above a title match of the same query', () => {
    const mixed = new TermIndex([
      { item: 'title', codes: ['X99'], titles: ['A10 shaped rash'] },
      { item: 'code', codes: ['A10'], titles: ['Something else'] },
    ]);
    expect(mixed.search('a10', 20)).toEqual(['code', 'title']);
  });

  it('does not treat a lone letter as a code prefix', () => {
    // Titles starting with "a" first; A01.0 and A90 are not code matches, and only contain an "a".
    expect(codes('a')).toEqual(['J06.9', 'J06.0', 'A90', 'B50.9']);
  });

  it('needs every word of the query, in any order, ignoring case and punctuation', () => {
    expect(codes('unspecified fever')).toEqual(['R50.9']);
    expect(codes('FEVER,  UNSPEC')).toEqual(['R50.9']);
    expect(codes('malaria falciparum')).toEqual(['B50.9']);
    expect(codes('malaria cough')).toEqual([]);
  });

  it('gives word starts before matches inside words', () => {
    // "pharyng" starts no word but occurs inside "laryngopharyngitis"; "resp" starts "respiratory".
    expect(codes('pharyng')).toEqual(['J06.0']);
    expect(codes('resp')).toEqual(['J06.9']);
    const words = new TermIndex([
      { item: 'inside', codes: [], titles: ['Heartburn'] },
      { item: 'start', codes: [], titles: ['Burning micturition'] },
    ]);
    expect(words.search('burn', 20)).toEqual(['start', 'inside']);
  });

  it('answers the first entries without a query and honours the limit', () => {
    expect(codes(undefined, 2)).toEqual(['R50.9', 'A01.0']);
    expect(codes('   ', 3)).toEqual(['R50.9', 'A01.0', 'A90']);
    expect(codes('fever', 2)).toEqual(['R50.9', 'A01.0']);
  });

  it('normalises text and codes', () => {
    expect(normaliseText('  Chills / Shivering ')).toBe('chills shivering');
    expect(normaliseText('Café')).toBe('cafe');
    expect(normaliseText('ठंड लगना / कंपकंपी')).toBe('ठंड लगना कंपकंपी');
    expect(normaliseCode(' J06.9 ')).toBe('j069');
  });
});

describe('terminology routes', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp();
  });
  afterAll(async () => {
    await test.close();
  });

  const search = async (list: 'complaints' | 'diagnoses', query: string) => {
    const response = await test.app.inject({ method: 'GET', url: `/api/v1/terminology/${list}?${query}` });
    expect(response.statusCode).toBe(200);
    return response.json().items as Record<string, unknown>[];
  };

  it('loads every row of the country pack, idempotently', async () => {
    const count = async (table: string) =>
      (await test.database.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]?.n;
    expect(await count('complaint_terms')).toBe(97);
    expect(await count('diagnosis_terms')).toBe(344);
    const { loadClinicalTerms } = await import('../../seed/reference.js');
    const { TerminologyRepository } = await import('./repository.js');
    await loadClinicalTerms(new TerminologyRepository(test.database.db));
    expect(await count('complaint_terms')).toBe(97);
    expect(await count('diagnosis_terms')).toBe(344);
  });

  it('gives suggested specialities that exist', async () => {
    const [row] = await test.database.db.query<{ n: number }>(
      `select count(*)::int as n from complaint_terms c
       where c.speciality_code is not null and not exists (select 1 from specialities s where s.code = c.speciality_code)`,
    );
    expect(row?.n).toBe(0);
  });

  it('finds complaints by English name, Hindi name, SNOMED CT id and code, with red flags', async () => {
    const fever = await search('complaints', 'q=fever');
    expect(fever[0]).toMatchObject({
      code: 'fever',
      name: 'Fever',
      nameHi: 'बुखार',
      snomedCode: '386661006',
      specialityCode: 'general_medicine',
      redFlag: false,
      verified: true,
    });
    expect((await search('complaints', `q=${encodeURIComponent('खांसी')}`))[0]?.code).toBe('cough');
    expect((await search('complaints', 'q=49727'))[0]?.code).toBe('cough'); // 49727002
    expect((await search('complaints', 'q=chest'))[0]).toMatchObject({ code: 'chest_pain', redFlag: true });
    // Rows without a confirmed SNOMED CT id are still searchable, with a null code.
    expect((await search('complaints', 'q=snake'))[0]).toMatchObject({ code: 'snake_bite', snomedCode: null });
    // Complaint names starting with "cough" come before those that only contain it.
    const cough = (await search('complaints', 'q=cough')).map((c) => c.code);
    expect(cough.slice(0, 3)).toEqual(['cough', 'productive_cough', 'coughing_blood']);
  });

  it('finds diagnoses by code prefix and words, ranked, at most 20', async () => {
    expect((await search('diagnoses', 'q=J06.9'))[0]).toEqual({
      code: 'J06.9',
      title: 'Acute upper respiratory infection, unspecified',
    });
    const fever = await search('diagnoses', 'q=fever');
    expect(fever[0]).toMatchObject({ code: 'R50.9' }); // "Fever, unspecified" starts with it
    expect(fever.map((d) => d.code)).toContain('A01.0'); // Typhoid fever
    const e11 = await search('diagnoses', 'q=e11');
    expect(e11.length).toBeGreaterThan(0);
    expect(e11.every((d) => (d.code as string).startsWith('E11'))).toBe(true);
    expect(await search('diagnoses', 'q=a')).toHaveLength(20);
    expect(await search('diagnoses', 'q=unspecified&limit=5')).toHaveLength(5);
    expect(await search('diagnoses', 'q=zzzz')).toEqual([]);
  });

  it('refuses a limit above 20 and answers fast', async () => {
    const tooMany = await test.app.inject({ method: 'GET', url: '/api/v1/terminology/diagnoses?limit=50' });
    expect(tooMany.statusCode).toBe(400);
    const started = performance.now();
    for (const q of ['f', 'fe', 'fev', 'feve', 'fever', 'j', 'j0', 'j06', 'hyper', 'diab']) {
      await search('diagnoses', `q=${q}`);
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
