/**
 * A resumable upload over a link that drops: the file is sent in chunks at byte offsets; after
 * any failure the client asks the server where the upload stands and goes on from there. The
 * server ignores a chunk it already has and checks the whole file's SHA-256 at the end. Browser-
 * safe (fetch and Web Crypto), so the spoke app and the tests use the same code.
 */

export interface ResumableUploadOptions {
  /** e.g. '' in the browser (same origin) or 'http://127.0.0.1:3000'. */
  baseUrl: string;
  id: string;
  requestId: string;
  kind: 'photo' | 'ecg' | 'lab_report' | 'other';
  title?: string;
  mediaType: string;
  content: Uint8Array<ArrayBuffer>;
  /** Extra headers (e.g. a bearer token); the browser sends its cookie by itself. */
  headers?: Record<string, string>;
  chunkBytes?: number;
  /** How many failures in a row before giving up. */
  maxAttempts?: number;
  /** Wait before retrying after a failure, in milliseconds (doubles up to 8 times this). */
  retryDelayMs?: number;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  fetch?: typeof fetch;
}

export interface UploadState {
  id: string;
  receivedBytes: number;
  sizeBytes: number;
  complete: boolean;
  fileId: string | null;
}

export class UploadFailed extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'UploadFailed';
  }
}

export async function sha256Hex(content: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', content);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Uploads the whole file, resuming after every dropped connection; resolves when the server has it all. */
export async function resumableUpload(options: ResumableUploadOptions): Promise<UploadState> {
  const request = options.fetch ?? globalThis.fetch.bind(globalThis);
  const chunkBytes = options.chunkBytes ?? 256 * 1024;
  const maxAttempts = options.maxAttempts ?? 50;
  const baseDelay = options.retryDelayMs ?? 1000;
  const json = { 'content-type': 'application/json', ...options.headers };
  const sha256 = await sha256Hex(options.content);
  let failures = 0;

  const retrying = async (error: unknown): Promise<void> => {
    // Client errors other than a conflict (wrong offset) will not mend by retrying.
    if (error instanceof UploadFailed && error.status !== null && error.status < 500 && error.status !== 409)
      throw error;
    failures += 1;
    if (failures >= maxAttempts) throw error instanceof Error ? error : new Error(String(error));
    await new Promise((resolve) => setTimeout(resolve, Math.min(baseDelay * 2 ** (failures - 1), baseDelay * 8)));
  };
  const answer = async (response: Response): Promise<UploadState> => {
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new UploadFailed(`upload answered ${String(response.status)}: ${text.slice(0, 300)}`, response.status);
    }
    return (await response.json()) as UploadState;
  };

  // Start (or find) the upload; the same id on a retry returns where it stands.
  let state: UploadState | undefined;
  while (state === undefined) {
    try {
      state = await answer(
        await request(`${options.baseUrl}/api/v1/spoke/uploads`, {
          method: 'POST',
          headers: json,
          credentials: 'same-origin',
          body: JSON.stringify({
            id: options.id,
            requestId: options.requestId,
            kind: options.kind,
            ...(options.title === undefined ? {} : { title: options.title }),
            mediaType: options.mediaType,
            sizeBytes: options.content.length,
            sha256,
          }),
        }),
      );
    } catch (error) {
      await retrying(error);
    }
  }

  while (!state.complete) {
    const offset: number = state.receivedBytes;
    const chunk = options.content.subarray(offset, Math.min(offset + chunkBytes, options.content.length));
    try {
      // Every byte arrived but the server is still putting the file together (the last chunk's
      // answer was lost): ask again in a moment rather than send an empty chunk.
      if (chunk.length === 0) throw new UploadFailed('the server is still completing the file', null);
      state = await answer(
        await request(`${options.baseUrl}/api/v1/spoke/uploads/${options.id}/chunks?offset=${String(offset)}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream', ...options.headers },
          credentials: 'same-origin',
          body: chunk,
        }),
      );
      failures = 0;
      options.onProgress?.(state.receivedBytes, options.content.length);
    } catch (error) {
      await retrying(error);
      // The answer may have been lost after the chunk arrived: ask where the upload stands.
      try {
        state = await answer(
          await request(`${options.baseUrl}/api/v1/spoke/uploads/${options.id}`, {
            headers: options.headers ?? {},
            credentials: 'same-origin',
          }),
        );
      } catch (statusError) {
        await retrying(statusError);
      }
    }
  }
  return state;
}
