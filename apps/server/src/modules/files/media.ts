/**
 * The kinds of file patients may upload, recognised by their first bytes: the declared
 * Content-Type alone is the sender's claim, and a browser that trusted it could be made to run
 * an HTML or SVG page from our origin. Anything else (HTML, SVG, scripts, archives) is refused.
 */
export const ACCEPTED_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;

export type AcceptedMediaType = (typeof ACCEPTED_MEDIA_TYPES)[number];

export function isAcceptedMediaType(value: string): value is AcceptedMediaType {
  return (ACCEPTED_MEDIA_TYPES as readonly string[]).includes(value);
}

const startsWith = (content: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  content.length >= offset + signature.length && signature.every((byte, index) => content[offset + index] === byte);

const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
// PDF readers tolerate junk before the header; we do not, so that a file cannot be both a
// PDF and something else that a browser would sniff from its start.
const PDF = ascii('%PDF-');

/** The accepted type the content really is, by its magic bytes; undefined for anything else. */
export function sniffMediaType(content: Uint8Array): AcceptedMediaType | undefined {
  if (startsWith(content, PNG)) return 'image/png';
  if (startsWith(content, JPEG)) return 'image/jpeg';
  if (startsWith(content, RIFF) && startsWith(content, WEBP, 8)) return 'image/webp';
  if (startsWith(content, PDF)) return 'application/pdf';
  return undefined;
}

/** `image/PNG; charset=x` → `image/png`. */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The usual file name extension of an accepted type. */
export function extensionOf(mediaType: AcceptedMediaType): string {
  switch (mediaType) {
    case 'image/jpeg':
      return 'jpg';
    case 'image/png':
      return 'png';
    case 'image/webp':
      return 'webp';
    case 'application/pdf':
      return 'pdf';
  }
}
