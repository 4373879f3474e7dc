import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ROLES } from '@sanjog/shared';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses } from '../../platform/http/schemas.js';
import { ACCEPTED_MEDIA_TYPES, extensionOf, type StoredFile } from '../files/index.js';
import type { PatientRow } from './repository.js';
import { CLINICAL_STAFF, MAX_FILE_BYTES, PATIENT_STAFF, unsupportedMediaType, type PatientService } from './service.js';
import {
  FileParams,
  NewPatientBody,
  NewProfileBody,
  PatientChangesBody,
  PatientFileList,
  PatientFileSchema,
  PatientList,
  PatientQuery,
  PatientSchema,
  ProfileChangesBody,
  UploadQuery,
} from './schemas.js';

const wire = ({ accountUserId: _account, createdBy: _by, accountRemovedAt: _removed, ...patient }: PatientRow) => ({
  ...patient,
  createdAt: patient.createdAt.toISOString(),
  updatedAt: patient.updatedAt.toISOString(),
});

const fileWire = ({ uploadedBy: _by, stateId: _state, ...file }: StoredFile) => ({
  ...file,
  createdAt: file.createdAt.toISOString(),
});

const outcome = Type.Unsafe<unknown>({ $ref: 'OperationOutcome#' });

/** The file's bytes, served with its stored media type. */
const FileContent = Type.Unsafe<Buffer>({
  type: 'string',
  format: 'binary',
  description: 'The file, as application/pdf, image/jpeg, image/png or image/webp',
});

/**
 * Always a download, never shown in place: with `nosniff` and a sandbox policy as well, a file
 * cannot run as a page of our origin even if its bytes were crafted to look like one. The name
 * comes from the title, with an ASCII fallback and the UTF-8 form (RFC 6266 / 8187).
 */
