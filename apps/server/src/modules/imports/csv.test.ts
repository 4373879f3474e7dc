import { describe, expect, it } from 'vitest';
import { CsvError, CsvParser, readCsv, type CsvRecord } from './csv.js';

function parseAll(text: string): CsvRecord[] {
  const parser = new CsvParser();
  return [...parser.write(text), ...parser.end()];
}

/** Feeds the text in pieces of `size` bytes, to cross every boundary. */
function parseInChunks(text: string, size: number): CsvRecord[] {
  const bytes = new TextEncoder().encode(text);
  const parser = new CsvParser();
  const records: CsvRecord[] = [];
  for (let i = 0; i < bytes.length; i += size) records.push(...parser.write(bytes.subarray(i, i + size)));
  return [...records, ...parser.end()];
}

describe('the CSV reader', () => {
  it('reads plain fields and numbers each record by its line', () => {
    expect(parseAll('a,b,c\n1,2,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('keeps commas, line breaks and escaped quotes inside quoted fields', () => {
    const text = 'name,address\n"Rampur, PHC","Line one\nLine two"\n"Dr ""Anil"" Verma",x\n';
    expect(parseAll(text)).toEqual([
      { line: 1, fields: ['name', 'address'] },
      { line: 2, fields: ['Rampur, PHC', 'Line one\nLine two'] },
      { line: 4, fields: ['Dr "Anil" Verma', 'x'] },
    ]);
  });

  it('accepts CRLF, a UTF-8 byte order mark, a missing last line end and empty fields', () => {
    const text = '\uFEFFa,b\r\n1,\r\n,2\r\n"",""\r\n3,"4\r\n5"';
    expect(parseAll(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', ''] },
      { line: 3, fields: ['', '2'] },
      { line: 4, fields: ['', ''] },
      { line: 5, fields: ['3', '4\r\n5'] },
    ]);
  });

  it('skips blank lines but still counts them', () => {
    expect(parseAll('a\n\n\r\nb\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['b'] },
    ]);
  });

  it('gives the same records however the bytes are split, multi-byte characters included', () => {
    const text = '\uFEFFname,city\r\n"जिला अस्पताल, लखनऊ","a ""b""\r\nc"\r\nसामुदायिक केंद्र,x\n"",\n"end"';
    const whole = parseAll(text.replace(/^\uFEFF/, ''));
    for (const size of [1, 2, 3, 5, 7, 64]) expect(parseInChunks(text, size)).toEqual(whole);
    expect(whole[1]).toEqual({ line: 2, fields: ['जिला अस्पताल, लखनऊ', 'a "b"\r\nc'] });
    expect(whole[2]?.line).toBe(4);
  });

  it('keeps a stray quote inside an unquoted field, and text after a closing quote', () => {
    expect(parseAll('5" tall,"ab"cd,e\n')).toEqual([{ line: 1, fields: ['5" tall', 'abcd', 'e'] }]);
  });

  it('reports an unclosed quote with the line its record starts on', () => {
    expect(() => parseAll('a\nb\n"open,\nmore\n')).toThrow(CsvError);
    try {
      parseAll('a\nb\n"open,\nmore\n');
    } catch (error) {
      expect((error as CsvError).line).toBe(3);
    }
  });

  it('refuses bytes that are not UTF-8', () => {
    const parser = new CsvParser();
    expect(() => [...parser.write(new Uint8Array([0x61, 0x2c, 0xff, 0xfe, 0x0a])), ...parser.end()]).toThrow(
      'not UTF-8',
    );
  });

  it('reads a stream', async () => {
    async function* chunks() {
      yield Buffer.from('a,b\n1,"x');
      yield Buffer.from('\ny"\n2,3');
    }
    const records: CsvRecord[] = [];
    for await (const group of readCsv(chunks())) records.push(...group);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'x\ny'] },
      { line: 4, fields: ['2', '3'] },
    ]);
  });
});
