import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/calendars/object-codec.js';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { Directory } from '../../src/mapping/directory.js';
import { staleExceptions } from '../../src/mapping/recurrence-prune.js';
import { editSeries } from '../../src/mapping/series-edit.js';
import { vtimezone } from '../../src/mapping/timezones.js';
import type { ItemChanges } from '../../src/model/item-changes.js';
import { parseWcapDate } from '../../src/wcap/datetime.js';

/**
 * When a store changes a series' rules, exceptions whose instance the new rules no longer produce
 * go (docs/wcap-protocol.md#rule-changes-and-exceptions). The series: weekly on Monday 09:00
 * Berlin from 8 January 2024.
 */
const NOW = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
const apply = { directory: new Directory('example.com'), calendarCalid: 'jdoe', master: true };

function object(...body: string[]): ICAL.Component {
  return parseObject(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', vtimezone('Europe/Berlin')!.toString(), ...body, 'END:VCALENDAR'].join('\r\n'));
}
const master = (rule: string, ...extra: string[]) => [
  'BEGIN:VEVENT',
  'UID:w',
  'DTSTART;TZID=Europe/Berlin:20240108T090000',
  'DTEND;TZID=Europe/Berlin:20240108T100000',
  `RRULE:${rule}`,
  ...extra,
  'SUMMARY:Weekly',
  'END:VEVENT',
];
/** An override of the instance on `day` (January 2024, 09:00 Berlin), moved to 14:00. */
const override = (day: string, summary = `Moved ${day}`) => [
  'BEGIN:VEVENT',
  'UID:w',
  `RECURRENCE-ID;TZID=Europe/Berlin:2024${day}T090000`,
  `DTSTART;TZID=Europe/Berlin:2024${day}T140000`,
  `DTEND;TZID=Europe/Berlin:2024${day}T150000`,
  `SUMMARY:${summary}`,
  'END:VEVENT',
];
const seriesOf = (cal: ICAL.Component) => {
  const all = itemComponents(cal);
  return { master: all.find((c) => !c.hasProperty('recurrence-id'))!, overrides: all.filter((c) => c.hasProperty('recurrence-id')) };
};
const summaries = (components: ICAL.Component[]) => components.map((c) => String(c.getFirstPropertyValue('summary')));
const exdateLines = (cal: ICAL.Component) => cal.toString().split('\r\n').filter((l) => l.startsWith('EXDATE'));
const store = (cal: ICAL.Component, changes: ItemChanges) => editSeries(cal, itemComponents(cal), 'VEVENT', changes, { rid: undefined, mod: 4, reply: false }, apply, NOW);
const d = (text: string) => parseWcapDate(text)!;

describe('staleExceptions', () => {
  it('an override of instance 7 is stale under COUNT=5 and valid under COUNT=10', () => {
    // Instance 7 of the series is Monday 19 February.
    const ten = object(...master('FREQ=WEEKLY;COUNT=10'), ...override('0219'), ...override('0115'));
    expect(staleExceptions(seriesOf(ten)).overrides).toHaveLength(0);
    const five = object(...master('FREQ=WEEKLY;COUNT=5'), ...override('0219'), ...override('0115'));
    expect(summaries(staleExceptions(seriesOf(five)).overrides)).toEqual(['Moved 0219']);
  });

  it('an override off the rule (a Tuesday under a weekly Monday rule) is stale; one on an RDATE is not', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=10', 'RDATE;TZID=Europe/Berlin:20240124T090000'), ...override('0116'), ...override('0124'));
    expect(summaries(staleExceptions(seriesOf(cal)).overrides)).toEqual(['Moved 0116']);
  });

  it('an override whose instance an EXDATE excludes is stale; the EXDATE stays', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=10', 'EXDATE;TZID=Europe/Berlin:20240122T090000'), ...override('0122'));
    const stale = staleExceptions(seriesOf(cal));
    expect(summaries(stale.overrides)).toEqual(['Moved 0122']);
    expect(stale.exdates).toHaveLength(0);
  });

  it('an EXDATE naming no instance is stale, in UTC as in the series zone', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=5', 'EXDATE:20240115T080000Z', 'EXDATE;TZID=Europe/Berlin:20240219T090000', 'EXDATE;TZID=Europe/Berlin:20240123T090000'));
    expect(staleExceptions(seriesOf(cal)).exdates.map((t) => t.toString())).toEqual(['2024-02-19T09:00:00', '2024-01-23T09:00:00']);
  });

  it('all-day series compare by day', () => {
    const cal = object(
      'BEGIN:VEVENT', 'UID:a', 'DTSTART;VALUE=DATE:20240101', 'DTEND;VALUE=DATE:20240102', 'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;VALUE=DATE:20240102', 'EXDATE;VALUE=DATE:20240110', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:a', 'RECURRENCE-ID;VALUE=DATE:20240103', 'DTSTART;VALUE=DATE:20240105', 'DTEND;VALUE=DATE:20240106', 'SUMMARY:kept', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:a', 'RECURRENCE-ID;VALUE=DATE:20240104', 'DTSTART;VALUE=DATE:20240104', 'DTEND;VALUE=DATE:20240105', 'SUMMARY:gone', 'END:VEVENT',
    );
    const stale = staleExceptions(seriesOf(cal));
    expect(summaries(stale.overrides)).toEqual(['gone']);
    expect(stale.exdates.map((t) => t.toString())).toEqual(['2024-01-10']);
  });

  it('an open-ended rule is walked only up to the latest exception', () => {
    const cal = object(...master('FREQ=DAILY'), ...override('0111'), 'BEGIN:VEVENT', 'UID:w', 'RECURRENCE-ID:20991231T080000Z', 'DTSTART:20991231T080000Z', 'SUMMARY:far', 'END:VEVENT');
    // 2099-12-31 09:00 Berlin is an instance of a daily 09:00 rule; 11 January too.
    expect(staleExceptions(seriesOf(cal)).overrides).toHaveLength(0);
  });

  it('an exception the step budget cannot reach is kept (nothing removed on a guess)', () => {
    // A secondly rule reaches 100,000 candidate steps after about a day.
    const cal = object(
      'BEGIN:VEVENT', 'UID:s', 'DTSTART:20240101T000000Z', 'RRULE:FREQ=SECONDLY;INTERVAL=7', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:s', 'RECURRENCE-ID:20250101T000001Z', 'DTSTART:20250101T000001Z', 'SUMMARY:unreachable', 'END:VEVENT',
    );
    expect(staleExceptions(seriesOf(cal)).overrides).toHaveLength(0);
  });
});

