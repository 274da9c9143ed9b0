import { createHash, randomBytes } from 'node:crypto';

/**
 * WCAP session ids.
 *
 * Alphabet [A-Za-z0-9] only: Lightning puts the id into URLs without encoding
 * (docs/lightning.md#value-encoding), OpenSync extracts it with the regex `WCAP-SESSION-ID:(\w+)`
 * and WCap'Cal rejects ids containing `%` (docs/wcap-protocol.md#other-wcap-clients), so
 * base64url's `-` is out and `_` is avoided too. 32 base62 characters carry 32 × log2(62) ≈ 190
 * bits, above the 128 bits OWASP recommends for session ids (docs/wcap-protocol.md#session-ids).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Length of every id {@link newSessionId} returns. */
export const SESSION_ID_LENGTH = 32;
/**
 * Bytes at or above this value are discarded: 248 = 4 × 62, so `byte % 62` over the kept bytes is
 * uniform (no modulo bias).
 */
const REJECT_FROM = 248;
const SESSION_ID_PATTERN = /^[A-Za-z0-9]{32}$/;

/** A fresh session id: {@link SESSION_ID_LENGTH} characters of [A-Za-z0-9] from the OS CSPRNG. */
export function newSessionId(): string {
  let id = '';
  while (id.length < SESSION_ID_LENGTH) {
    // 40 bytes yield 32 usable ones with overwhelming probability; the loop covers the rest.
    for (const byte of randomBytes(40)) {
      if (byte >= REJECT_FROM) continue;
      id += ALPHABET[byte % ALPHABET.length];
      if (id.length === SESSION_ID_LENGTH) break;
    }
  }
  return id;
}

/**
 * Cheap syntactic check, so that garbage from a URL is answered "unknown session" without a store
 * round trip. True only for strings of the shape {@link newSessionId} produces.
 */
export function looksLikeSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

/**
 * SHA-256 of the id, lowercase hex. Stores key sessions by this hash only, so a leaked store dump
 * (or a Redis `KEYS`/`MONITOR`) does not hand out live session ids. A plain hash is enough: the id
 * has ≥128 bits of entropy, so there is nothing to brute-force.
 */
export function sessionKeyHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}
