import type ICAL from 'ical.js';
import type { ComponentType } from '../model/calendar.js';
import type { WcapDate } from '../model/wcap-date.js';
import { stampItem } from './apply-changes.js';
import { addDate, alignTo, isRecurring } from './apply-recurrence.js';
import { itemComponents, uidOf } from './calendar-object.js';
import { findInstance, nextInstance, sameInstance, splitSeries, type Series } from './series.js';

export type InstanceDeletion =
  | { outcome: 'not-an-instance' }
  | { outcome: 'delete-object' }
  /** The object was changed; `removed` lists the instances that are gone (for tombstones). */
  | { outcome: 'updated'; removed: ICAL.Time[] };

/**
 * Deletes part of the item `uid` (WCAP mod with a rid): mod=1 that instance — an EXDATE on the
 * master in the master's own value type and zone (DavMail's classic bug was an EXDATE in the wrong
 * zone, docs/caldav-servers.md#zones-of-exdate-and-recurrence-id) and its override removed; mod=2
 * that instance and all later ones (the rules end before it); mod=3 it and all earlier ones (the
 * series restarts at the next instance).
 * A non-recurring item's only instance is the item itself. `rid` is UTC, floating (read in the
 * master's zone, else `tzid`) or a DATE.
 */
export function deleteInstances(
  vcalendar: ICAL.Component,
  uid: string,
  type: ComponentType,
  rid: WcapDate,
  mod: 1 | 2 | 3,
  tzid: string | undefined,
  now: Date,
): InstanceDeletion {
  const components = itemComponents(vcalendar, type).filter((c) => uidOf(c) === uid);
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  const overrides = components.filter((c) => c.hasProperty('recurrence-id'));
  const start = master?.getFirstPropertyValue('dtstart') as ICAL.Time | null | undefined;
  const target = alignTo(rid, start ?? null, tzid);
  const ridOf = (c: ICAL.Component) => c.getFirstPropertyValue('recurrence-id') as ICAL.Time;

  if (!master || !start) {
    const gone = overrides.filter((o) => sameInstance(ridOf(o), target));
    if (gone.length === 0) return { outcome: 'not-an-instance' };
    gone.forEach((o) => vcalendar.removeSubcomponent(o));
    return itemComponents(vcalendar).length === 0 ? { outcome: 'delete-object' } : { outcome: 'updated', removed: [target] };
  }
  if (!isRecurring(master)) {
    return sameInstance(start, target) ? { outcome: 'delete-object' } : { outcome: 'not-an-instance' };
  }
  const series: Series = { master, overrides };
  const instance = findInstance(series, target);
  if (!instance) return { outcome: 'not-an-instance' };

  if (mod === 1) {
    for (const o of overrides.filter((o) => sameInstance(ridOf(o), instance))) vcalendar.removeSubcomponent(o);
    addDate(master, 'exdate', instance);
    stampItem(master, now, false);
    return { outcome: 'updated', removed: [instance] };
  }
  if (mod === 2) {
    if (sameInstance(instance, start)) return { outcome: 'delete-object' };
    const later = splitSeries(vcalendar, series, instance, `${uid}-discarded`);
    stampItem(master, now, false);
    return { outcome: 'updated', removed: [instance, ...later.overrides.map(ridOf)] };
  }
  const next = nextInstance(master, instance);
  if (!next) return { outcome: 'delete-object' };
  const later = splitSeries(vcalendar, series, next, uid);
  const removed = [instance, ...series.overrides.map(ridOf)];
  for (const c of [series.master, ...series.overrides]) vcalendar.removeSubcomponent(c);
  for (const c of [later.master, ...later.overrides]) vcalendar.addSubcomponent(c);
  stampItem(later.master, now, false);
  return { outcome: 'updated', removed };
}
