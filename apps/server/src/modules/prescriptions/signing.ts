import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * Doctors' signing keys: Ed25519 pairs whose private half is stored encrypted with AES-256-GCM
 * under a key derived (HKDF-SHA256) from the deployment's SECRET_KEY. The ciphertext is bound to
 * its key id and practitioner (additional authenticated data), so a row copied onto another
 * doctor does not decrypt. Public keys are parsed once and kept in memory, by their bytes.
 */

export interface StoredKey {
  id: string;
  practitionerId: string;
  publicKey: string;
  privateKeyEncrypted: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PrescriptionSigner {
  private readonly wrappingKey: Buffer;
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(secretKey: string) {
    this.wrappingKey = Buffer.from(
      hkdfSync('sha256', secretKey, 'sanjog', 'prescription signing keys v1 (AES-256-GCM)', 32),
    );
  }

  /** A new key pair for a practitioner, with the private key encrypted for storage. */
  newKey(id: string, practitionerId: string): StoredKey {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.wrappingKey, iv);
    cipher.setAAD(Buffer.from(`${id}:${practitionerId}`));
    const ciphertext = Buffer.concat([
      cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })),
      cipher.final(),
    ]);
    return {
      id,
      practitionerId,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      privateKeyEncrypted: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64'),
    };
  }

  /** Signs with a stored key: decrypted for this one signature and not kept. */
  sign(key: StoredKey, message: string): string {
    const sealed = Buffer.from(key.privateKeyEncrypted, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.wrappingKey, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${key.id}:${key.practitionerId}`));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const der = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    der.fill(0);
    return sign(null, Buffer.from(message), privateKey).toString('base64url');
  }

  /** Whether `signature` is this key's signature of `message`. Never throws on bad input. */
  verify(publicKey: string, message: string, signature: string): boolean {
    const bytes = Buffer.from(signature, 'base64url');
    if (bytes.length !== 64) return false;
    try {
      let key = this.publicKeys.get(publicKey);
      if (key === undefined) {
        key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
        this.publicKeys.set(publicKey, key);
      }
      return verify(null, Buffer.from(message), key, bytes);
    } catch {
      return false;
    }
  }
}
