import { isGatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import type { UserHome } from './calendar-backend.js';
import { readMultistatus } from './dav-answers.js';
import { propfindBody, XML_CONTENT_TYPE } from './dav-bodies.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALDAV_NS, clark, DAV_NS, propHref, succeeded, type DavResponse } from './multistatus.js';
import { childOf, childrenOf } from './xml-reader.js';
import { resolveHref, withSlash } from './object-urls.js';

/** Principal collections looked into at most (servers name one, sometimes a few). */
const MAX_PRINCIPAL_COLLECTIONS = 4;

async function propfind(http: DavTransport, credentials: BackendCredentials, url: string, depth: '0' | '1', props: string[]): Promise<DavResponse[]> {
  const answer = await http.request(credentials, 'PROPFIND', url, {
    headers: { Depth: depth, 'Content-Type': XML_CONTENT_TYPE },
    body: propfindBody(props),
  });
  return readMultistatus(answer, `PROPFIND ${pathOf(url)}`, credentials);
}

function isPrincipal(response: DavResponse): boolean {
  return childOf(response.props.get(clark(DAV_NS, 'resourcetype')), DAV_NS, 'principal') !== undefined;
}

/**
 * Calendar homes of the other principals the server shows this user, at most `limit`
 * (RFC 3744 §5.8 principal-collection-set, RFC 4791 §6.2.1 calendar-home-set):
 * 1. Depth 0 PROPFIND of the user's principal for DAV:principal-collection-set;
 * 2. Depth 1 PROPFIND of each principal collection (at most 4) for the principals in it: the server
 *    lists only those the user may see (Radicale: those its rights grant `R` or `W` on);
 * 3. Depth 0 PROPFIND of each other principal for its calendar-home-set. A Depth 1 answer is not
 *    trusted for that: Radicale 3.1.8 reports the requested path there, not the principal's home
 *    (docs/caldav-servers.md#visible-homes).
 * Principals whose home cannot be read are left out. Requests: 1 + principal collections (at
 * most 4) + principals asked (at most 2 × limit).
 */
export async function listOtherHomes(http: DavTransport, credentials: BackendCredentials, home: UserHome, limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  const own = withSlash(home.principalUrl);
  const ownHome = withSlash(home.calendarHomeUrl);
  const collections: string[] = [];
  for (const response of await propfind(http, credentials, own, '0', ['D:principal-collection-set'])) {
    for (const href of childrenOf(response.props.get(clark(DAV_NS, 'principal-collection-set')), DAV_NS, 'href')) {
      const text = href.text.trim();
      if (text !== '') collections.push(withSlash(resolveHref(text, own)));
    }
  }
  const principals: string[] = [];
  for (const collection of [...new Set(collections)].slice(0, MAX_PRINCIPAL_COLLECTIONS)) {
    for (const response of await propfind(http, credentials, collection, '1', ['D:resourcetype'])) {
      if (!succeeded(response) || !isPrincipal(response) || response.href === '') continue;
      const url = withSlash(resolveHref(response.href, collection));
      if (url !== own && !principals.includes(url)) principals.push(url);
    }
  }
  const homes: string[] = [];
  // Principals that turn out not to describe a home still cost a request: at most twice the limit.
  for (const principal of principals.slice(0, 2 * limit)) {
    if (homes.length >= limit) break;
    try {
      for (const response of await propfind(http, credentials, principal, '0', ['C:calendar-home-set'])) {
        const href = propHref(response, CALDAV_NS, 'calendar-home-set');
        const url = href === undefined ? undefined : withSlash(resolveHref(href, principal));
        if (url !== undefined && url !== ownHome && !homes.includes(url)) homes.push(url);
      }
    } catch (err) {
      // A principal the server lists but will not describe is simply not a home this user sees.
      if (!isGatewayError(err, 'forbidden') && !isGatewayError(err, 'not-found')) throw err;
    }
  }
  return homes.slice(0, limit);
}
