import type { StoredObject } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import type { SyncChanges } from './calendar-backend.js';
import { readMultistatusDocument, readObjects } from './dav-answers.js';
import { XML_CONTENT_TYPE } from './dav-bodies.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALDAV_NS, DAV_NS, clark, type DavResponse } from './multistatus.js';
import { resolveHref, withSlash } from './object-urls.js';
import type { ServerCapabilities } from './server-capabilities.js';
import { renderXml } from './xml-writer.js';

/** Rounds of a truncated (507) sync-collection answer followed before giving up. */
const MAX_ROUNDS = 50;

/** Fetches ETag and data of objects by URL (a calendar-multiget); missing ones are left out. */
export type ObjectFetcher = (urls: string[]) => Promise<StoredObject[]>;

/**
 * RFC 6578 sync-collection for CalendarBackend.syncChanges, asking for ETag and data of every
 * changed member. Measured on Radicale 3.1.8 (1,000 / 5,000 items of ~400 bytes): initial sync
 * 138 / 1,080 ms; with a current token and no change 46 / 291 ms. Two server behaviours are
 * handled (docs/caldav-servers.md#sync-collection):
 * - a truncated answer (RFC 6578 §3.6: a 507 entry for the collection itself) is continued with
 *   the token it carries until the answer is complete;
 * - members reported without calendar-data (Xandikos 0.2.8 answers it with a 404 propstat) are
 *   fetched with `fetchObjects`; a member that has vanished by then counts as deleted. Once a
 *   server has answered so, later syncs ask it for ETags only (ServerCapabilities).
 * A refused initial sync is explained once by the calendar's supported-report-set: a server that
 * does not offer sync-collection gets a message saying so.
 */
export async function syncCollection(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  token: string | undefined,
  fetchObjects: ObjectFetcher,
  capabilities: ServerCapabilities,
): Promise<SyncChanges> {
  const target = withSlash(calendarUrl);
  const changed = new Map<string, StoredObject>();
  const withoutData = new Set<string>();
  const deleted = new Set<string>();
  let current = token;
  for (let round = 0; ; round++) {
    const { responses, next } = await syncRound(http, credentials, target, current, capabilities);
    let truncated = false;
    for (const response of responses) {
      const url = response.href === '' ? target : resolveHref(response.href, target);
      if (url === target) {
        truncated ||= response.status === 507;
        continue;
      }
      if (response.status === 404 || response.status === 410) {
        deleted.add(url);
        changed.delete(url);
        withoutData.delete(url);
        continue;
      }
      deleted.delete(url);
      const [object] = readObjects([response], target);
      if (object) {
        capabilities.learnSyncData(true);
        changed.set(url, object);
        withoutData.delete(url);
      } else if (isMember(response)) {
        if (response.failedProps.has(clark(CALDAV_NS, 'calendar-data'))) capabilities.learnSyncData(false);
        withoutData.add(url);
      }
    }
    current = next;
    if (!truncated) break;
    if (round + 1 >= MAX_ROUNDS) {
      throw new GatewayError('backend', `CalDAV REPORT sync-collection ${pathOf(target)} stayed truncated after ${MAX_ROUNDS} rounds`);
    }
  }
  if (withoutData.size > 0) {
    const fetched = await fetchObjects([...withoutData]);
    const found = new Set(fetched.map((o) => o.url));
    for (const object of fetched) changed.set(object.url, object);
    // Changed and then deleted before the multiget: gone (unless this is an initial listing).
    for (const url of withoutData) if (!found.has(url) && token !== undefined) deleted.add(url);
  }
  return { token: current, changed: [...changed.values()], deleted: [...deleted] };
}

async function syncRound(
  http: DavTransport,
  credentials: BackendCredentials,
  target: string,
  token: string | undefined,
  capabilities: ServerCapabilities,
): Promise<{ responses: DavResponse[]; next: string }> {
  const action = `REPORT sync-collection ${pathOf(target)}`;
  const answer = await http.request(credentials, 'REPORT', target, {
    // RFC 6578 §3.2: the report is defined for Depth 0 only.
    headers: { Depth: '0', 'Content-Type': XML_CONTENT_TYPE },
    body: syncCollectionBody(token, capabilities.syncAsksForData()),
  });
  if (token === undefined && REFUSED_REPORT.has(answer.status) && (await capabilities.offersSync(credentials, target)) === false) {
    throw new GatewayError('backend', `CalDAV ${action}: the server does not offer sync-collection (RFC 6578), which change lists need`, {
      status: answer.status,
      exchange: answer.exchange,
    });
  }
  if (answer.status !== 207 && token !== undefined && answer.status !== 401) {
    // RFC 6578 §3.2 says 403 <valid-sync-token/>; Radicale 3.1.8 does that for unknown and pruned
    // tokens, other servers answer 409 or 410, Xandikos 0.2.8 even 500. Whatever the reason, the
    // way on is a fresh initial sync, which reports a real failure (404, 403) by itself.
    throw new GatewayError('changed', `CalDAV ${action} refused the sync token (HTTP ${answer.status})`, {
      status: answer.status,
      exchange: answer.exchange,
    });
  }
  const { responses, syncToken: next } = readMultistatusDocument(answer, action, credentials);
  if (!next) throw new GatewayError('backend', `CalDAV ${action}: the answer carries no sync-token`, { exchange: answer.exchange });
  return { responses, next };
}

/** Statuses with which a server may refuse a REPORT it does not implement. */
const REFUSED_REPORT = new Set([400, 403, 405, 415, 501]);

/** A member reported as present (2xx, or an ETag) whose data did not come with it. */
function isMember(response: DavResponse): boolean {
  if (response.status !== undefined && response.status >= 300) return false;
  return response.props.has(clark(DAV_NS, 'getetag')) || response.failedProps.has(clark(CALDAV_NS, 'calendar-data'));
}

/**
 * The REPORT body; an empty sync-token element asks for an initial sync (RFC 6578 §3.2). Without
 * `withData` only ETags are asked for (the data then comes by calendar-multiget).
 */
export function syncCollectionBody(token: string | undefined, withData = true): string {
  return renderXml(
    {
      name: 'D:sync-collection',
      children: [
        { name: 'D:sync-token', children: token === undefined ? [] : [token] },
        { name: 'D:sync-level', children: ['1'] },
        { name: 'D:prop', children: withData ? [{ name: 'D:getetag' }, { name: 'C:calendar-data' }] : [{ name: 'D:getetag' }] },
      ],
    },
    { D: DAV_NS, C: CALDAV_NS },
  );
}
