import { describe, expect, it } from 'vitest';
import { toIcalTime } from '../../src/mapping/ical-time.js';

/** WCAP times stored as local time in the request's zone, read back to the same instant. */
const utc = (iso: string) => {
  const d = new Date(iso);
  return { kind: 'utc' as const, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
};

describe('toIcalTime', () => {
  it('stores a UTC time as local time in the zone', () => {
    const time = toIcalTime(utc('2027-01-15T08:00:00Z'), 'Europe/Berlin');
    expect([time.toICALString(), time.zone?.tzid]).toEqual(['20270115T090000', 'Europe/Berlin']);
  });

  // Berlin leaves summer time on 30 October 2005 at 01:00Z: local 02:00–02:59 happens twice.
  it.each(['2005-10-30T00:00:00Z', '2005-10-30T00:30:00Z', '2005-10-30T01:00:00Z', '2005-10-30T01:59:00Z', '2005-10-29T23:58:00Z'])(
    '%s reads back as the same instant, also inside the repeated hour',
    (iso) => {
      expect(new Date(toIcalTime(utc(iso), 'Europe/Berlin').toUnixTime() * 1000).toISOString()).toBe(new Date(iso).toISOString());
    },
  );

  // New York leaves summer time on 3 November 2013 at 06:00Z. Hours earlier that day, ical.js's
  // own conversion lands an hour off (01:00Z became 20:00 instead of 21:00 local).
  it.each([
    ['2013-11-03T01:00:00Z', '20131102T210000'],
    ['2013-11-03T04:30:00Z', '20131103T003000'],
    ['2013-11-03T07:00:00Z', '20131103T020000'],
    ['2013-03-10T06:30:00Z', '20130310T013000'],
    ['2013-03-10T07:30:00Z', '20130310T033000'],
  ])('%s on a New York DST day is stored as local %s', (iso, local) => {
    const time = toIcalTime(utc(iso), 'America/New_York');
    expect([time.toICALString(), time.zone?.tzid]).toEqual([local, 'America/New_York']);
    expect(new Date(time.toUnixTime() * 1000).toISOString()).toBe(new Date(iso).toISOString());
  });
});
