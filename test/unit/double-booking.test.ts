import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { busyOccurrences, firstOverlap, spanOf } from '../../src/mapping/double-booking.js';

const event = (lines: string[]) =>
  new ICAL.Component(ICAL.parse(['BEGIN:VEVENT', 'UID:u', 'DTSTAMP:20300101T000000Z', ...lines, 'END:VEVENT'].join('\r\n')) as unknown[]);
const limits = { maxPerSeries: 60, maxTotal: 1000, maxStepsPerSeries: 10_000 };

describe('double booking', () => {
  it('counts opaque, not cancelled occurrences, every instance of a series', () => {
    const daily = event(['DTSTART:20300110T090000Z', 'DTEND:20300110T100000Z', 'RRULE:FREQ=DAILY;COUNT=3']);
    expect(busyOccurrences([daily], { limits }).map((o) => o.start.toISOString())).toEqual([
      '2030-01-10T09:00:00.000Z',
      '2030-01-11T09:00:00.000Z',
      '2030-01-12T09:00:00.000Z',
    ]);
    expect(busyOccurrences([event(['DTSTART:20300110T090000Z', 'DTEND:20300110T100000Z', 'TRANSP:TRANSPARENT'])], { limits })).toEqual([]);
    expect(busyOccurrences([event(['DTSTART:20300110T090000Z', 'DTEND:20300110T100000Z', 'STATUS:CANCELLED'])], { limits })).toEqual([]);
    // An open rule stops at the cap.
    expect(busyOccurrences([event(['DTSTART:20300110T090000Z', 'DTEND:20300110T100000Z', 'RRULE:FREQ=DAILY'])], { limits })).toHaveLength(60);
  });

  it('finds overlaps of half-open intervals; touching ends do not overlap', () => {
    const at = (start: string, end: string) => busyOccurrences([event([`DTSTART:${start}`, `DTEND:${end}`])], { limits });
    const mine = at('20300105T100000Z', '20300105T110000Z');
    expect(firstOverlap(mine, at('20300105T103000Z', '20300105T113000Z'))).toBeDefined();
    expect(firstOverlap(mine, at('20300105T090000Z', '20300105T120000Z'))).toBeDefined();
    expect(firstOverlap(mine, at('20300105T110000Z', '20300105T120000Z'))).toBeUndefined();
    expect(firstOverlap(mine, at('20300105T080000Z', '20300105T100000Z'))).toBeUndefined();
    // A point in time inside the event still takes it.
    expect(firstOverlap(mine, at('20300105T103000Z', '20300105T103000Z'))).toBeDefined();
    expect(spanOf(mine)).toEqual({ start: new Date('2030-01-05T10:00:00Z'), end: new Date('2030-01-05T11:00:00Z') });
    expect(spanOf([])).toBeUndefined();
  });

  it('walks long lists once: 5,000 instances against 20,000 others', () => {
    const daily = event(['DTSTART:20300101T090000Z', 'DTEND:20300101T100000Z', 'RRULE:FREQ=DAILY;COUNT=5000']);
    const mine = busyOccurrences([daily], { limits: { maxPerSeries: 5000, maxTotal: 5000, maxStepsPerSeries: 100_000 } });
    expect(mine).toHaveLength(5000);
    const hour = 3_600_000;
    const base = Date.UTC(2030, 0, 1, 12);
    const theirs = Array.from({ length: 20_000 }, (_, i) => ({ start: new Date(base + Math.floor(i / 4) * 24 * hour), end: new Date(base + Math.floor(i / 4) * 24 * hour + hour), item: daily }));
    expect(firstOverlap(mine, theirs)).toBeUndefined();
    const late = { start: new Date(Date.UTC(2043, 5, 1, 9, 30)), end: new Date(Date.UTC(2043, 5, 1, 10, 30)), item: daily };
    expect(firstOverlap(mine, [...theirs, late])).toBe(late);
  });
});