describe('storing a changed rule (mod=4 or a plain store of the master)', () => {
  it('COUNT=10 → COUNT=5 removes the override of instance 7 and reports its deletion', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=10'), ...override('0219'), ...override('0115'));
    const edit = store(cal, { rrules: ['FREQ=WEEKLY;COUNT=5'], replace: false });
    expect(edit.kind).toBe('update');
    expect(summaries(itemComponents(cal).filter((c) => c.hasProperty('recurrence-id')))).toEqual(['Moved 0115']);
    expect(edit.kind === 'update' && edit.deleted).toEqual([{ uid: 'w', type: 'VEVENT', recurrenceId: '20240219T080000Z', dtstart: '20240219T130000Z' }]);
  });

  it('new EXDATEs through exdates remove the overrides of those instances', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=10'), ...override('0122'), ...override('0129'));
    store(cal, { exdates: [d('20240122T080000Z')], replace: false });
    expect(summaries(itemComponents(cal).filter((c) => c.hasProperty('recurrence-id')))).toEqual(['Moved 0129']);
    expect(exdateLines(cal)).toEqual(['EXDATE;TZID=Europe/Berlin:20240122T090000']);
  });

  it('an EXDATE left outside the shortened series is removed, one inside stays', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=10', 'EXDATE;TZID=Europe/Berlin:20240115T090000', 'EXDATE;TZID=Europe/Berlin:20240304T090000'));
    store(cal, { rrules: ['FREQ=WEEKLY;COUNT=5'], replace: false });
    expect(exdateLines(cal)).toEqual(['EXDATE;TZID=Europe/Berlin:20240115T090000']);
  });

  it('a store that leaves the rules alone keeps even an exception the rules do not back', () => {
    // Written by another client; only a rule change makes the gateway judge exceptions.
    const cal = object(...master('FREQ=WEEKLY;COUNT=5'), ...override('0219'));
    const edit = store(cal, { summary: 'Renamed', replace: false });
    expect(edit.kind).toBe('update');
    expect(summaries(itemComponents(cal).filter((c) => c.hasProperty('recurrence-id')))).toEqual(['Moved 0219']);
  });

  it('moving the whole series keeps its exceptions (they move with it)', () => {
    const cal = object(...master('FREQ=WEEKLY;COUNT=10'), ...override('0219'));
    store(cal, { dtstart: d('20240108T090000Z'), dtend: d('20240108T100000Z'), tzid: 'Europe/Berlin', replace: false });
    const kept = itemComponents(cal).filter((c) => c.hasProperty('recurrence-id'));
    expect(kept.map((c) => c.getFirstProperty('recurrence-id')!.toICALString())).toEqual(['RECURRENCE-ID;TZID=Europe/Berlin:20240219T100000']);
  });
});
