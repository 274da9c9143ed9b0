import type ICAL from 'ical.js';
import type { ComponentType } from '../../model/calendar.js';
import { itemComponents, parseCalendarObject, uidOf } from '../../mapping/calendar-object.js';
import type { StoredObject } from '../../model/calendar.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { credentialsOf, type ResolvedCalendar } from './calendars.js';

/** A stored object with its parsed VCALENDAR. */
export interface LoadedItem {
  object: StoredObject;
  vcalendar: ICAL.Component;
}

/**
 * Finds the object holding `uid` in a calendar. Cheapest first: the UID index (one GET, verified
 * against the data because the index may be stale), then the URL the gateway itself would have
 * used (one GET), then a UID REPORT, whose cost grows with the calendar on Radicale 3.1.8. The
 * index is refreshed on a find. `type` narrows the REPORT to one component type (one request).
 */
export async function findItem(
  ctx: CommandContext<unknown>,
  calendar: ResolvedCalendar,
  uid: string,
  type?: ComponentType,
): Promise<LoadedItem | null> {
  const credentials = credentialsOf(sessionOf(ctx));
  const { backend, guids } = ctx.deps;
  const calendarUrl = calendar.info.url;
  const indexed = await guids.get(calendarUrl, uid).catch(() => null);
  const predictable = backend.objectUrlFor(calendarUrl, uid);
  for (const url of indexed && indexed !== predictable ? [indexed, predictable] : [predictable]) {
    const object = await backend.getObject(credentials, url);
    const loaded = object && holdsUid(object, uid);
    if (loaded) {
      if (url !== indexed) await guids.set(calendarUrl, uid, url).catch(() => undefined);
      return loaded;
    }
  }
  if (indexed) await guids.delete(calendarUrl, uid).catch(() => undefined);
  const found = await backend.findByUid(credentials, calendarUrl, uid, type ? [type] : undefined);
  const loaded = found && holdsUid(found, uid);
  if (!loaded) return null;
  await guids.set(calendarUrl, uid, loaded.object.url).catch(() => undefined);
  return loaded;
}

function holdsUid(object: StoredObject, uid: string): LoadedItem | null {
  const vcalendar = parseCalendarObject(object.ical);
  return itemComponents(vcalendar).some((c) => uidOf(c) === uid) ? { object, vcalendar } : null;
}

/** The components of `uid` of one type (master first, then overrides). */
export function componentsOf(vcalendar: ICAL.Component, uid: string, type: ComponentType): ICAL.Component[] {
  const all = itemComponents(vcalendar, type).filter((c) => uidOf(c) === uid);
  return [...all.filter((c) => !c.hasProperty('recurrence-id')), ...all.filter((c) => c.hasProperty('recurrence-id'))];
}
