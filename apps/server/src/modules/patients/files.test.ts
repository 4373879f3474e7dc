import { createHash, randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFacility,
  createStaff,
  KA,
  signInPatient,
  startTestApp,
  UP,
  type StaffFixture,
  type TestApp,
} from '../../test/app.js';

/** A real PNG: signature, IHDR, one IDAT of grey pixels, IEND, with correct CRCs. */
function png(width = 2, height = 2): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const rows = Buffer.concat(
    Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(width, 0x80)])),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real one-page PDF with a correct cross-reference table. */
function pdf(text = 'Blood sugar 110 mg/dL'): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(out.length);
    out += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

let test: TestApp;
let owner: { cookie: string; userId: string };
let stranger: { cookie: string; userId: string };
let upDoctor: StaffFixture;
let upOperator: StaffFixture;
let kaDoctor: StaffFixture;
let upAdmin: StaffFixture;
let profileId: string;
let pngId: string;
const PNG = png();
const PDF = pdf();

const upload = (who: { cookie: string }, patientId: string, body: Buffer | string, contentType: string, query = '') =>
  test.app.inject({
    method: 'POST',
    url: `/api/v1/me/patients/${patientId}/files${query}`,
    headers: { cookie: who.cookie, 'content-type': contentType },
    payload: body,
  });
const download = (headers: Record<string, string>, fileId: string) =>
  test.app.inject({ method: 'GET', url: `/api/v1/files/${fileId}`, headers });
const fileAudit = (fileId: string) =>
  test.database.db.query<{ action: string; actorId: string; actorRole: string; patientId: string; stateId: string }>(
    `select action, actor_id as "actorId", actor_role as "actorRole", patient_id as "patientId", state_id as "stateId"
     from audit_log where resource_type = 'DocumentReference' and resource_id = $1 order by seq`,
    [fileId],
  );

beforeAll(async () => {
  test = await startTestApp();
  owner = await signInPatient(test, '9876561111');
  stranger = await signInPatient(test, '9876562222');
  const profile = await test.app.inject({
    method: 'POST',
    url: '/api/v1/me/patients',
    headers: { cookie: owner.cookie },
    payload: { self: true, name: 'Ramesh', sex: 'male', ageYears: 45, stateId: UP.stateId, districtId: UP.districtId },
  });
  expect(profile.statusCode).toBe(201);
  profileId = profile.json().id;
  upDoctor = await createStaff(test, 'hub_doctor', {
    facilityId: await createFacility(test, UP.stateId, UP.districtId, 'hub'),
  });
  upOperator = await createStaff(test, 'spoke_operator', {
    facilityId: await createFacility(test, UP.stateId, UP.districtId, 'spoke'),
  });
  kaDoctor = await createStaff(test, 'hub_doctor', {
    facilityId: await createFacility(test, KA.stateId, KA.districtId, 'hub'),
  });
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
});
afterAll(async () => {
  await test.close();
});

