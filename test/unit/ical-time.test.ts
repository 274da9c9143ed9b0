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
});
