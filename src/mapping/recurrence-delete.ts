import ICAL from 'ical.js';
import type { ComponentType } from '../model/calendar.js';
import type { WcapDate } from '../model/wcap-date.js';
import { itemComponents, uidOf } from './calendar-object.js';
import { stampItem } from './apply-changes.js';
import { instantOf, setTimeProperty, toIcalTime } from './ical-time.js';

export type InstanceDeletion = 'updated' | 'delete-object' | 'not-an-instance';

/**
 * Removes one instance (WCAP mod=1) of the item `uid`: an EXDATE on the master in the master's own
 * value type and zone (DavMail's classic bug was an EXDATE in the wrong zone, backends.md §1.1),
 * and any override for that instance. A non-recurring item's only instance is the item itself.
 * `rid` is UTC, floating (read in the master's zone, else `tzid`) or a DATE.
 */
export function deleteInstance(
  vcalendar: ICAL.Component,
  uid: string,
  type: ComponentType,
  rid: WcapDate,
  tzid: string | undefined,
  now: Date,
): InstanceDeletion {
  const components = itemComponents(vcalendar, type).filter((c) => uidOf(c) === uid);
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  const start = master?.getFirstPropertyValue('dtstart') as ICAL.Time | null | undefined;
  const zone = start?.zone && start.zone.tzid !== 'floating' ? start.zone.tzid : tzid;
  const target = instantOf(toIcalTime(rid, zone)).getTime();
  const sameInstant = (time: ICAL.Time | null | undefined) => !!time && instantOf(time).getTime() === target;
  const sameDay = (time: ICAL.Time | null | undefined) =>
    !!time && rid.year === time.year && rid.month === time.month && rid.day === time.day;
  const matches = (time: ICAL.Time | null | undefined) => (time?.isDate ? sameDay(time) : sameInstant(time));

  const overrides = components.filter((c) => matches(c.getFirstPropertyValue('recurrence-id') as ICAL.Time));
  const recurring = master && (master.hasProperty('rrule') || master.hasProperty('rdate'));
  if (!master || !start) {
    if (overrides.length === 0) return 'not-an-instance';
    overrides.forEach((o) => vcalendar.removeSubcomponent(o));
    return itemComponents(vcalendar).length === 0 ? 'delete-object' : 'updated';
  }
  if (!recurring) return matches(start) || overrides.length > 0 ? 'delete-object' : 'not-an-instance';

  overrides.forEach((o) => vcalendar.removeSubcomponent(o));
  const exdate = start.isDate
    ? ICAL.Time.fromData({ year: rid.year, month: rid.month, day: rid.day, isDate: true })
    : ICAL.Time.fromJSDate(new Date(target), true).convertToZone(start.zone ?? ICAL.Timezone.utcTimezone);
  const already = master.getAllProperties('exdate').some((p) => (p.getValues() as ICAL.Time[]).some((v) => matches(v)));
  if (!already) {
    const holder = new ICAL.Component('x-holder');
    setTimeProperty(holder, 'exdate', exdate);
    const property = holder.getFirstProperty('exdate')!;
    holder.removeProperty(property);
    master.addProperty(property);
  }
  stampItem(master, now, false);
  return 'updated';
}
