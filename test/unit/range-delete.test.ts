import type ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/calendars/object-codec.js';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { DEFAULT_LIMITS, occurrencesIn } from '../../src/mapping/expand.js';
import { applyRangePlan, planRangeDelete, type RangePlan } from '../../src/mapping/range-delete.js';
import { vtimezone } from '../../src/mapping/timezones.js';
import type { TimeRange } from '../../src/model/calendar.js';

/**
 * Which items and instances a range delete takes (docs/wcap-protocol.md#range-deletes): those lying
 * wholly in the range. The series: daily 09:00–10:00 Berlin (08:00Z in winter) from Monday
 * 8 January 2024.
 */
const NOW = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
const options = { limits: DEFAULT_LIMITS, maxSingles: 50 };

function object(...body: string[]): ICAL.Component {
  return parseObject(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', vtimezone('Europe/Berlin')!.toString(), ...body, 'END:VCALENDAR'].join('\r\n'));
}
const daily = (rule: string, ...extra: string[]) =>
  object('BEGIN:VEVENT', 'UID:d', 'DTSTART;TZID=Europe/Berlin:20240108T090000', 'DTEND;TZID=Europe/Berlin:20240108T100000', `RRULE:${rule}`, ...extra, 'END:VEVENT');
const range = (start?: string, end?: string): TimeRange => ({ ...(start ? { start: new Date(start) } : {}), ...(end ? { end: new Date(end) } : {}) });
const plan = (cal: ICAL.Component, r: TimeRange) => planRangeDelete(itemComponents(cal), r, options);
const days = (cal: ICAL.Component) =>
  occurrencesIn(itemComponents(cal), new Date('2024-01-01T00:00:00Z'), new Date('2024-03-01T00:00:00Z')).map((o) => o.start.toISOString().slice(5, 10));
const apply = (cal: ICAL.Component, p: RangePlan) => {
  if (p.kind !== 'instances') throw new Error(`expected instances, got ${p.kind}`);
  return applyRangePlan(cal, 'd', 'VEVENT', p, NOW);
};

describe('planRangeDelete', () => {
  it('a single event goes only when it lies wholly in the range', () => {
    const event = object('BEGIN:VEVENT', 'UID:e', 'DTSTART:20240110T080000Z', 'DTEND:20240110T090000Z', 'END:VEVENT');
    expect(plan(event, range('2024-01-10T08:00:00Z', '2024-01-10T09:00:00Z')).kind).toBe('delete-object');
    expect(plan(event, range('2024-01-10T08:30:00Z', '2024-01-11T00:00:00Z')).kind).toBe('keep');
    expect(plan(event, range(undefined, '2024-01-10T08:59:00Z')).kind).toBe('keep');
    expect(plan(event, range('2024-01-10T00:00:00Z')).kind).toBe('delete-object');
    expect(plan(event, range()).kind).toBe('delete-object');
  });

  it('a series wholly inside goes as an object', () => {
    expect(plan(daily('FREQ=DAILY;COUNT=5'), range('2024-01-08T00:00:00Z', '2024-01-13T00:00:00Z')).kind).toBe('delete-object');
  });

  it('instances in the middle get an EXDATE each; the others stay', () => {
    const cal = daily('FREQ=DAILY;COUNT=10');
    // 10 to 12 January wholly, 13 January only partly (ends 09:00Z, after the range end 08:30Z).
    const p = plan(cal, range('2024-01-10T00:00:00Z', '2024-01-13T08:30:00Z'));
    expect(p).toMatchObject({ kind: 'instances', single: [{}, {}, {}] });
    const outcome = apply(cal, p);
    expect(outcome.kind === 'updated' && outcome.removed.map((t) => t.toString())).toEqual(['2024-01-10T09:00:00', '2024-01-11T09:00:00', '2024-01-12T09:00:00']);
    expect(days(cal)).toEqual(['01-08', '01-09', '01-13', '01-14', '01-15', '01-16', '01-17']);
  });

  it('an open start removes the leading instances by restarting the series, without an EXDATE per instance', () => {
    const cal = daily('FREQ=DAILY');
    const p = plan(cal, range(undefined, '2024-01-20T00:00:00Z'));
    expect(p).toMatchObject({ kind: 'instances', single: [] });
    apply(cal, p);
    expect(days(cal)[0]).toBe('01-20');
    expect(cal.toString()).not.toContain('EXDATE');
  });

  it('an open end cuts the series before the first instance inside', () => {
    const cal = daily('FREQ=DAILY');
    const p = plan(cal, range('2024-01-11T00:00:00Z'));
    expect(p.kind === 'instances' && p.from?.toString()).toBe('2024-01-11T09:00:00');
    apply(cal, p);
    expect(days(cal)).toEqual(['01-08', '01-09', '01-10']);
    // Starting at the first instance the whole series goes.
    expect(plan(daily('FREQ=DAILY'), range('2024-01-01T00:00:00Z')).kind).toBe('delete-object');
  });

  it('an override moved out of the range stays; one moved into it goes', () => {
    const cal = daily(
      'FREQ=DAILY;COUNT=10',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:d',
      'RECURRENCE-ID;TZID=Europe/Berlin:20240110T090000',
      'DTSTART;TZID=Europe/Berlin:20240125T090000',
      'DTEND;TZID=Europe/Berlin:20240125T100000',
      'SUMMARY:moved out',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:d',
      'RECURRENCE-ID;TZID=Europe/Berlin:20240116T090000',
      'DTSTART;TZID=Europe/Berlin:20240111T140000',
      'DTEND;TZID=Europe/Berlin:20240111T150000',
      'SUMMARY:moved in',
    );
    const p = plan(cal, range('2024-01-10T00:00:00Z', '2024-01-12T00:00:00Z'));
    apply(cal, p);
    const summaries = itemComponents(cal).map((c) => c.getFirstPropertyValue('summary'));
    expect(summaries).toContain('moved out');
    expect(summaries).not.toContain('moved in');
    expect(days(cal).sort()).toEqual(['01-08', '01-09', '01-12', '01-13', '01-14', '01-15', '01-17', '01-25']);
  });

  it('more single instances than allowed refuse the item before anything changes', () => {
    const cal = daily('FREQ=DAILY;COUNT=200');
    const before = cal.toString();
    const p = planRangeDelete(itemComponents(cal), range('2024-01-09T00:00:00Z', '2024-06-01T00:00:00Z'), { ...options, maxSingles: 10 });
    expect(p.kind).toBe('too-large');
    expect(cal.toString()).toBe(before);
  });

  it('a range the step budget cannot walk to is refused, not guessed', () => {
    const secondly = object('BEGIN:VEVENT', 'UID:s', 'DTSTART:20240101T000000Z', 'DTEND:20240101T000001Z', 'RRULE:FREQ=SECONDLY', 'END:VEVENT');
    const p = planRangeDelete(itemComponents(secondly), range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'), { ...options, limits: { ...DEFAULT_LIMITS, maxStepsPerSeries: 1000 } });
    expect(p.kind).toBe('too-large');
  });

  it('a task without dates is only taken by an open range', () => {
    const task = object('BEGIN:VTODO', 'UID:t', 'SUMMARY:someday', 'END:VTODO');
    expect(plan(task, range('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z')).kind).toBe('keep');
    expect(plan(task, range()).kind).toBe('delete-object');
  });
});
