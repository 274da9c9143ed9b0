import { createHmac } from 'node:crypto';

/** How request log lines name the user (WCAP_LOG_USER). */
export type LogUserMode = 'on' | 'hashed' | 'off';

/** Hex digits kept of the hash: 48 bits tell users apart in any realistic user base. */
const HASH_HEX_DIGITS = 12;

/**
 * The user as the request log writes it: as is (`on`), as a short keyed hash (`hashed`), or not at
 * all (`off`, undefined). The hash is an HMAC-SHA-256 keyed with WCAP_SECRET, so every replica
 * writes the same value for a user — an operator can follow one user across replicas and days, and
 * match it by hashing a name with the secret — while a log reader without the secret cannot try
 * user names against it.
 */
export function logUserFormat(mode: LogUserMode, secret: string): (user: string) => string | undefined {
  if (mode === 'off') return () => undefined;
  if (mode === 'on') return (user) => user;
  return (user) => hashedUser(secret, user);
}

export function hashedUser(secret: string, user: string): string {
  return createHmac('sha256', secret).update(`wcap-log-user\n${user}`, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
}

/**
 * `text` (a CalDAV path, or a message quoting paths) with the path segments that name `user` —
 * Radicale's layout has the user's name in every path — written as `format` writes users (`~`
 * where it leaves them out).
 */
export function maskUser(text: string, user: string, format: (user: string) => string | undefined): string {
  if (user === '') return text;
  const shown = encodeURIComponent(format(user) ?? '~');
  return text
    .split('/')
    .map((segment) => (safeDecode(segment) === user ? shown : segment))
    .join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
