import { GatewayError, isGatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import type { UserHome } from './calendar-backend.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE, propfindBody } from './dav-bodies.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALDAV_NS, DAV_NS, propHref, succeeded } from './multistatus.js';
import { resolveHref, withSlash } from './object-urls.js';

/**
 * Finds a user's calendar home from the server's own answers (RFC 4791 §6.2.1, RFC 5397, RFC 6638
 * §9.2), never from a path layout (docs/caldav-servers.md#discovery):
 * 1. current-user-principal, asked of the configured URL (the server root, the DAV root, or
 *    `/.well-known/caldav`, whose redirect the transport follows); when that URL has none, of the
 *    origin's `/.well-known/caldav` (RFC 6764);
 * 2. calendar-home-set and schedule-inbox-URL of the principal, in one PROPFIND;
 * 3. when the server schedules, schedule-default-calendar-URL of the inbox: the calendar the
 *    server itself delivers invitations to (Cyrus: `Default`).
 * Requests: 2 on a server without scheduling (Radicale, Xandikos), 3 with it (Cyrus), one more
 * when the configured URL has no current-user-principal.
 */
export async function discoverHome(http: DavTransport, serverUrl: string, credentials: BackendCredentials): Promise<UserHome> {
  const principalUrl = await findPrincipal(http, serverUrl, credentials);
  const found = await hrefsOf(http, credentials, principalUrl, ['C:calendar-home-set', 'C:schedule-inbox-URL']);
  const homeHref = found.get('calendar-home-set');
  if (homeHref === undefined) {
    throw new GatewayError('backend', `CalDAV PROPFIND ${pathOf(principalUrl)}: server reported no calendar-home-set`);
  }
  const home: UserHome = { principalUrl, calendarHomeUrl: withSlash(resolveHref(homeHref, principalUrl)), user: credentials.user };
  const inboxHref = found.get('schedule-inbox-URL');
  if (inboxHref !== undefined) {
    const inboxUrl = resolveHref(inboxHref, principalUrl);
    const inbox = await hrefsOf(http, credentials, inboxUrl, ['C:schedule-default-calendar-URL']).catch((err: unknown) => {
      // An inbox the user cannot read leaves the gateway's own default calendar; credentials
      // were accepted two requests ago, so anything else is a real failure.
      if (isGatewayError(err, 'forbidden') || isGatewayError(err, 'not-found')) return new Map<string, string>();
      throw err;
    });
    const defaultHref = inbox.get('schedule-default-calendar-URL');
    if (defaultHref !== undefined) home.defaultCalendarUrl = withSlash(resolveHref(defaultHref, inboxUrl));
  }
  return home;
}

async function findPrincipal(http: DavTransport, serverUrl: string, credentials: BackendCredentials): Promise<string> {
  const wellKnown = new URL('/.well-known/caldav', serverUrl).href;
  const tried = [serverUrl, ...(pathOf(serverUrl).replace(/\/$/, '') === '/.well-known/caldav' ? [] : [wellKnown])];
  let failure: unknown;
  for (const url of tried) {
    try {
      const href = (await hrefsOf(http, credentials, url, ['D:current-user-principal'])).get('current-user-principal');
      if (href !== undefined) return resolveHref(href, url);
      failure ??= new GatewayError('backend', `CalDAV PROPFIND ${pathOf(url)}: server reported no current-user-principal`);
    } catch (err) {
      // Refused credentials and an unreachable server end the search; an odd answer of the
      // configured URL (404, 405, no multistatus) leaves the well-known URL to try.
      if (isGatewayError(err, 'unauthorized') || isGatewayError(err, 'unavailable')) throw err;
      failure ??= err;
    }
  }
  throw failure;
}

/** Depth 0 PROPFIND of href-valued properties; the found ones by local name. */
async function hrefsOf(http: DavTransport, credentials: BackendCredentials, url: string, props: string[]): Promise<Map<string, string>> {
  const answer = await http.request(credentials, 'PROPFIND', url, {
    headers: { Depth: '0', 'Content-Type': XML_CONTENT_TYPE },
    body: propfindBody(props),
  });
  const found = new Map<string, string>();
  for (const response of readMultistatus(answer, `PROPFIND ${pathOf(url)}`, credentials).filter(succeeded)) {
    for (const prop of props) {
      const [prefix, name] = prop.split(':') as [string, string];
      const href = propHref(response, prefix === 'D' ? DAV_NS : CALDAV_NS, name);
      if (href !== undefined && !found.has(name)) found.set(name, href);
    }
  }
  return found;
}
