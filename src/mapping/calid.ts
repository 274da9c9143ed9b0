import type { Directory } from './directory.js';

/** A calid resolved to an owner and a collection name. */
export interface CalendarAddress {
  /** The calid exactly as the client sent it (echoed in X-NSCP-CALPROPS-RELATIVE-CALID). */
  calid: string;
  owner: string;
  /** Collection name; the configured default calendar for `user` calids. */
  name: string;
}

const NAME = /^[A-Za-z0-9._@+-]+$/;

/**
 * Parses `user`, `user:name`, `mailto:addr` and hosted `user@domain[:name]`
 * (docs/wcap-protocol.md#calendar-ids).
 * Returns undefined for calids that cannot name a calendar here (callers answer errno 29).
 */
export function parseCalid(calid: string, directory: Directory, defaultCalendar: string): CalendarAddress | undefined {
  const value = calid.trim();
  if (/^mailto:/i.test(value)) {
    const owner = directory.userOfMail(value);
    return owner && isSegment(owner) ? { calid, owner, name: defaultCalendar } : undefined;
  }
  const colon = value.indexOf(':');
  // Hosted-domain ids (`jdoe@example.com`) are kept whole: CalDAV servers commonly use the full
  // address as the user name, and the login name is what the client uses as its calid.
  const owner = colon < 0 ? value : value.slice(0, colon);
  const name = colon < 0 ? defaultCalendar : value.slice(colon + 1);
  if (!isSegment(owner) || !isSegment(name)) return undefined;
  return { calid, owner, name };
}

/** A name usable as one URL path segment: no separators, not `.` or `..`. */
function isSegment(text: string): boolean {
  return NAME.test(text) && !/^\.+$/.test(text);
}
