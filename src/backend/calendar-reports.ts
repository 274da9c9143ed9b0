import { ITEM_TYPES, type ComponentType, type StoredObject, type TimeRange } from '../model/calendar.js';
import type { BackendCredentials } from '../model/session.js';
import { readMultistatus, readObjects } from './dav-answers.js';
import { XML_CONTENT_TYPE, calendarQueryBody, multigetBody } from './dav-bodies.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { hasComponentOf, hasUid } from './ical-peek.js';
import { withSlash } from './object-urls.js';
import { probeWindow, selectRecurring } from './recurring-masters.js';
import type { ServerCapabilities } from './server-capabilities.js';

/** The REPORTs that read objects from a calendar collection (RFC 4791 §7.8, §7.9). */

/** Objects per calendar-multiget request (keeps each answer of moderate size). */
const MULTIGET_CHUNK = 100;

/**
 * RFC 4791 ANDs sibling comp-filters, so "VEVENT or VTODO in range" cannot be one calendar-query
 * (Radicale 3.1.8 returns nothing for VEVENT+VTODO siblings, measured). One type: one REPORT.
 * Both types with a bound: one REPORT per type, sent in parallel. Both types, no bound: one
 * REPORT with only the VCALENDAR filter, keeping objects that hold one of the types.
 *
 * With a bound, each type may also need its recurring masters (see queryType).
 */
export async function queryRange(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  types: readonly ComponentType[],
  range: TimeRange,
  capabilities: ServerCapabilities,
): Promise<StoredObject[]> {
  const wanted = ITEM_TYPES.filter((t) => types.includes(t));
  if (wanted.length === 0) return [];
  if (!range.start && !range.end) {
    if (wanted.length === 1) return report(http, credentials, calendarUrl, wanted[0], { range });
    const all = await report(http, credentials, calendarUrl, undefined, {});
    return all.filter((o) => hasComponentOf(o.ical, wanted));
  }
  const lists = await Promise.all(wanted.map((type) => queryType(http, credentials, calendarUrl, type, range, capabilities)));
  const seen = new Map<string, StoredObject>();
  for (const o of lists.flat()) if (!seen.has(o.url)) seen.set(o.url, o);
  return [...seen.values()];
}

/**
 * One type with a bound. On a server whose time-range ignores RRULE (shown), the recurring masters
 * are asked for in parallel and those with an occurrence in the range added (recurring-masters.ts):
 * 2 REPORTs. While that is undecided, they are asked for after the time-range answer, and the
 * answers are the evidence; masters that show nothing lead to one probe REPORT at a master's second
 * occurrence, which decides: 2 or 3 REPORTs, once per server (a calendar without masters: 2, then 1
 * for a minute, ServerCapabilities.noteMasters). On a server that expands: 1 REPORT.
 */
async function queryType(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  type: ComponentType,
  range: TimeRange,
  capabilities: ServerCapabilities,
): Promise<StoredObject[]> {
  const mode = capabilities.recurringMasters(calendarUrl, type);
  if (mode === 'none') return report(http, credentials, calendarUrl, type, { range });
  const masterQuery = () => report(http, credentials, calendarUrl, type, { recurring: true });
  if (mode === 'alongside') {
    const [matched, masters] = await Promise.all([report(http, credentials, calendarUrl, type, { range }), masterQuery()]);
    return [...matched, ...selectRecurring(masters, type, range, new Set()).selected];
  }
  const matched = await report(http, credentials, calendarUrl, type, { range });
  // Undecided: a server that refuses the masters query (or fails it now) is answered as before.
  const masters = await masterQuery().catch(() => undefined);
  if (masters === undefined) return matched;
  capabilities.noteMasters(calendarUrl, type, masters.length);
  const { selected, evidence } = selectRecurring(masters, type, range, new Set(matched.map((o) => o.url)));
  capabilities.learnRecurrence(evidence);
  if (!capabilities.isRecurrenceDecided()) await probe(http, credentials, calendarUrl, type, masters, capabilities);
  return [...matched, ...selected];
}

/** The probe REPORT of queryType; its failure leaves the question open and the answer untouched. */
async function probe(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  type: ComponentType,
  masters: readonly StoredObject[],
  capabilities: ServerCapabilities,
): Promise<void> {
  const candidate = probeWindow(masters, type);
  if (!candidate) return;
  try {
    const found = await report(http, credentials, calendarUrl, type, { range: candidate.range });
    capabilities.learnRecurrence(found.some((o) => o.url === candidate.object.url) ? 'expands' : 'ignores-rrule');
  } catch {
    // Asked again with the next query.
  }
}

/**
 * One calendar-query REPORT per type in `types` (sent in parallel) with a UID text-match. RFC 4791
 * text-match is a substring test and Radicale 3.1.8 also ignores case, so the answer is filtered
 * here for the exact UID. Pass the one type you expect to make it 1 request.
 */
export async function findByUid(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  uid: string,
  types: readonly ComponentType[] = ITEM_TYPES,
): Promise<StoredObject | null> {
  // Radicale 3.1.8 fails on an empty text-match, and no component can carry an empty UID anyway.
  if (uid === '') return null;
  const wanted = ITEM_TYPES.filter((t) => types.includes(t));
  const lists = await Promise.all(wanted.map((t) => report(http, credentials, calendarUrl, t, { uid })));
  return lists.flat().find((o) => hasUid(o.ical, uid)) ?? null;
}

/** calendar-multiget in chunks of {@link MULTIGET_CHUNK}; objects that no longer exist are left out. */
export async function fetchObjects(http: DavTransport, credentials: BackendCredentials, calendarUrl: string, urls: readonly string[]): Promise<StoredObject[]> {
  const target = withSlash(calendarUrl);
  const found: StoredObject[] = [];
  for (let i = 0; i < urls.length; i += MULTIGET_CHUNK) {
    const paths = urls.slice(i, i + MULTIGET_CHUNK).map(pathOf);
    const answer = await http.request(credentials, 'REPORT', target, { headers: { Depth: '1', 'Content-Type': XML_CONTENT_TYPE }, body: multigetBody(paths) });
    found.push(...readObjects(readMultistatus(answer, `REPORT calendar-multiget ${pathOf(target)}`, credentials), target));
  }
  return found;
}

async function report(
  http: DavTransport,
  credentials: BackendCredentials,
  calendarUrl: string,
  type: ComponentType | undefined,
  filter: { range?: TimeRange; uid?: string; recurring?: boolean },
): Promise<StoredObject[]> {
  const target = withSlash(calendarUrl);
  const answer = await http.request(credentials, 'REPORT', target, {
    headers: { Depth: '1', 'Content-Type': XML_CONTENT_TYPE },
    body: calendarQueryBody(type, filter),
  });
  return readObjects(readMultistatus(answer, `REPORT ${pathOf(target)}`, credentials), target);
}
