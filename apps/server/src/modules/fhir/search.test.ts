import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { parseDateCriterion, parseDateValue, parseSearch, parseToken, splitValues } from './search.js';

const strict = { lenient: false };

function outcomeOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('search values', () => {
  it('splits on commas that are not escaped, and unescapes', () => {
    expect(splitValues('a,b')).toEqual(['a', 'b']);
    expect(splitValues('Smith\\, John,x')).toEqual(['Smith, John', 'x']);
    expect(splitValues('a,,b,')).toEqual(['a', 'b']);
  });

  it('reads tokens with and without a system', () => {
    expect(parseToken('https://facility.abdm.gov.in|IN0910000001')).toEqual({
      system: 'https://facility.abdm.gov.in',
      code: 'IN0910000001',
    });
    expect(parseToken('|x')).toEqual({ system: '', code: 'x' });
    expect(parseToken('hub')).toEqual({ system: undefined, code: 'hub' });
    expect(parseToken('a\\|b')).toEqual({ system: undefined, code: 'a|b' });
  });

  it('reads a date as the range of its precision, in UTC unless a zone is given', () => {
    expect(parseDateValue('2026')).toEqual({
      start: new Date('2026-01-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
    expect(parseDateValue('2026-02')?.end).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(parseDateValue('2026-12-31')?.end).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect(parseDateValue('2026-03-05T10:00+05:30')).toEqual({
      start: new Date('2026-03-05T04:30:00Z'),
      end: new Date('2026-03-05T04:31:00Z'),
    });
    // An unencoded + arrives as a space.
    expect(parseDateValue('2026-03-05T10:00:00 05:30')?.start).toEqual(new Date('2026-03-05T04:30:00Z'));
    expect(parseDateValue('2026-03-05T10:00:00.123Z')).toEqual({
      start: new Date('2026-03-05T10:00:00.123Z'),
      end: new Date('2026-03-05T10:00:00.124Z'),
    });
    expect(parseDateValue('2026-02-30')).toBeUndefined();
    expect(parseDateValue('yesterday')).toBeUndefined();
  });

  it('turns prefixes into bounds', () => {
    const day = { from: new Date('2026-03-05T00:00:00Z'), to: new Date('2026-03-06T00:00:00Z') };
    expect(parseDateCriterion('2026-03-05')).toEqual({ ...day, negate: false });
    expect(parseDateCriterion('ne2026-03-05')).toEqual({ ...day, negate: true });
    expect(parseDateCriterion('gt2026-03-05')).toEqual({ from: day.to, negate: false });
    expect(parseDateCriterion('ge2026-03-05')).toEqual({ from: day.from, negate: false });
    expect(parseDateCriterion('lt2026-03-05')).toEqual({ to: day.from, negate: false });
    expect(parseDateCriterion('le2026-03-05')).toEqual({ to: day.to, negate: false });
    expect(parseDateCriterion('sa2026-03-05')).toBeUndefined();
  });
});

describe('parseSearch', () => {
  it('reads criteria: repeats are all required, commas are alternatives', () => {
    const parsed = parseSearch(
      'Organization',
      {
        name: ['PHC', 'Sub,Dist'],
        'name:contains': 'centre',
        type: 'hub',
        active: 'true',
        partof: 'Organization/IN-09',
      },
      strict,
    );
    expect(parsed.criteria).toEqual([
      { param: 'name', mode: 'starts', values: ['PHC'] },
      { param: 'name', mode: 'starts', values: ['Sub', 'Dist'] },
      { param: 'name', mode: 'contains', values: ['centre'] },
      { param: 'type', tokens: [{ system: undefined, code: 'hub' }] },
      { param: 'active', values: [true] },
      { param: 'partof', ids: ['IN-09'] },
    ]);
    expect(parsed.count).toBe(20);
    expect(parsed.echo[0]).toEqual(['name', 'PHC']);
  });

  it('maps Location status and HealthcareService service-type', () => {
    expect(parseSearch('Location', { status: 'inactive,suspended' }, strict).criteria).toEqual([
      { param: 'active', values: [false] },
    ]);
    expect(parseSearch('HealthcareService', { 'service-type': 'online-opd' }, strict).criteria).toEqual([
      { param: 'type', tokens: [{ system: undefined, code: 'online-opd' }] },
    ]);
  });

  it('reads references as ids and checks their type', () => {
    expect(
      parseSearch('PractitionerRole', { location: 'https://x.example/fhir/R4/Location/abc-1' }, strict).criteria,
    ).toEqual([{ param: 'location', ids: ['abc-1'] }]);
    expect(outcomeOf(() => parseSearch('PractitionerRole', { location: 'Organization/1' }, strict)).statusCode).toBe(
      400,
    );
  });

  it('refuses unknown parameters and modifiers, naming them; lenient ignores them', () => {
    const error = outcomeOf(() => parseSearch('Practitioner', { colour: 'blue', 'name:fuzzy': 'x' }, strict));
    expect(error.statusCode).toBe(400);
    expect(error.outcome.issue.map((i) => i.expression?.[0])).toEqual(['colour', 'name:fuzzy']);
    expect(error.outcome.issue[0]?.diagnostics).toContain('Unknown search parameter colour');
    const lenient = parseSearch('Practitioner', { colour: 'blue', name: 'x' }, { lenient: true });
    expect(lenient.ignored).toEqual(['colour']);
    expect(lenient.echo).toEqual([['name', 'x']]);
  });

  it('reads result parameters: _count capped, _total, _cursor, _format, _include', () => {
    const parsed = parseSearch(
      'PractitionerRole',
      {
        _count: '999',
        _total: 'accurate',
        _cursor: 'role:abc',
        _format: 'json',
        _include: 'PractitionerRole:practitioner',
      },
      strict,
    );
    expect(parsed).toMatchObject({
      count: 200,
      total: true,
      cursor: { source: 'role', key: 'abc' },
      includes: [{ param: 'PractitionerRole:practitioner', target: 'Practitioner' }],
    });
    expect(outcomeOf(() => parseSearch('Location', { _count: '-1' }, strict)).statusCode).toBe(400);
    expect(outcomeOf(() => parseSearch('Location', { _format: 'xml' }, strict)).statusCode).toBe(406);
    expect(outcomeOf(() => parseSearch('Location', { _include: 'Location:partof' }, strict)).statusCode).toBe(400);
    expect(outcomeOf(() => parseSearch('Location', { _lastUpdated: 'soon' }, strict)).statusCode).toBe(400);
  });
});
