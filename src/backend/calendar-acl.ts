import type { AccessEntry, AccessRight } from '../model/calendar.js';
import type { BackendCredentials } from '../model/session.js';
import type { UserHome } from './calendar-backend.js';
import { XML_CONTENT_TYPE } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALDAV_NS, DAV_NS } from './multistatus.js';
import { withSlash } from './object-urls.js';
import { renderXml, type XmlNode } from './xml-writer.js';

/** The DAV compliance class of servers that accept the ACL method (RFC 3744 §7.2). */
const ACCESS_CONTROL_CLASS = 'access-control';

/** Rights → the privileges that carry them (RFC 3744 §3, RFC 4791 §6.1.1, RFC 6638 §6). */
const PRIVILEGES: Record<AccessRight, string[]> = {
  read: ['D:read'],
  'free-busy': ['C:read-free-busy'],
  write: ['D:write-content', 'D:bind'],
  delete: ['D:unbind'],
  'write-properties': ['D:write-properties'],
  schedule: ['C:schedule-deliver', 'C:schedule-send'],
  administer: ['D:write-acl'],
};

const el = (name: string, children: Array<XmlNode | string> = []): XmlNode => ({ name, children });

/**
 * Replaces a calendar's ACL with `entries` (RFC 3744 §8.1) when the server announces the
 * `access-control` class in its OPTIONS answer: 'applied' then, after one OPTIONS and one ACL
 * request. 'unsupported' after the OPTIONS alone otherwise: such servers keep rights elsewhere
 * (Radicale: a rights file), and nothing was changed.
 */
export async function setCalendarAcl(
  http: DavTransport,
  credentials: BackendCredentials,
  home: UserHome,
  url: string,
  entries: readonly AccessEntry[],
): Promise<'applied' | 'unsupported'> {
  const target = withSlash(url);
  const options = await http.request(credentials, 'OPTIONS', target);
  if (options.status >= 300) throw statusError(options, `OPTIONS ${pathOf(target)}`, credentials, { 404: 'no-calendar' });
  const classes = (options.headers.get('dav') ?? '').split(',').map((c) => c.trim().toLowerCase());
  if (!classes.includes(ACCESS_CONTROL_CLASS)) return 'unsupported';
  const answer = await http.request(credentials, 'ACL', target, {
    headers: { 'Content-Type': XML_CONTENT_TYPE },
    body: aclBody(entries, (user) => principalUrlOf(home, user)),
  });
  if (answer.status !== 200 && answer.status !== 204) {
    throw statusError(answer, `ACL ${pathOf(target)}`, credentials, { 404: 'no-calendar', 400: 'invalid', 409: 'invalid' });
  }
  return 'applied';
}

/** The ACL request body for `entries`, principals of named users given as hrefs by `principalOf`. */
export function aclBody(entries: readonly AccessEntry[], principalOf: (user: string) => string): string {
  const aces = entries.map((entry) => {
    const principal =
      entry.principal.kind === 'everyone'
        ? el('D:all')
        : entry.principal.kind === 'owner'
          ? el('D:property', [el('D:owner')])
          : el('D:href', [new URL(principalOf(entry.principal.user)).pathname]);
    const privileges = [...new Set(entry.rights.flatMap((right) => PRIVILEGES[right]))].map((p) => el('D:privilege', [el(p)]));
    return el('D:ace', [el('D:principal', [principal]), el(entry.grant ? 'D:grant' : 'D:deny', privileges)]);
  });
  return renderXml(el('D:acl', aces), { D: DAV_NS, C: CALDAV_NS });
}

/**
 * Principal URL of `user`, from the logged-in user's: the same assumption as for calendar homes
 * (object-urls.ts buildCalendarUrl) — principals of one server are siblings named by user.
 */
function principalUrlOf(home: UserHome, user: string): string {
  const own = new URL(withSlash(home.principalUrl));
  return new URL(`../${encodeURIComponent(user)}/`, own).href;
}
