import type { BackendCredentials } from '../model/session.js';
import { GatewayError } from '../model/errors.js';
import type { SyncChanges } from './calendar-backend.js';
import { readMultistatus, readObjects } from './dav-answers.js';
import { unreadableAnswer } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { CALDAV_NS, DAV_NS } from './multistatus.js';
import { resolveHref, withSlash } from './object-urls.js';
import { childOf, parseXml } from './xml-reader.js';
import { renderXml } from './xml-writer.js';

/**
 * RFC 6578 sync-collection for CalendarBackend.syncChanges: one REPORT asking for ETag and data of
 * every changed member. Measured on Radicale 3.1.8 (1,000 / 5,000 items of ~400 bytes): initial
 * sync 138 / 1,080 ms; with a current token and no change 46 / 291 ms, answer empty. Radicale walks
 * the whole collection to compute the token either way, so a no-change sync costs about what a
 * calendar-query over everything costs; it saves the transfer and parsing of the data.
 */
export async function syncCollection(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  token: string | undefined,
): Promise<SyncChanges> {
  const target = withSlash(calendarUrl);
  const action = `REPORT sync-collection ${pathOf(target)}`;
  const answer = await http.request(credentials, 'REPORT', target, {
    // RFC 6578 §3.2: the report is defined for Depth 0 only.
    headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
    body: syncCollectionBody(token),
  });
  if (answer.status !== 207 && token !== undefined && answer.status !== 401) {
    // RFC 6578 §3.2 says 403 <valid-sync-token/>; Radicale 3.1.8 does that for unknown and pruned
    // tokens (measured), other servers answer 409 or 410. Whatever the reason, the way on is a
    // fresh initial sync, which reports a real failure (404, 403) by itself.
    throw new GatewayError('changed', `CalDAV ${action} refused the sync token (HTTP ${answer.status})`, {
      status: answer.status,
    });
  }
  const responses = readMultistatus(answer, action, credentials);
  let next: string | undefined;
  try {
    next = childOf(parseXml(answer.body), DAV_NS, 'sync-token')?.text.trim();
  } catch (err) {
    throw unreadableAnswer(action, err instanceof Error ? err.message : String(err), credentials);
  }
  if (!next) throw new GatewayError('backend', `CalDAV ${action}: the answer carries no sync-token`);
  const deleted = responses
    .filter((r) => (r.status === 404 || r.status === 410) && r.href !== '')
    .map((r) => resolveHref(r.href, target))
    .filter((url) => url !== target);
  return { token: next, changed: readObjects(responses, target), deleted };
}

/** The REPORT body; an empty sync-token element asks for an initial sync (RFC 6578 §3.2). */
export function syncCollectionBody(token: string | undefined): string {
  return renderXml(
    {
      name: 'D:sync-collection',
      children: [
        { name: 'D:sync-token', children: token === undefined ? [] : [token] },
        { name: 'D:sync-level', children: ['1'] },
        { name: 'D:prop', children: [{ name: 'D:getetag' }, { name: 'C:calendar-data' }] },
      ],
    },
    { D: DAV_NS, C: CALDAV_NS },
  );
}
