import ICAL from 'ical.js';
import type { ComponentType, TimeRange } from '../model/calendar.js';
import { itemComponents, uidOf } from './calendar-object.js';
import { instantOf } from './ical-time.js';

/**
 * When a component was last changed: LAST-MODIFIED, else DTSTAMP, else CREATED (items written by
 * other CalDAV clients do not always carry LAST-MODIFIED). Undefined when it has none of them.
 */
export function modifiedAt(component: ICAL.Component): Date | undefined {
  for (const name of ['last-modified', 'dtstamp', 'created']) {
    const value = component.getFirstPropertyValue(name);
    // These are UTC by definition (RFC 5545 §3.8.7); a stray TZID or floating value is read as UTC.
    if (value instanceof ICAL.Time) return instantOf(value);
  }
  return undefined;
}

/**
 * The items of `vcalendars` changed within `window` (both bounds inclusive, either open), for
 * fetchcomponents_by_lastmod: for every UID with at least one component of `types` changed in the
 * window, all of that UID's components of those types (master first, then overrides), so that a
 * client always receives complete series. A UID whose components carry no date at all counts as
 * changed only when the window has no start (a first sync must see everything).
 * Items are ordered by their latest change, oldest first.
 */
export function itemsChangedIn(vcalendars: ICAL.Component[], types: readonly ComponentType[], window: TimeRange): ICAL.Component[][] {
  const names = types.map((t) => t.toLowerCase());
  const changed: Array<{ at: number; components: ICAL.Component[] }> = [];
  for (const vcalendar of vcalendars) {
    const byUid = new Map<string, ICAL.Component[]>();
    for (const component of itemComponents(vcalendar)) {
      const uid = uidOf(component);
      if (!uid || !names.includes(component.name)) continue;
      byUid.set(uid, [...(byUid.get(uid) ?? []), component]);
    }
    for (const components of byUid.values()) {
      const stamps = components.flatMap((c) => modifiedAt(c)?.getTime() ?? []);
      const inWindow = stamps.some((at) => (!window.start || at >= window.start.getTime()) && (!window.end || at <= window.end.getTime()));
      if (!inWindow && !(stamps.length === 0 && !window.start)) continue;
      const isOverride = (c: ICAL.Component) => c.hasProperty('recurrence-id');
      const ordered = [...components.filter((c) => !isOverride(c)), ...components.filter(isOverride)];
      changed.push({ at: stamps.length > 0 ? Math.max(...stamps) : 0, components: ordered });
    }
  }
  return changed.sort((a, b) => a.at - b.at).map((c) => c.components);
}
