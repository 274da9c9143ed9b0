import type { AccessEntry, AccessRight } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import type { UserHome } from './calendar-backend.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE, propfindBody } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALDAV_NS, DAV_NS, clark, propHref, succeeded } from './multistatus.js';
import { ownerAndName, resolveHref, withSlash } from './object-urls.js';
import { SupportedPrivileges, type Privilege } from './supported-privileges.js';
import { renderXml, type XmlNode } from './xml-writer.js';

/** The DAV compliance class of servers that accept the ACL method (RFC 3744 §7.2). */
const ACCESS_CONTROL_CLASS = 'access-control';

const dav = (name: string): Privilege => ({ ns: DAV_NS, name });
const caldav = (name: string): Privilege => ({ ns: CALDAV_NS, name });

/** Rights → the privileges that carry them (RFC 3744 §3, RFC 4791 §6.1.1, RFC 6638 §6). */
const PRIVILEGES: Record<AccessRight, Privilege[]> = {
  read: [dav('read')],
  'free-busy': [caldav('read-free-busy')],
  write: [dav('write-content'), dav('bind')],
  delete: [dav('unbind')],
  'write-properties': [dav('write-properties')],
  schedule: [caldav('schedule-deliver'), caldav('schedule-send')],
  administer: [dav('write-acl')],
};

/** ACL preconditions (RFC 3744 §8.1.1): a 403 naming one means the ACL itself was refused. */
const ACL_PRECONDITION = /<(?:[\w-]+:)?(no-ace-conflict|no-protected-ace-conflict|no-inherited-ace-conflict|limited-number-of-aces|deny-before-grant|grant-only|no-invert|no-abstract|not-supported-privilege|missing-required-principal|recognized-principal|allowed-principal)\b/;

/**
 * Replaces a calendar's ACL with `entries` (RFC 3744 §8.1) when the server announces the
 * `access-control` class in its OPTIONS answer. Requests: one OPTIONS; where the class is missing
 * that is all ('unsupported': such servers keep rights elsewhere, Radicale in a rights file, and
 * nothing was changed). Otherwise one Depth 0 PROPFIND of the calendar (DAV:owner and
 * supported-privilege-set) and one ACL request: 'applied'.
 *
 * WCAP does not check a calendar's primary owner against its ACL (docs/wcap-protocol.md#ace-strings),
 * while an RFC 3744 ACL replaces every entry, the owner's included (Cyrus then takes the owner's own
 * read and write rights away). The ACL sent therefore starts with the owner's principal granted
 * DAV:all, and `@@o`/`@@p` entries, which name that owner, add nothing to it.
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

  const described = await http.request(credentials, 'PROPFIND', target, {
    headers: { Depth: '0', 'Content-Type': XML_CONTENT_TYPE },
    body: propfindBody(['D:owner', 'D:supported-privilege-set']),
  });
  if (described.status === 404 || described.status === 410) throw statusError(described, `PROPFIND ${pathOf(target)}`, credentials, { 404: 'no-calendar', 410: 'no-calendar' });
  const response = readMultistatus(described, `PROPFIND ${pathOf(target)}`, credentials).find(succeeded);
  const ownerHref = response ? propHref(response, DAV_NS, 'owner') : undefined;
  const owner = ownerHref === undefined ? principalUrlOf(home, ownerAndName(target).owner) : resolveHref(ownerHref, described.url ?? target);
  const supported = new SupportedPrivileges(response?.props.get(clark(DAV_NS, 'supported-privilege-set')));

  const answer = await http.request(credentials, 'ACL', target, {
    headers: { 'Content-Type': XML_CONTENT_TYPE },
    body: aclBody(entries, { owner, principalOf: (user) => principalUrlOf(home, user), supported }),
  });
  if (answer.status === 200 || answer.status === 204) return 'applied';
  const precondition = answer.status === 403 ? ACL_PRECONDITION.exec(answer.body)?.[1] : undefined;
  if (precondition !== undefined) {
    // e.g. recognized-principal: Cyrus does not know a user named (docs/caldav-servers.md#webdav-acl-on-cyrus).
    throw new GatewayError('invalid', `The CalDAV server refused the ACL (${precondition}, RFC 3744 §8.1.1); nothing was changed`, { status: 403, exchange: answer.exchange });
  }
  throw statusError(answer, `ACL ${pathOf(target)}`, credentials, { 404: 'no-calendar', 400: 'invalid', 409: 'invalid' });
}

/** Whom the ACL names and what the collection supports (see setCalendarAcl). */
export interface AclTargets {
  /** The calendar owner's principal URL. */
  owner: string;
  /** Principal URL of a named user. */
  principalOf: (user: string) => string;
  /** Where given, privileges are sent only as this set allows (SupportedPrivileges.concrete). */
  supported?: SupportedPrivileges;
}

/**
 * The ACL request body: the owner's DAV:all first, then one ACE per entry in the order given (the
 * first matching ACE decides, in WCAP as in RFC 3744 §6). Privileges the collection does not have
 * are left out (Cyrus: scheduling, which RFC 6638 §6 puts on the inbox and outbox); an entry left
 * with none is dropped.
 */
export function aclBody(entries: readonly AccessEntry[], targets: AclTargets): string {
  const namespaces = new Map<string, string>([
    [DAV_NS, 'D'],
    [CALDAV_NS, 'C'],
  ]);
  const qname = (p: Privilege) => {
    if (!namespaces.has(p.ns)) namespaces.set(p.ns, `P${namespaces.size}`);
    return `${namespaces.get(p.ns)}:${p.name}`;
  };
  const concrete = (p: Privilege) => (targets.supported ? targets.supported.concrete(p) : p);
  const ace = (principal: XmlNode, privileges: Privilege[], grant: boolean): XmlNode | undefined => {
    const names = [...new Set(privileges.map(concrete).filter((p): p is Privilege => p !== undefined).map(qname))];
    if (names.length === 0) return undefined;
    return el('D:ace', [el('D:principal', [principal]), el(grant ? 'D:grant' : 'D:deny', names.map((n) => el('D:privilege', [el(n)])))]);
  };
  const href = (url: string) => el('D:href', [new URL(url).pathname]);
  const aces = [ace(href(targets.owner), [dav('all')], true)];
  for (const entry of entries) {
    if (entry.principal.kind === 'owner') continue;
    const principal = entry.principal.kind === 'everyone' ? el('D:all') : href(targets.principalOf(entry.principal.user));
    aces.push(ace(principal, entry.rights.flatMap((right) => PRIVILEGES[right]), entry.grant));
  }
  const body = el('D:acl', aces.filter((a): a is XmlNode => a !== undefined));
  return renderXml(body, Object.fromEntries([...namespaces].map(([ns, prefix]) => [prefix, ns])));
}

const el = (name: string, children: Array<XmlNode | string> = []): XmlNode => ({ name, children });

/**
 * Principal URL of `user`, from the logged-in user's: the same assumption as for calendar homes
 * (object-urls.ts buildCalendarUrl) — principals of one server are siblings named by user.
 */
function principalUrlOf(home: UserHome, user: string): string {
  const own = new URL(withSlash(home.principalUrl));
  return new URL(`../${encodeURIComponent(user)}/`, own).href;
}
