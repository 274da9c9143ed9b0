import type { AttendeeInput } from '../model/item-changes.js';
import { decoded } from './params.js';
import type { RawValue } from './raw-params.js';
import { Errno } from './errno.js';
import { WcapError } from './wcap-error.js';

const KNOWN_PARAMS = new Set([
  'RSVP', 'PARTSTAT', 'ROLE', 'CN', 'CUTYPE', 'MEMBER', 'DELEGATED-TO', 'DELEGATED-FROM', 'SENT-BY', 'DIR',
  'LANGUAGE', 'SENT-STATUS',
]);

/** mailto: URI, bare mail address, or calid (`user`, `user:calendar`). */
const ADDRESS = /^(?:mailto:)?[^\s@<>"]+@[^\s@<>"]+$|^[A-Za-z0-9._+-]+(?::[A-Za-z0-9._+-]+)?$/i;

export function isCalendarAddress(text: string): boolean {
  return ADDRESS.test(text);
}

function splitDecoded(text: string): [string | undefined, string | undefined] {
  const eq = text.indexOf('=');
  return eq > 0 ? [text.slice(0, eq), text.slice(eq + 1)] : [undefined, undefined];
}

/**
 * Parses `attendees` (docs/wcap-protocol.md#attendee-syntax, docs/lightning.md#attendee-encoding):
 * split the raw value on `;`, each attendee on `^`, each token on its first `=`, and only then
 * percent-decode, so an encoded `^` or `;` inside a CN survives. The token that is not a
 * `NAME=value` parameter is the address. An attendee without address → errno 60 (BAD_ARGUMENTS).
 */
export function parseAttendees(raw: RawValue, name: string, failsWith: number): AttendeeInput[] {
  // Some clients encode the separators too (`%5E`, `%3B`); then the only structure is inside the
  // encoding, so decode once and parse the result as unencoded text.
  if (raw.encoded && !/[\^;]/.test(raw.text) && /%5E/i.test(raw.text)) {
    return parseAttendees({ text: decoded(raw, name, failsWith), encoded: false }, name, failsWith);
  }
  const attendees: AttendeeInput[] = [];
  for (const entry of raw.text.split(';')) {
    if (entry.trim() === '') continue;
    const params: Record<string, string> = {};
    let address: string | undefined;
    for (const token of entry.split('^')) {
      if (token === '') continue;
      const piece = (text: string) => decoded({ text, encoded: raw.encoded }, name, failsWith);
      // The `=` may arrive raw (Lightning) or encoded as %3D (clients that encode everything).
      const eq = token.indexOf('=');
      const [key, value] = eq > 0 ? [piece(token.slice(0, eq)), token.slice(eq + 1)] : splitDecoded(piece(token));
      const upper = key?.toUpperCase() ?? '';
      if (key !== undefined && (KNOWN_PARAMS.has(upper) || upper.startsWith('X-'))) {
        params[upper] = eq > 0 ? piece(value ?? '') : (value ?? '');
      } else {
        address = piece(token).trim();
      }
    }
    if (!address || !ADDRESS.test(address)) {
      throw new WcapError(Errno.BAD_ARGUMENTS, `Invalid value for parameter ${name}: an attendee has no valid address`);
    }
    attendees.push({ address, params });
  }
  return attendees;
}
