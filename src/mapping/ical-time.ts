import ICAL from 'ical.js';
import type { WcapDate } from '../model/wcap-date.js';
import { timezone } from './timezones.js';

/**
 * WCAP date values → ical.js times (docs/architecture.md#time-and-recurrence): a `Z` time plus
 * `tzid` becomes local time in tzid (stored with TZID and the VTIMEZONE), a floating time is read
 * as local time in tzid, a DATE stays a DATE. Without a usable tzid, `Z` times stay UTC and
 * floating times are taken as UTC (the gateway's server zone), so nothing is ever stored floating
 * by accident.
 */
export function toIcalTime(value: WcapDate, tzid: string | undefined): ICAL.Time {
  if (value.kind === 'date') {
    return ICAL.Time.fromData({ year: value.year, month: value.month, day: value.day, isDate: true });
  }
  const zone = tzid ? timezone(tzid) : undefined;
  const fields = {
    year: value.year,
    month: value.month,
    day: value.day,
    hour: value.hour,
    minute: value.minute,
    second: value.second,
  };
  if (value.kind === 'utc') {
    const utc = ICAL.Time.fromData(fields, ICAL.Timezone.utcTimezone);
    if (!zone || zone === ICAL.Timezone.utcTimezone) return utc;
    // In the hour a DST change repeats, a local time names two instants and readers (ical.js,
    // Lightning) take the later one; such an instant is kept in UTC so it is read back exactly.
    return exactlyInZone(utc, zone) ?? utc;
  }
  return ICAL.Time.fromData(fields, zone ?? ICAL.Timezone.utcTimezone);
}

/**
 * The local time in `zone` that names exactly the instant of `time`, or undefined when none does
 * (the first pass through an hour a DST change repeats, whose local name readers take as the
 * second). ical.js 2.x's convertToZone looks the offset up with the source's wall-clock fields, so
 * on the day of a change it can land an hour off (2013-11-03T01:00Z became 20:00 in New York, not
 * 21:00), or in the hour a change skips (02:30 on 2013-03-10, which RFC 5545 §3.3.5 reads as
 * 07:30Z, not 06:30Z). So the candidates are the zone's offsets a day either side of the instant;
 * a candidate counts when its local time carries that offset, and the smaller offset wins, since
 * the larger one can only match by landing in a skipped hour.
 */
export function exactlyInZone(time: ICAL.Time, zone: ICAL.Timezone): ICAL.Time | undefined {
  const instant = time.toUnixTime();
  const wallClock = (seconds: number, fieldsZone: ICAL.Timezone) => {
    const d = new Date(seconds * 1000);
    const fields = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
    return ICAL.Time.fromData(fields, fieldsZone);
  };
  const offsets = new Set([-DAY, 0, DAY].map((shift) => zone.utcOffset(wallClock(instant + shift, zone))));
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    const local = wallClock(instant + offset, zone);
    if (local.toUnixTime() === instant && zone.utcOffset(local) === offset) return local;
  }
  return undefined;
}

const DAY = 86_400;

/** The instant a WCAP date denotes (DATEs are midnight in tzid, else UTC). */
export function toInstant(value: WcapDate, tzid: string | undefined): Date {
  if (value.kind === 'date') {
    const midnight = { ...value, kind: 'floating' as const, hour: 0, minute: 0, second: 0 };
    return toInstant(midnight, tzid);
  }
  return new Date(toIcalTime(value, tzid).toUnixTime() * 1000);
}

/** Seconds since the epoch of an ical.js time (floating times are read as UTC). */
export function instantOf(time: ICAL.Time): Date {
  return new Date(time.toUnixTime() * 1000);
}

/** ical.js time for a JS Date, in UTC. */
export function utcTime(date: Date): ICAL.Time {
  return ICAL.Time.fromJSDate(date, true);
}

/** `YYYYMMDDTHHMMSSZ` (or `YYYYMMDD` for DATEs) of an ical.js time, converted to UTC. */
export function formatIcalUtc(time: ICAL.Time): string {
  if (time.isDate) return time.toICALString();
  return time.convertToZone(ICAL.Timezone.utcTimezone).toICALString();
}

/**
 * Sets a date-valued property: DATE values get VALUE=DATE (ical.js misreads a bare `20240121` as
 * a date-time, docs/caldav-servers.md#all-day-values-need-valuedate), zoned times get TZID, UTC
 * times the `Z` form.
 */
export function setTimeProperty(component: ICAL.Component, name: string, time: ICAL.Time): void {
  component.removeAllProperties(name);
  const property = new ICAL.Property(name, component);
  // resetType drops the value, so the type must be set first.
  if (time.isDate) property.resetType('date');
  property.setValue(time);
  const tzid = time.zone && time.zone !== ICAL.Timezone.utcTimezone ? time.zone.tzid : undefined;
  if (tzid && tzid !== 'floating' && !time.isDate) property.setParameter('tzid', tzid);
  component.addProperty(property);
}
