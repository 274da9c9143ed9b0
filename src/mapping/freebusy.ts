import ICAL from 'ical.js';
import { setTimeProperty, utcTime } from './ical-time.js';
import type { Occurrence } from './expand.js';

export type FreeBusyType = 'FREE' | 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';

export interface BusyPeriod {
  start: Date;
  end: Date;
  type: FreeBusyType;
}

/**
 * Busy time of occurrences (RFC 5545 §4.6.4 semantics, as Sun computed it, seed 003): transparent
 * and cancelled items are free; tentative ones BUSY-TENTATIVE; the rest BUSY. Periods are clipped to
 * the range and merged per type.
 */
export function busyPeriods(occurrences: Occurrence[], start: Date, end: Date): BusyPeriod[] {
  const periods: BusyPeriod[] = [];
  for (const occurrence of occurrences) {
    const item = occurrence.item;
    if (item.name !== 'vevent') continue;
    if (String(item.getFirstPropertyValue('transp') ?? 'OPAQUE').toUpperCase() === 'TRANSPARENT') continue;
    const status = String(item.getFirstPropertyValue('status') ?? '').toUpperCase();
    if (status === 'CANCELLED') continue;
    const s = new Date(Math.max(occurrence.start.getTime(), start.getTime()));
    const e = new Date(Math.min(occurrence.end.getTime(), end.getTime()));
    if (e <= s) continue;
    periods.push({ start: s, end: e, type: status === 'TENTATIVE' ? 'BUSY-TENTATIVE' : 'BUSY' });
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

/** A VFREEBUSY with explicit start/end periods in UTC (Lightning cannot read durations, §8.2). */
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
