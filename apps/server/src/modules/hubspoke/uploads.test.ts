import { createHash, randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { resumableUpload } from '@sanjog/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MappingRepository } from '../mappings/index.js';
import { createFacility, createStaff, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

let test: TestApp;
let officer: StaffFixture;
let requestId: string;

beforeAll(async () => {
  test = await startTestApp();
  const hubId = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  const spokeId = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
  await new MappingRepository(test.database.db).insertMany([
    { id: randomUUID(), stateId: UP.stateId, spokeId, specialityCode: 'general_medicine', hubId, rank: 1 },
  ]);
  officer = await createStaff(test, 'spoke_operator', { facilityId: spokeId });
  const patient = await test.app.inject({
    method: 'POST',
    url: '/api/v1/spoke/patients',
    headers: officer.auth,
    payload: { name: 'Asha', sex: 'female', age: 60 },
  });
  const created = await test.app.inject({
    method: 'POST',
    url: '/api/v1/spoke/requests',
    headers: officer.auth,
    payload: { patientId: patient.json<{ id: string }>().id, complaints: [{ code: 'chest_pain' }] },
  });
  requestId = created.json<{ id: string }>().id;
});
afterAll(async () => {
  await test.close();
});

/**
 * A poor link between the client and the server: it carries `bytesPerSecond` towards the
 * server and cuts every open connection every `dropEveryMs`. Time is compressed thirty-fold: a
 * 2G link of ~35 KB/s cut every 30 s becomes 1 MB/s cut every second, the same bytes between
 * drops (about 1 MB), so a 5 MB file meets a drop every fifth of the way.
 */
async function flakyLink(target: number, bytesPerSecond: number, dropEveryMs: number) {
  const open = new Set<net.Socket>();
  let drops = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (data: Buffer) => {
      client.pause();
      upstream.write(data);
      setTimeout(() => client.resume(), (data.length / bytesPerSecond) * 1000);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const timer = setInterval(() => {
    if (open.size > 0) drops += 1;
    for (const socket of open) socket.destroy();
    open.clear();
  }, dropEveryMs);
  return {
    port: (server.address() as AddressInfo).port,
    drops: () => drops,
    close: async () => {
      clearInterval(timer);
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('resumable attachments', () => {
  it('a 5 MB file on a link dropping every 30 s (compressed) still arrives whole', async () => {
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (test.app.server.address() as AddressInfo).port;
    const link = await flakyLink(port, 1024 * 1024, 1000);
    const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5 * 1024 * 1024 - 9)]);
    let failures = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      try {
        return await fetch(input, init);
      } catch (error) {
        failures += 1;
        throw error;
      }
    };
    const id = randomUUID();
    try {
      const result = await resumableUpload({
        baseUrl: `http://127.0.0.1:${String(link.port)}`,
        id,
        requestId,
        kind: 'ecg',
        title: 'ECG',
        mediaType: 'application/pdf',
        content,
        headers: officer.auth,
        chunkBytes: 64 * 1024,
        retryDelayMs: 20,
        maxAttempts: 200,
        fetch: countingFetch,
      });
      expect(result.complete).toBe(true);
    } finally {
      await link.close();
    }
    // The link really did drop, mid-transfer, many times.
    expect(link.drops()).toBeGreaterThanOrEqual(4);
    expect(failures).toBeGreaterThanOrEqual(3);

    const download = await test.app.inject({
      method: 'GET',
      url: `/api/v1/hubspoke/requests/${requestId}/attachments/${id}`,
      headers: officer.auth,
    });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.length).toBe(content.length);
    expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
    const request = await test.app.inject({
      method: 'GET',
      url: `/api/v1/hubspoke/requests/${requestId}`,
      headers: officer.auth,
    });
    expect(request.json<{ attachments: { fileId: string; kind: string }[] }>().attachments).toEqual([
      expect.objectContaining({ fileId: id, kind: 'ecg' }),
    ]);
  }, 120_000);

  it('ignores a chunk sent twice, refuses a gap, and refuses a file whose bytes are not what was declared', async () => {
    const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1000)]);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const id = randomUUID();
    const start = (body: Record<string, unknown>) =>
      test.app.inject({ method: 'POST', url: '/api/v1/spoke/uploads', headers: officer.auth, payload: body });
    const chunk = (uploadId: string, offset: number, bytes: Buffer) =>
      test.app.inject({
        method: 'PUT',
        url: `/api/v1/spoke/uploads/${uploadId}/chunks?offset=${String(offset)}`,
        headers: { ...officer.auth, 'content-type': 'application/octet-stream' },
        payload: bytes,
      });
    expect(
      (
        await start({
          id,
          requestId,
          kind: 'lab_report',
          mediaType: 'application/pdf',
          sizeBytes: content.length,
          sha256,
        })
      ).statusCode,
    ).toBe(200);
    expect((await chunk(id, 0, content.subarray(0, 500))).json<{ receivedBytes: number }>().receivedBytes).toBe(500);
    expect((await chunk(id, 0, content.subarray(0, 500))).json<{ receivedBytes: number }>().receivedBytes).toBe(500);
    expect((await chunk(id, 700, content.subarray(700))).statusCode).toBe(409);
    const done = await chunk(id, 500, content.subarray(500));
    expect(done.json<{ complete: boolean }>().complete).toBe(true);

    // Declared a PDF, but the bytes are a script: refused when complete.
    const fake = Buffer.from('<script>alert(1)</script>');
    const fakeId = randomUUID();
    await start({
      id: fakeId,
      requestId,
      kind: 'other',
      mediaType: 'application/pdf',
      sizeBytes: fake.length,
      sha256: createHash('sha256').update(fake).digest('hex'),
    });
    expect((await chunk(fakeId, 0, fake)).statusCode).toBe(415);
    expect(
      (await start({ id: randomUUID(), requestId, kind: 'other', mediaType: 'text/html', sizeBytes: 10, sha256 }))
        .statusCode,
    ).toBe(415);
  });
});
