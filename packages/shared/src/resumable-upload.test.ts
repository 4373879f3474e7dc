import { describe, expect, it } from 'vitest';
import { resumableUpload, type UploadState } from './resumable-upload.js';

describe('resumableUpload', () => {
  it('waits for the server to finish a file whose bytes have all arrived, and never sends an empty chunk', async () => {
    const content = new Uint8Array([1, 2, 3, 4]);
    const calls: string[] = [];
    let polls = 0;
    const state = (complete: boolean): UploadState => ({
      id: 'u1',
      receivedBytes: 4,
      sizeBytes: 4,
      complete,
      fileId: complete ? 'u1' : null,
    });
    const fakeFetch: typeof fetch = (input, init) => {
      const method = init?.method ?? 'GET';
      calls.push(method);
      // The last chunk's answer was lost: the server has every byte and is still completing.
      const body = method === 'POST' ? state(false) : state((polls += 1) >= 2);
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
    };
    const result = await resumableUpload({
      baseUrl: 'http://upload.test',
      id: 'u1',
      requestId: 'r1',
      kind: 'ecg',
      mediaType: 'application/pdf',
      content,
      retryDelayMs: 1,
      fetch: fakeFetch,
    });
    expect(result.complete).toBe(true);
    expect(calls).not.toContain('PUT');
    expect(calls.filter((method) => method === 'GET').length).toBeGreaterThanOrEqual(2);
  });
});