export function attachmentDisposition(file: Pick<StoredFile, 'id' | 'title' | 'mediaType'>): string {
  const base = (file.title ?? 'record').slice(0, 80);
  const name = `${base}-${file.id.slice(0, 8)}.${extensionOf(file.mediaType)}`;
  const ascii = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const utf8 = encodeURIComponent(name).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

export function patientRoutes(service: PatientService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/v1/patients',
      {
        config: { auth: { roles: PATIENT_STAFF }, idempotent: true },
        schema: {
          tags: ['patients'],
          summary: 'Register a patient (minimum fields; complete later)',
          body: NewPatientBody,
          response: responses({ 201: PatientSchema, 200: PatientSchema }),
        },
      },
      async (request, reply) => {
        const { patient, created } = await service.register(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(patient));
      },
    );

    app.get(
      '/api/v1/patients',
      {
        config: { auth: { roles: PATIENT_STAFF } },
        schema: {
          tags: ['patients'],
          summary: 'Find patients by name or mobile',
          querystring: PatientQuery,
          response: responses({ 200: PatientList }),
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        return { items: (await service.search(actorOf(request), { ...rest, text: q })).map(wire) };
      },
    );

    app.get(
      '/api/v1/patients/:id',
      {
        config: { auth: { roles: PATIENT_STAFF } },
        schema: {
          tags: ['patients'],
          summary: 'One patient',
          params: IdParams,
          response: responses({ 200: PatientSchema }),
        },
      },
      async (request) => wire(await service.get(actorOf(request), request.params.id)),
    );

    app.patch(
      '/api/v1/patients/:id',
      {
        config: { auth: { roles: PATIENT_STAFF } },
        schema: {
          tags: ['patients'],
          summary: 'Complete or correct a patient record',
          params: IdParams,
          body: PatientChangesBody,
          response: responses({ 200: PatientSchema }),
        },
      },
      async (request) => wire(await service.update(actorOf(request), request.params.id, request.body)),
    );

    app.get(
      '/api/v1/me/patients',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'The family profiles under my mobile number',
          response: responses({ 200: PatientList }),
        },
      },
      async (request) => ({ items: (await service.listOwn(actorOf(request))).map(wire) }),
    );

    app.post(
      '/api/v1/me/patients',
      {
        config: { auth: { roles: ['patient'] }, idempotent: true },
        schema: {
          tags: ['patients'],
          summary: 'Add a family profile under my mobile number (at most 10)',
          body: NewProfileBody,
          response: responses({ 201: PatientSchema, 200: PatientSchema }),
        },
      },
      async (request, reply) => {
        const { patient, created } = await service.addOwn(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(patient));
      },
    );

    app.get(
      '/api/v1/me/patients/:id',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'One of my family profiles',
          params: IdParams,
          response: responses({ 200: PatientSchema }),
        },
      },
      async (request) => wire(await service.getOwn(actorOf(request), request.params.id)),
    );

    app.patch(
      '/api/v1/me/patients/:id',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'Correct one of my family profiles',
          params: IdParams,
          body: ProfileChangesBody,
          response: responses({ 200: PatientSchema }),
        },
      },
      async (request) => wire(await service.updateOwn(actorOf(request), request.params.id, request.body)),
    );

    app.delete(
      '/api/v1/me/patients/:id',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'Remove a profile from my account (the medical record is kept)',
          params: IdParams,
          response: responses({ 200: EmptyBody }),
        },
      },
      async (request) => {
        await service.removeOwn(actorOf(request), request.params.id);
        return {};
      },
    );

    // Uploads take the raw file as the body. Its parsers live in this inner scope, so that no
    // other route accepts a binary body, and its limit is larger than the app's.
    await app.register(async (scope) => {
      const uploads = scope.withTypeProvider<TypeBoxTypeProvider>();
      uploads.addContentTypeParser(
        [...ACCEPTED_MEDIA_TYPES],
        { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES },
        (_request, body, done) => {
          done(null, body);
        },
      );
      uploads.post(
        '/api/v1/me/patients/:id/files',
        {
          bodyLimit: MAX_FILE_BYTES,
          config: { auth: { roles: ['patient'] } },
          schema: {
            tags: ['patients'],
            summary: 'Upload an earlier record (photo or PDF, at most 10 MB) to one of my profiles',
            description:
              'The body is the file itself, with Content-Type image/jpeg, image/png, image/webp or application/pdf; ' +
              'the type is checked against the bytes. Pass a client-generated `id` to make a retry safe.',
            params: IdParams,
            querystring: UploadQuery,
            consumes: ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'],
            // Any bytes pass the schema; the handler checks them against the declared type.
            body: Type.Unsafe<Buffer>({ description: 'the file itself' }),
            response: responses({ 201: PatientFileSchema, 200: PatientFileSchema, 413: outcome, 415: outcome }),
          },
        },
        async (request, reply) => {
          // Other types (JSON, text) are parsed by the app's own parsers and arrive here as no Buffer.
          if (!Buffer.isBuffer(request.body))
            throw unsupportedMediaType('Upload a photo (JPEG, PNG or WebP) or a PDF as the request body');
          const { file, created } = await service.uploadOwnFile(actorOf(request), request.params.id, {
            id: request.query.id,
            title: request.query.title,
            declaredType: request.headers['content-type'],
            content: request.body,
          });
          return reply.status(created ? 201 : 200).send(fileWire(file));
        },
      );
    });

    app.get(
      '/api/v1/me/patients/:id/files',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'The earlier records uploaded to one of my profiles',
          params: IdParams,
          response: responses({ 200: PatientFileList }),
        },
      },
      async (request) => ({
        items: (await service.listOwnFiles(actorOf(request), request.params.id)).map(fileWire),
      }),
    );

    app.get(
      '/api/v1/patients/:id/files',
      {
        config: { auth: { roles: CLINICAL_STAFF } },
        schema: {
          tags: ['patients'],
          summary: "A patient's uploaded earlier records (clinical staff of the patient's state)",
          params: IdParams,
          response: responses({ 200: PatientFileList }),
        },
      },
      async (request) => ({
        items: (await service.listFilesForStaff(actorOf(request), request.params.id)).map(fileWire),
      }),
    );

    app.get(
      '/api/v1/files/:fileId',
      {
        // Anyone signed in may ask; the service answers "not found" to all but the patient's
        // account and clinical staff of the patient's state.
        config: { auth: { roles: ROLES } },
        schema: {
          tags: ['patients'],
          summary: 'Download an uploaded record',
          params: FileParams,
          response: responses({ 200: FileContent }),
        },
      },
      async (request, reply) => {
        const { file, content } = await service.download(actorOf(request), request.params.fileId);
        return reply
          .header('content-type', file.mediaType)
          .header('content-disposition', attachmentDisposition(file))
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          .send(content);
      },
    );

    app.delete(
      '/api/v1/files/:fileId',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'Delete a record I uploaded (hidden from everyone; kept for the medical record)',
          params: FileParams,
          response: responses({ 200: EmptyBody }),
        },
      },
      async (request) => {
        await service.deleteOwnFile(actorOf(request), request.params.fileId);
        return {};
      },
    );
  };
}