describe('uploading earlier records', () => {
  it('accepts a real PNG with a title, and audits the upload', async () => {
    const response = await upload(owner, profileId, PNG, 'image/png', `?title=${encodeURIComponent('X-ray, chest')}`);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      patientId: profileId,
      title: 'X-ray, chest',
      mediaType: 'image/png',
      sizeBytes: PNG.length,
      sha256: createHash('sha256').update(PNG).digest('hex'),
    });
    pngId = body.id;
    expect(await fileAudit(pngId)).toEqual([
      { action: 'create', actorId: owner.userId, actorRole: 'patient', patientId: profileId, stateId: UP.stateId },
    ]);
  });

  it('accepts a real PDF', async () => {
    const response = await upload(owner, profileId, PDF, 'application/pdf');
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ mediaType: 'application/pdf', title: null, sizeBytes: PDF.length });
  });

  it('refuses an HTML page renamed .png, a PDF declared as a PNG, and other types (415)', async () => {
    const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>';
    const cases: [Buffer | string, string][] = [
      [html, 'image/png'],
      [PDF, 'image/png'],
      [PNG, 'application/pdf'],
      [PNG, 'image/jpeg'],
      [html, 'text/html'],
      [svg, 'image/svg+xml'],
      [html, 'text/plain'],
      ['{"a":1}', 'application/json'],
      ['alert(1)', 'application/javascript'],
      [PNG, 'application/octet-stream'],
    ];
    for (const [body, type] of cases) {
      const response = await upload(owner, profileId, body, type);
      expect(response.statusCode, type).toBe(415);
      expect(response.json().resourceType, type).toBe('OperationOutcome');
    }
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/me/patients/${profileId}/files`,
      headers: { cookie: owner.cookie },
    });
    expect(list.json().items).toHaveLength(2);
  });

  it('refuses a body over 10 MB (413) and an empty one (400)', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
    const response = await upload(owner, profileId, big, 'image/png');
    expect(response.statusCode).toBe(413);
    expect(response.json().resourceType).toBe('OperationOutcome');
    const empty = await upload(owner, profileId, Buffer.alloc(0), 'image/png');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().resourceType).toBe('OperationOutcome');
  });

  it('refuses a bad title with a 400 naming it', async () => {
    const response = await upload(owner, profileId, PNG, 'image/png', `?title=${'x'.repeat(201)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().issue[0].expression).toEqual(['querystring.title']);
  });

  it('makes a retried upload safe with a client id; other bytes under that id are a conflict', async () => {
    const id = randomUUID();
    const first = await upload(owner, profileId, PNG, 'image/png', `?id=${id}`);
    const again = await upload(owner, profileId, PNG, 'image/png', `?id=${id}`);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(id);
    const other = await upload(owner, profileId, PDF, 'application/pdf', `?id=${id}`);
    expect(other.statusCode).toBe(409);
    expect((await fileAudit(id)).filter((e) => e.action === 'create')).toHaveLength(1);
    await test.app.inject({ method: 'DELETE', url: `/api/v1/files/${id}`, headers: { cookie: owner.cookie } });
  });

  it("refuses uploads to, and lists of, another account's profile (404)", async () => {
    expect((await upload(stranger, profileId, PNG, 'image/png')).statusCode).toBe(404);
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/me/patients/${profileId}/files`,
      headers: { cookie: stranger.cookie },
    });
    expect(list.statusCode).toBe(404);
  });
});

describe('downloading', () => {
  it('serves the owner the bytes as a download with its type, nosniff, a sandbox and private caching', async () => {
    const response = await download({ cookie: owner.cookie }, pngId);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(PNG)).toBe(true);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="X-ray_chest-[0-9a-f]{8}\.png"/);
    expect(response.headers['content-disposition']).toContain("filename*=UTF-8''X-ray%2C%20chest-");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain('sandbox');
    expect(response.headers['cache-control']).toMatch(/^private/);
  });

  it("serves clinical staff of the patient's state, and audits each download", async () => {
    for (const staff of [upDoctor, upOperator]) {
      const response = await download(staff.auth, pngId);
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(PNG)).toBe(true);
    }
    const reads = (await fileAudit(pngId)).filter((e) => e.action === 'read');
    expect(reads).toEqual([
      { action: 'read', actorId: owner.userId, actorRole: 'patient', patientId: profileId, stateId: UP.stateId },
      { action: 'read', actorId: upDoctor.userId, actorRole: 'hub_doctor', patientId: profileId, stateId: UP.stateId },
      {
        action: 'read',
        actorId: upOperator.userId,
        actorRole: 'spoke_operator',
        patientId: profileId,
        stateId: UP.stateId,
      },
    ]);
  });

  it("tells everyone else it was not found: another state's doctor, an administrator, another account", async () => {
    for (const headers of [kaDoctor.auth, upAdmin.auth, { cookie: stranger.cookie }]) {
      const response = await download(headers, pngId);
      expect(response.statusCode).toBe(404);
      expect(response.json().resourceType).toBe('OperationOutcome');
    }
    expect((await download({}, pngId)).statusCode).toBe(401);
    expect((await download({ cookie: owner.cookie }, randomUUID())).statusCode).toBe(404);
  });

  it("lists a patient's uploads for clinical staff of their state only", async () => {
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${profileId}/files`,
      headers: upDoctor.auth,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((f: { mediaType: string }) => f.mediaType)).toEqual(['image/png', 'application/pdf']);
    const other = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${profileId}/files`,
      headers: kaDoctor.auth,
    });
    expect(other.statusCode).toBe(404);
    const admin = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${profileId}/files`,
      headers: upAdmin.auth,
    });
    expect(admin.statusCode).toBe(403);
    const searches = await test.database.db.query<{ count: number }>(
      `select count(*)::int as count from audit_log
       where resource_type = 'DocumentReference' and action = 'search' and actor_id = $1`,
      [upDoctor.userId],
    );
    expect(searches[0]!.count).toBe(2);
  });

  it("offers other modules the list of a patient's files", async () => {
    const files = await test.app.services.patients.files(profileId);
    expect(files.map((f) => f.id)).toContain(pngId);
    expect(files.every((f) => f.patientId === profileId)).toBe(true);
  });
});

describe('deleting', () => {
  it('lets only the owner delete; the file is hidden from everyone but kept', async () => {
    const created = await upload(owner, profileId, PNG, 'image/png', '?title=old');
    const fileId: string = created.json().id;
    const del = (headers: Record<string, string>) =>
      test.app.inject({ method: 'DELETE', url: `/api/v1/files/${fileId}`, headers });
    expect((await del({ cookie: stranger.cookie })).statusCode).toBe(404);
    expect((await del(upDoctor.auth)).statusCode).toBe(403);
    expect((await del({ cookie: owner.cookie })).statusCode).toBe(200);
    expect((await del({ cookie: owner.cookie })).statusCode).toBe(404);
    expect((await download({ cookie: owner.cookie }, fileId)).statusCode).toBe(404);
    expect((await download(upDoctor.auth, fileId)).statusCode).toBe(404);
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/me/patients/${profileId}/files`,
      headers: { cookie: owner.cookie },
    });
    expect(list.json().items.map((f: { id: string }) => f.id)).not.toContain(fileId);
    const [row] = await test.database.db.query<{ deletedBy: string; size: number }>(
      'select deleted_by as "deletedBy", length(content) as size from files where id = $1 and deleted_at is not null',
      [fileId],
    );
    expect(row).toEqual({ deletedBy: owner.userId, size: PNG.length });
    expect((await fileAudit(fileId)).map((e) => e.action)).toEqual(['create', 'delete']);
  });

  it("keeps the files of a profile removed from the account, out of the account's reach", async () => {
    const profile = await test.app.inject({
      method: 'POST',
      url: '/api/v1/me/patients',
      headers: { cookie: owner.cookie },
      payload: { name: 'Chhotu', sex: 'male', ageYears: 4, stateId: UP.stateId, districtId: UP.districtId },
    });
    const childId: string = profile.json().id;
    const file = await upload(owner, childId, PDF, 'application/pdf');
    const fileId: string = file.json().id;
    await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/patients/${childId}`,
      headers: { cookie: owner.cookie },
    });
    expect((await download({ cookie: owner.cookie }, fileId)).statusCode).toBe(404);
    expect((await download(upDoctor.auth, fileId)).statusCode).toBe(200);
  });
});
