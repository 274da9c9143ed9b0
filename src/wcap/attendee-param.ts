import type { AttendeeInput } from '../model/item-changes.js';
import { decoded } from './params.js';
import type { RawValue } from './raw-params.js';
import { WcapError } from './wcap-error.js';

const KNOWN_PARAMS = new Set([
  'RSVP', 'PARTSTAT', 'ROLE', 'CN', 'CUTYPE', 'MEMBER', 'DELEGATED-TO', 'DELEGATED-FROM', 'SENT-BY', 'DIR',
  'LANGUAGE', 'SENT-STATUS',
]);

/**
 * Parses `attendees` (wcap-protocol.md §3.6, lightning-client.md §6.4): split the raw value on
 * `;`, each attendee on `^`, each token on its first `=`, and only then percent-decode, so an
 * encoded `^` or `;` inside a CN survives. The token that is not a `NAME=value` parameter is the
 * address. An attendee without address → errno 60 (BAD_ARGUMENTS).
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
      const piece = (text: string) => decoded({ text, encoded: raw.encoded }, name, failsWith);
      const eq = token.indexOf('=');
      const key = eq > 0 ? piece(token.slice(0, eq)).toUpperCase() : '';
      if (eq > 0 && (KNOWN_PARAMS.has(key) || key.startsWith('X-'))) {
        params[key] = piece(token.slice(eq + 1));
      } else if (token !== '') {
        address = piece(token).trim();
      }
    }
    if (!address) throw new WcapError(60, `Invalid value for parameter ${name}: an attendee has no address`);
    attendees.push({ address, params });
  }
  return attendees;
}
