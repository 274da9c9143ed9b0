import { GatewayError, type GatewayErrorKind, type UpstreamExchange } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';

/** Longest piece of a server answer quoted in an error message. */
const EXCERPT_CHARS = 160;

/** The Basic token for `credentials`, as it appears in an Authorization header. */
export function basicToken(credentials: BackendCredentials): string {
  return Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64');
}

/**
 * Removes the password and the Basic token from `text`. Servers do not normally echo them, but
 * error messages end up in logs and WCAP answers, so nothing that could carry them leaves unfiltered.
 */
export function redact(text: string, credentials: BackendCredentials): string {
  let out = text;
  for (const secret of [basicToken(credentials), credentials.password]) {
    if (secret !== '') out = out.split(secret).join('***');
  }
  return out;
}

/** A short, single-line, secret-free quote of a server answer (markup removed). */
export function excerpt(body: string, credentials: BackendCredentials): string {
  // Redact before cutting, so that a cut cannot leave half a secret behind.
  const plain = redact(body, credentials)
    .replace(/<\?[^>]*\?>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > EXCERPT_CHARS ? `${plain.slice(0, EXCERPT_CHARS)}…` : plain;
}

/** What every caller does with an HTTP status that is not one of its expected ones. */
function defaultKind(status: number): GatewayErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not-found';
  return 'backend';
}

/**
 * Turns an unexpected status into a GatewayError. `kinds` overrides the default kind per status
 * (e.g. 412 → 'changed' for an update). The message names the request and quotes the answer.
 */
export function statusError(
  answer: { status: number; body: string; exchange?: UpstreamExchange },
  action: string,
  credentials: BackendCredentials,
  kinds: Partial<Record<number, GatewayErrorKind>> = {},
): GatewayError {
  const kind = (answer.status === 403 ? preconditionKind(answer.body) : undefined) ?? kinds[answer.status] ?? defaultKind(answer.status);
  const quote = excerpt(answer.body, credentials);
  const message =
    answer.status === 401
      ? `CalDAV server rejected the credentials (${action})`
      : `CalDAV ${action} answered HTTP ${answer.status}${quote === '' ? '' : `: ${quote}`}`;
  return new GatewayError(kind, message, { status: answer.status, exchange: answer.exchange });
}

/**
 * Preconditions a 403 may name in its DAV:error body (RFC 4918 §16, RFC 4791 §5.3.2.1, §5.3.1.1,
 * RFC 6638 §3.2.4.1):
 * Cyrus answers refused data, a UID taken by another resource and an existing collection with 403
 * and one of these, where Radicale uses 400/409.
 */
const PRECONDITION_KINDS: Array<[RegExp, GatewayErrorKind]> = [
  [/<(?:[\w-]+:)?(?:valid-calendar-data|valid-calendar-object-resource|supported-calendar-data|supported-calendar-component|max-resource-size|min-date-time|max-date-time|max-instances|max-attendees-per-instance)\b/, 'invalid'],
  [/<(?:[\w-]+:)?(?:no-uid-conflict|unique-scheduling-object-resource|resource-must-be-null)\b/, 'exists'],
];

function preconditionKind(body: string): GatewayErrorKind | undefined {
  if (!/<(?:[\w-]+:)?error\b/.test(body)) return undefined;
  return PRECONDITION_KINDS.find(([pattern]) => pattern.test(body))?.[1];
}

/** The answer had the right status but could not be understood. */
export function unreadableAnswer(action: string, detail: string, credentials: BackendCredentials, exchange?: UpstreamExchange): GatewayError {
  return new GatewayError('backend', `CalDAV ${action}: unreadable answer (${redact(detail, credentials)})`, { exchange });
}
