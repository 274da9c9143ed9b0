import ICAL from 'ical.js';
import { organizedBy, ownAttendee, partstatOf } from './calendar-user.js';
import type { Directory } from './directory.js';
import { setTimeProperty, utcTime } from './ical-time.js';
import type { Occurrence } from './expand.js';

export type FreeBusyType = 'FREE' | 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';

export interface BusyPeriod {
  start: Date;
  end: Date;
  type: FreeBusyType;
}

/** The calendar's owner, whose own participation decides whether an invitation takes time. */
export interface FreeBusyOwner {
  user: string;
  directory: Directory;
}

/**
 * The free/busy type of one occurrence, or undefined when it takes no time (RFC 4791 §7.10 and
 * docs/wcap-protocol.md#get_freebusy: only opaque events count):
 * - TRANSP:TRANSPARENT, STATUS:CANCELLED → free; STATUS:TENTATIVE → BUSY-TENTATIVE.
 * - The owner's own ATTENDEE (when someone else organizes): DECLINED or DELEGATED → free (they will
 *   not be there); TENTATIVE → BUSY-TENTATIVE; NEEDS-ACTION → BUSY-TENTATIVE as well: the owner has
 *   not committed the time but has not given it up either, the treatment Apple's CalendarServer and
 *   other RFC 6638 servers give unanswered invitations. As organizer the owner is committed.
 * - Everything else → BUSY. Tasks take no time.
 */
export function freeBusyTypeOf(item: ICAL.Component, owner?: FreeBusyOwner): FreeBusyType | undefined {
  if (item.name !== 'vevent') return undefined;
  if (String(item.getFirstPropertyValue('transp') ?? 'OPAQUE').toUpperCase() === 'TRANSPARENT') return undefined;
  const status = String(item.getFirstPropertyValue('status') ?? '').toUpperCase();
  if (status === 'CANCELLED') return undefined;
  let tentative = status === 'TENTATIVE';
  if (owner && !organizedBy(item, owner.user, owner.directory)) {
    const own = ownAttendee(item, owner.user, owner.directory);
    const partstat = own ? partstatOf(own) : 'ACCEPTED';
    if (partstat === 'DECLINED' || partstat === 'DELEGATED') return undefined;
    if (partstat === 'TENTATIVE' || partstat === 'NEEDS-ACTION') tentative = true;
  }
  return tentative ? 'BUSY-TENTATIVE' : 'BUSY';
}

/**
 * Busy time of occurrences (see {@link freeBusyTypeOf}), clipped to the range and merged per type.
 * Without `owner` attendance is not considered.
 */
export function busyPeriods(occurrences: Occurrence[], start: Date, end: Date, owner?: FreeBusyOwner): BusyPeriod[] {
  const periods: BusyPeriod[] = [];
  for (const occurrence of occurrences) {
    const type = freeBusyTypeOf(occurrence.item, owner);
    if (!type) continue;
    const s = new Date(Math.max(occurrence.start.getTime(), start.getTime()));
    const e = new Date(Math.min(occurrence.end.getTime(), end.getTime()));
    if (e <= s) continue;
    periods.push({ start: s, end: e, type });
  }
  return merge(periods);
}

/** The gaps between busy periods within the range, as FREE periods. */
export function freePeriods(busy: BusyPeriod[], start: Date, end: Date): BusyPeriod[] {
  const sorted = [...busy].sort((a, b) => a.start.getTime() - b.start.getTime());
  const free: BusyPeriod[] = [];
  let cursor = start;
  for (const period of sorted) {
    if (period.start > cursor) free.push({ start: cursor, end: period.start, type: 'FREE' });
    if (period.end > cursor) cursor = period.end;
  }
  if (cursor < end) free.push({ start: cursor, end, type: 'FREE' });
  return free;
}

function merge(periods: BusyPeriod[]): BusyPeriod[] {
  const out: BusyPeriod[] = [];
  const sorted = [...periods].sort((a, b) => a.type.localeCompare(b.type) || a.start.getTime() - b.start.getTime());
  for (const period of sorted) {
    const last = out[out.length - 1];
    if (last && last.type === period.type && period.start <= last.end) {
      if (period.end > last.end) last.end = period.end;
    } else out.push({ ...period });
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * A VFREEBUSY with explicit start/end periods in UTC (Lightning cannot read durations,
 * docs/lightning.md#free-busy-request-and-answer).
 */
export function freeBusyComponent(periods: BusyPeriod[], start: Date, end: Date): ICAL.Component {
  const component = new ICAL.Component('vfreebusy');
  setTimeProperty(component, 'dtstart', utcTime(start));
  setTimeProperty(component, 'dtend', utcTime(end));
  for (const period of periods) {
    const property = new ICAL.Property('freebusy', component);
    property.setValue(ICAL.Period.fromData({ start: utcTime(period.start), end: utcTime(period.end) }));
    property.setParameter('fbtype', period.type);
    component.addProperty(property);
  }
  return component;
}
