import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/database.js';
import { baseMediaType, sniffMediaType } from './media.js';
import { PostgresFileStore } from './repository.js';

describe('sniffMediaType', () => {
  it('recognises PNG, JPEG, WebP and PDF by their first bytes', () => {
    expect(sniffMediaType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffMediaType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
  });

  it('knows nothing else: HTML, SVG, scripts, other RIFF files, a PDF header after junk, short files', () => {
    for (const text of [
      '<!doctype html><html>',
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '#!/bin/sh\n',
      'RIFF\x24\x00\x00\x00WAVEfmt ',
      '<html>%PDF-1.4',
      '\x89PNG',
      '',
    ]) {
      expect(sniffMediaType(Buffer.from(text, 'latin1')), text).toBeUndefined();
    }
  });

  it('reads the media type out of a Content-Type header', () => {
    expect(baseMediaType('Image/PNG; charset=binary')).toBe('image/png');
    expect(baseMediaType(undefined)).toBe('');
  });
});

describe(`PostgresFileStore (${process.env.TEST_STORAGE ?? 'pglite'})`, () => {
  let database: TestDatabase;
  let store: PostgresFileStore;
  let patientId: string;
  const userId = randomUUID();

  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.query(
      "insert into countries (id, name, default_time_zone) values ('IN', 'India', 'Asia/Kolkata')",
    );
    await database.db.query(
      "insert into states (id, country_id, code, name, time_zone) values ('IN-09', 'IN', '09', 'UP', 'Asia/Kolkata')",
    );
    patientId = randomUUID();
    await database.db.query("insert into patients (id, state_id, name, sex) values ($1, 'IN-09', 'P', 'female')", [
      patientId,
    ]);
    await database.db.query("insert into users (id, kind, display_name) values ($1, 'patient', 'P')", [userId]);
    store = new PostgresFileStore(database.db);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('stores every byte value and gives the same bytes back', async () => {
    const content = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
    const sha256 = createHash('sha256').update(content).digest('hex');
    const id = randomUUID();
    const file = {
      id,
      stateId: 'IN-09',
      patientId,
      title: null,
      mediaType: 'application/pdf' as const,
      content,
      sha256,
      uploadedBy: userId,
    };
    const stored = await store.put(file);
    expect(stored.created).toBe(true);
    expect(stored.file).toMatchObject({ id, sizeBytes: 1024, sha256, mediaType: 'application/pdf' });
    const got = await store.get(id);
    expect(Buffer.isBuffer(got?.content)).toBe(true);
    expect(got?.content.equals(content)).toBe(true);
    expect((await store.put(file)).created).toBe(false);
    expect(await store.countForPatient(patientId)).toBe(1);
    expect(await store.delete(id, userId)).toBe(true);
    expect(await store.get(id)).toBeUndefined();
    expect(await store.head(id)).toBeUndefined();
    expect(await store.listForPatient(patientId)).toEqual([]);
    expect(await store.delete(id, userId)).toBe(false);
  });
});
