import type { CalendarBackend } from '../backend/calendar-backend.js';
import { itemComponents, uidOf } from '../mapping/calendar-object.js';
import type { ComponentType, StoredObject } from '../model/calendar.js';
import type { BackendCredentials } from '../model/session.js';
import type { GuidStore } from '../state/guid-store.js';
import type { ContentCache } from './content-cache.js';
import { componentsOf, type Item } from './item.js';
import { parseObject } from './object-codec.js';
import type { ObjectSummaries } from './object-summaries.js';

/** What looking an item up needs from the calendar's context. */
export interface LookupContext {
  backend: CalendarBackend;
  credentials: BackendCredentials;
  guids: GuidStore;
  cache: ContentCache;
  summaries: ObjectSummaries;
}

/**
 * Finds the item `uid` of `type` in a calendar and reads it fresh from the server. Cheapest first:
 * the URL the calendar's snapshot knows for the UID, else the UID index, then the URL the gateway
 * itself would have used — each one GET, checked against the UID (indexes may be stale) — and only
 * then a UID REPORT, whose cost grows with the calendar on Radicale. The UID index learns what was
 * found. `guard` wraps each request (the calendar turns a vanished calendar into 'no-calendar').
 */
export async function lookUpItem(
  ctx: LookupContext,
  calendarUrl: string,
  uid: string,
  type: ComponentType,
  guard: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<Item | null> {
  const { backend, credentials, guids } = ctx;
  const snapshot = await ctx.cache.peek(calendarUrl);
  const known = snapshot ? await ctx.summaries.find(snapshot.objects, uid, type) : undefined;
  const indexed = known ? undefined : await guids.get(calendarUrl, uid).catch(() => null);
  const candidates = [...new Set([known, indexed, backend.objectUrlFor(calendarUrl, uid)].filter((u): u is string => !!u))];
  for (const candidate of candidates) {
    const object = await guard(() => backend.getObject(credentials, candidate));
    const item = object && itemIn(object, uid, type);
    if (item) {
      if (candidate !== indexed && !known) await guids.set(calendarUrl, uid, candidate).catch(() => undefined);
      return item;
    }
  }
  if (indexed) await guids.delete(calendarUrl, uid).catch(() => undefined);
  const found = await guard(() => backend.findByUid(credentials, calendarUrl, uid, [type]));
  const item = found && itemIn(found, uid, type);
  if (item) await guids.set(calendarUrl, uid, found.url).catch(() => undefined);
  return item || null;
}

/** The item `uid` of `type` in a stored object, or null when the object does not hold it. */
function itemIn(object: StoredObject, uid: string, type: ComponentType): Item | null {
  const vcalendar = parseObject(object.ical);
  if (!itemComponents(vcalendar).some((c) => uidOf(c) === uid)) return null;
  const components = componentsOf(vcalendar, uid, type);
  if (components.length === 0) return null;
  return { uid, type, vcalendar, components, stored: object };
}
