import { createHash } from 'node:crypto';
import { GatewayError } from '../model/errors.js';

/** UIDs that can be used as a resource name unchanged. */
const PLAIN_UID = /^[A-Za-z0-9._@-]{1,200}$/;

/**
 * Resource name (without `.ics`) for a new object: the UID itself when it is plain, otherwise the
 * SHA-256 hex of its UTF-8 bytes, so that odd UIDs (slashes, spaces, non-ASCII, huge) never produce
 * odd URLs. Deterministic: the same UID always maps to the same name.
 */
export function objectName(uid: string): string {
  if (PLAIN_UID.test(uid) && uid !== '.' && uid !== '..') return uid;
  return createHash('sha256').update(uid, 'utf8').digest('hex');
}

/** `<calendarUrl><objectName(uid)>.ics`. */
export function objectUrl(calendarUrl: string, uid: string): string {
  return `${withSlash(calendarUrl)}${objectName(uid)}.ics`;
}

/** Appends '/' when missing. */
export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Absolute form of an href found in an answer to a request sent to `base`. */
export function resolveHref(href: string, base: string): string {
  return new URL(href, base).href;
}

/**
 * Throws GatewayError 'invalid' for names that cannot be one path segment: empty, `.`/`..`
 * (they would climb out of the home), or containing `/`, `\` or control characters (Radicale
 * decodes `%2F` before splitting the path, so an encoded slash would still nest collections).
 */
function checkSegment(kind: string, value: string): void {
  if (value === '' || value === '.' || value === '..' || /[/\\\u0000-\u001F\u007F]/.test(value)) {
    throw new GatewayError('invalid', `unusable ${kind} name ${JSON.stringify(value.slice(0, 40))}`);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Decoded non-empty path segments of an absolute URL. */
export function pathSegments(url: string): string[] {
  return new URL(url).pathname.split('/').filter((s) => s !== '').map(decodeSegment);
}

/**
 * URL of calendar `name` owned by `owner`, given the logged-in user's home.
 * Assumption (Radicale layout, `/<user>/<calendar>/`): a home's last path segment is its user's
 * name, and other users' homes are its siblings. So for the home's own user the result is
 * `<home><name>/`; for anyone else the home's last segment is replaced by `owner`.
 */
export function buildCalendarUrl(homeUrl: string, owner: string, name: string): string {
  checkSegment('owner', owner);
  checkSegment('calendar', name);
  const home = new URL(withSlash(homeUrl));
  const segments = home.pathname.split('/').filter((s) => s !== '');
  const homeUser = segments.length > 0 ? decodeSegment(segments.at(-1)!) : undefined;
  const base = homeUser === undefined || homeUser === owner ? home : new URL(`../${encodeURIComponent(owner)}/`, home);
  return new URL(`${encodeURIComponent(name)}/`, base).href;
}

/** Owner and name of a calendar collection URL (its last two path segments). */
export function ownerAndName(calendarUrl: string): { owner: string; name: string } {
  const segments = pathSegments(calendarUrl);
  return { owner: segments.at(-2) ?? '', name: segments.at(-1) ?? '' };
}
