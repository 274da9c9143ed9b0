import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

/**
 * Authenticated encryption of small strings (the CalDAV password a session replays).
 *
 * Algorithm: AES-256-GCM, random 96-bit IV per message, 128-bit tag.
 * Key: scrypt(secret, SALT, 32 bytes, N=2^15, r=8, p=1). scrypt rather than a plain HKDF because
 * the configured `WCAP_SECRET` may be a human-chosen phrase, and a Redis dump must not make it
 * cheap to guess. The salt is fixed and public on purpose: every replica must derive the same key
 * from the same secret without sharing any other state; it only separates this use of the secret
 * from any other use.
 *
 * Sealed format (one base64url string, no padding):
 *   byte 0       format version (1)
 *   bytes 1-12   IV
 *   bytes 13-28  GCM tag
 *   bytes 29-    ciphertext (UTF-8 plaintext, same length)
 * The version byte and the caller's optional `context` are authenticated as associated data, so
 * neither a downgraded version nor a ciphertext moved to another context decrypts.
 */

/** Fixed scrypt salt: versioned so that a future key schedule can coexist. */
const SALT = 'wcap-gateway/secret-box/v1';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
/** Minimum secret length accepted; shorter secrets are refused at construction. */
export const MIN_SECRET_LENGTH = 16;

/** Thrown by {@link SecretBox.open} when data was tampered with, truncated, or sealed with another key. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export class SecretBox {
  readonly #key: Buffer;
  /** The sealing key first, then the keys of the other accepted secrets. */
  readonly #openingKeys: Buffer[];

  /**
   * @param secret at least {@link MIN_SECRET_LENGTH} characters; the same secret on every replica
   *   that shares a store. Derivation costs a few tens of milliseconds: build one box per process.
   * @param alsoAccepted secrets whose sealed values {@link open} still accepts, while {@link seal}
   *   uses only `secret`: a rotation changes the secret without logging anybody out (README,
   *   Rotating WCAP_SECRET).
   * @throws Error when a secret is shorter than {@link MIN_SECRET_LENGTH}.
   */
  constructor(secret: string, alsoAccepted: readonly string[] = []) {
    this.#key = deriveKey(secret);
    this.#openingKeys = [this.#key, ...alsoAccepted.map(deriveKey)];
  }

  /**
   * Encrypts `plaintext`. Two calls with the same input give different outputs (random IV).
   * @param context optional associated data (for example the key the value is stored under); the
   *   same string must be passed to {@link open}.
   * @returns a base64url string (alphabet [A-Za-z0-9_-]).
   */
  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(VERSION, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /**
   * Decrypts the output of {@link seal}.
   * @throws SecretBoxError when the input is malformed, was modified, was sealed with another
   *   secret, or was sealed with another `context`.
   */
  open(sealed: string, context = ''): string {
    const bytes = Buffer.from(sealed, 'base64url');
    // Buffer.from silently skips characters outside the alphabet; re-encoding catches that.
    if (bytes.length < HEADER_BYTES || bytes.toString('base64url') !== sealed) {
      throw new SecretBoxError('secret-box: malformed sealed value');
    }
    const version = bytes[0]!;
    if (version !== VERSION) throw new SecretBoxError(`secret-box: unknown format version ${version}`);
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES);
    for (const key of this.#openingKeys) {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(version, context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // Another key may have sealed it.
      }
    }
    throw new SecretBoxError('secret-box: authentication failed (tampered data or another key)');
  }
}

function deriveKey(secret: string): Buffer {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`secret-box: the secret must have at least ${MIN_SECRET_LENGTH} characters`);
  }
  // 128 * N * r bytes = 32 MiB; maxmem must be above that (Node's default is exactly 32 MiB).
  return scryptSync(secret, SALT, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

/**
 * A random secret for a process started without `WCAP_SECRET`. Sessions sealed with it cannot be
 * opened by another process or after a restart, so it only suits a single replica with a memory
 * store (or accepting that every restart logs everybody out).
 */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

function associatedData(version: number, context: string): Buffer {
  return Buffer.concat([Buffer.from([version]), Buffer.from(context, 'utf8')]);
}
