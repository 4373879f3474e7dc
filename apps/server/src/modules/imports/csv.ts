/**
 * A streaming CSV reader after RFC 4180: comma-separated fields, double-quoted fields that may
 * hold commas, line breaks and escaped quotes (`""`), CRLF or LF line ends, an optional UTF-8
 * byte order mark. Bytes go in as they arrive; complete records come out with the line each
 * starts on, so that errors can name it. Only the unfinished last record is kept between chunks.
 *
 * Two liberties, as most spreadsheet exports need them: a quote inside an unquoted field is kept
 * as a character, and text between a closing quote and the next comma is appended to the field.
 * Blank lines are skipped (but counted).
 */

export interface CsvRecord {
  /** The line (1-based) the record starts on; a quoted line break makes a record span lines. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/** A record longer than this is refused: usually a quote that is never closed. */
export const MAX_RECORD_CHARS = 1024 * 1024;

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}

export class CsvParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private buffer = '';
  private line = 1;
  private started = false;

  /** The line the next record starts on. */
  get currentLine(): number {
    return this.line;
  }

  /** Takes the next bytes (or text) of the file; returns the records they complete. */
  write(chunk: Uint8Array | string): CsvRecord[] {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      try {
        text = this.decoder.decode(chunk, { stream: true });
      } catch {
        throw new CsvError(this.line, 'The file is not UTF-8 text');
      }
    }
    return this.take(text, false);
  }

  /** The end of the file: returns the last record, or throws if it is unfinished. */
  end(): CsvRecord[] {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw new CsvError(this.line, 'The file is not UTF-8 text');
    }
    return this.take(rest, true);
  }

  private take(text: string, final: boolean): CsvRecord[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer = this.buffer.length === 0 ? text : this.buffer + text;
    const records = this.parse(final);
    if (this.buffer.length > MAX_RECORD_CHARS) {
      throw new CsvError(this.line, 'A record is longer than 1 MiB; is a closing quote missing?');
    }
    return records;
  }

  /**
   * Parses whole records from the buffer and keeps the rest. An incomplete record is parsed again
   * from its start when more text arrives; records are short, so this costs little.
   */
  private parse(final: boolean): CsvRecord[] {
    const text = this.buffer;
    const n = text.length;
    const records: CsvRecord[] = [];
    let pos = 0;
    records: while (pos < n) {
      const fields: string[] = [];
      let i = pos;
      let lineFeeds = 0;
      let blank = true;
      for (;;) {
        let value: string;
        if (text.charCodeAt(i) === QUOTE) {
          blank = false;
          value = '';
          let from = i + 1;
          for (;;) {
            const quote = text.indexOf('"', from);
            if (quote === -1) {
              if (final) throw new CsvError(this.line, 'A quoted field is not closed');
              break records;
            }
            // A quote at the very end of the text may be the first half of an escaped quote.
            if (quote + 1 === n && !final) break records;
            lineFeeds += countLineFeeds(text, from, quote);
            value += text.slice(from, quote);
            if (text.charCodeAt(quote + 1) === QUOTE) {
              value += '"';
              from = quote + 2;
              continue;
            }
            i = quote + 1;
            break;
          }
          let k = i;
          while (k < n) {
            const c = text.charCodeAt(k);
            if (c === COMMA || c === LF || c === CR) break;
            k += 1;
          }
          if (k > i) {
            if (k === n && !final) break records;
            value += text.slice(i, k);
            i = k;
          }
        } else {
          let k = i;
          while (k < n) {
            const c = text.charCodeAt(k);
            if (c === COMMA || c === LF || c === CR) break;
            k += 1;
          }
          if (k === n && !final) break records;
          value = text.slice(i, k);
          if (k > i) blank = false;
          i = k;
        }
        fields.push(value);
        if (i >= n) break; // the end of the file ends the last record
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          blank = false;
          i += 1;
          if (i === n) {
            if (!final) break records;
            fields.push('');
            break;
          }
          continue;
        }
        if (c === CR) {
          if (i + 1 === n && !final) break records; // an LF may follow in the next chunk
          i += text.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i += 1;
        }
        break;
      }
      const line = this.line;
      this.line += lineFeeds + 1;
      pos = i;
      if (!blank) records.push({ line, fields });
    }
    this.buffer = pos === 0 ? text : text.slice(pos);
    return records;
  }
}

/** Reads a whole stream of CSV bytes, yielding records in the groups each chunk completes. */
export async function* readCsv(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser();
  for await (const chunk of source) {
    const records = parser.write(chunk);
    if (records.length > 0) yield records;
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}
