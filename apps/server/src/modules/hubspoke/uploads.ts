import { createHash } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import { actingRole } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { AppError, badRequest, conflict, invalidFields, notFound } from '../../platform/errors.js';
import { operationOutcome } from '@sanjog/shared';
import type { AuditRecorder } from '../audit/index.js';
import { isAcceptedMediaType, sniffMediaType, type FileStore, type StoredFile } from '../files/index.js';
import { MAX_FILE_BYTES } from '../patients/index.js';
import type { AttachmentKind } from './model.js';
import type { HubSpokeRepository, UploadSessionRow } from './repository.js';
import type { HubSpokeService } from './service.js';

/** The largest chunk one request may carry: small enough to get through a 2G link between drops. */
export const MAX_CHUNK_BYTES = 512 * 1024;

export interface UploadStatus extends UploadSessionRow {
  complete: boolean;
}

export const unsupported = (diagnostics: string): AppError =>
  new AppError(415, operationOutcome({ severity: 'error', code: 'not-supported', diagnostics }));

/**
 * Resumable uploads of a request's attachments (photos, ECG and lab-report PDFs). The client
 * declares the size and SHA-256, then sends chunks at offsets; after a dropped link it asks
 * where the upload stands and goes on from there. The whole file is checked (digest, magic
 * bytes) before it becomes an attachment.
 */
export class UploadService {
  constructor(
    private readonly repository: HubSpokeRepository,
    private readonly requests: Pick<HubSpokeService, 'get'>,
    private readonly files: FileStore,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
  ) {}

  async create(
    actor: Actor,
    input: {
      id: string;
      requestId: string;
      kind: AttachmentKind;
      title?: string | undefined;
      mediaType: string;
      sizeBytes: number;
      sha256: string;
    },
  ): Promise<UploadStatus> {
    const request = await this.spokeRequest(actor, input.requestId);
    const existing = await this.repository.upload(input.id);
    if (existing !== undefined) {
      if (existing.requestId !== input.requestId || existing.sha256 !== input.sha256.toLowerCase())
        throw conflict('This upload id is already used for another file', 'body.id');
      return this.status(existing);
    }
    if (!isAcceptedMediaType(input.mediaType))
      throw unsupported('Attach a photo (JPEG, PNG or WebP) or a PDF; this kind of file is not accepted');
    const issues: { field: string; message: string }[] = [];
    if (input.sizeBytes > MAX_FILE_BYTES)
      issues.push({ field: 'body.sizeBytes', message: `A file may be at most ${MAX_FILE_BYTES / (1024 * 1024)} MB` });
    if (!/^[0-9a-fA-F]{64}$/.test(input.sha256))
      issues.push({ field: 'body.sha256', message: 'The SHA-256 digest in hex (64 characters)' });
    if (issues.length > 0) throw invalidFields(issues);
    const session = await this.repository.createUpload(
      {
        id: input.id,
        stateId: request.stateId,
        patientId: request.patientId,
        requestId: request.id,
        kind: input.kind,
        title: input.title?.trim() ?? null,
        mediaType: input.mediaType,
        sizeBytes: input.sizeBytes,
        sha256: input.sha256.toLowerCase(),
        createdBy: actor.principal.userId,
      },
      this.clock.now(),
    );
    return this.status(session);
  }

  /** Where an upload stands: the client resumes from `receivedBytes`. */
  async get(actor: Actor, id: string): Promise<UploadStatus> {
    const session = await this.repository.upload(id);
    if (session?.createdBy !== actor.principal.userId) throw notFound('Upload');
    return this.status(session);
  }

  /**
   * Stores one chunk at `offset`. A chunk already received (resent after a dropped answer) is
   * ignored; one past the end of what arrived is refused with where to resume. The last chunk
   * completes the file.
   */
  async putChunk(actor: Actor, id: string, offset: number, content: Buffer): Promise<UploadStatus> {
    const session = await this.repository.upload(id);
    if (session?.createdBy !== actor.principal.userId) throw notFound('Upload');
    if (session.fileId !== null) return this.status(session);
    if (content.length === 0) throw badRequest('The chunk is empty', 'body');
    if (content.length > MAX_CHUNK_BYTES) throw badRequest(`A chunk may be at most ${MAX_CHUNK_BYTES} bytes`, 'body');
    if (offset + content.length > session.sizeBytes)
      throw badRequest(`The chunk goes past the declared size ${session.sizeBytes}`, 'query.offset');
    if (offset > session.receivedBytes)
      throw conflict(
        `Resume from byte ${session.receivedBytes}; bytes before ${offset} have not arrived`,
        'query.offset',
      );
    const received = await this.repository.appendChunk(id, offset, content, this.clock.now());
    if (received === undefined) throw notFound('Upload');
    const after = { ...session, receivedBytes: received };
    if (received < session.sizeBytes) return this.status(after);
    return this.status(await this.finish(actor, after));
  }

  /** An attachment's bytes, for those who may see the request. */
  async download(actor: Actor, requestId: string, fileId: string): Promise<{ file: StoredFile; content: Buffer }> {
    const request = await this.requests.get(actor, requestId);
    if (!request.attachments.some((a) => a.fileId === fileId)) throw notFound('Attachment');
    const stored = await this.files.get(fileId);
    if (stored === undefined) throw notFound('Attachment');
    return stored;
  }

  private async finish(actor: Actor, session: UploadSessionRow): Promise<UploadSessionRow> {
    const content = await this.repository.chunks(session.id);
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (sha256 !== session.sha256 || content.length !== session.sizeBytes)
      throw conflict('The file that arrived does not match its digest; start the upload again with a new id');
    const actual = sniffMediaType(content);
    if (actual === undefined || actual !== session.mediaType)
      throw unsupported(
        actual === undefined
          ? `This file is not a real ${session.mediaType} file`
          : `This file is ${actual}, not ${session.mediaType}`,
      );
    const { file } = await this.files.put({
      id: session.id,
      stateId: session.stateId,
      patientId: session.patientId,
      title: session.title,
      mediaType: actual,
      content,
      sha256,
      uploadedBy: actor.principal.userId,
    });
    await this.repository.finishUpload(session.id, file.id);
    if (session.requestId !== null)
      await this.repository.attach(session.requestId, file.id, session.kind, this.clock.now());
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, ['spoke_operator']),
      action: 'create',
      resourceType: 'Attachment',
      resourceId: file.id,
      patientId: session.patientId,
      stateId: session.stateId,
      ip: actor.ip,
      detail: { requestId: session.requestId, kind: session.kind, sizeBytes: file.sizeBytes },
    });
    return { ...session, fileId: file.id };
  }

  private async spokeRequest(actor: Actor, requestId: string) {
    const request = await this.repository.find(requestId);
    const spokes = actor.principal.roles.filter((r) => r.role === 'spoke_operator').map((r) => r.facilityId);
    if (request === undefined || !spokes.includes(request.spokeId)) throw notFound('Request');
    if (request.status !== 'draft' && request.status !== 'waiting' && request.status !== 'taken')
      throw conflict(`This request is ${request.status}; attachments can no longer be added`);
    return request;
  }

  private status(session: UploadSessionRow): UploadStatus {
    return { ...session, complete: session.fileId !== null };
  }
}
