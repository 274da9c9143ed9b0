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
 * For the home's own user: `<home><name>/`. Another user's home is the same URL with the path
 * segment that carries the logged-in user's name (`homeUser`, the last such segment) replaced by
 * `owner`: Radicale `/<user>/`, Cyrus `/dav/calendars/user/<user>/`, DAViCal `/caldav.php/<user>/`.
 * A home that carries no user name (Xandikos: `/user/calendars/` for everyone) has no other users'
 * homes: GatewayError 'no-calendar'. Without `homeUser` (sessions from before discovery recorded
 * it) the home's last segment is taken to be the user's name.
 */
export function buildCalendarUrl(homeUrl: string, owner: string, name: string, homeUser?: string): string {
  checkSegment('owner', owner);
  checkSegment('calendar', name);
  const home = new URL(withSlash(homeUrl));
  const segments = home.pathname.split('/').filter((s) => s !== '');
  const decoded = segments.map(decodeSegment);
  const user = homeUser ?? decoded.at(-1);
  if (user === owner) return new URL(`${encodeURIComponent(name)}/`, home).href;
  const index = user === undefined ? -1 : decoded.lastIndexOf(user);
  if (index < 0) throw new GatewayError('no-calendar', "The server's calendar homes do not name their users; other users' calendars cannot be addressed");
  const path = segments.map((s, i) => (i === index ? encodeURIComponent(owner) : s));
  return new URL(`/${path.join('/')}/${encodeURIComponent(name)}/`, home).href;
}

/** Owner and name of a calendar collection URL (its last two path segments). */
export function ownerAndName(calendarUrl: string): { owner: string; name: string } {
  const segments = pathSegments(calendarUrl);
  return { owner: segments.at(-2) ?? '', name: segments.at(-1) ?? '' };
}
