import type ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { Attrset } from '../../src/mapping/attrset.js';
import { itemsForOutput, type ItemOutputOptions } from '../../src/mapping/item-output.js';
import { parseTimezoneOut } from '../../src/mapping/tzidout.js';
import { directory, lineOf, stored, vevent } from './fetch-fixtures.js';

/**
 * tzidout, attrset and relativealarm as itemsForOutput applies them
 * (docs/wcap-protocol.md#fetch-parameters, docs/wcap-protocol.md#time-zone-parameters).
 */

const out = (items: ICAL.Component[], options: Partial<ItemOutputOptions>) => {
  const all = itemsForOutput(items, { emailOrCalid: true, directory, ...options });
  return { items: all.filter((c) => c.name !== 'vtimezone'), zones: all.filter((c) => c.name === 'vtimezone').map((z) => z.getFirstPropertyValue('tzid')) };
};

// A Berlin series with an exception, an EXDATE list, an RDATE and a UTC stamp; 10 March 2026 is
// winter time in Berlin (UTC+1) but already summer time in New York (UTC−4, from 8 March).
const SERIES = stored(['Europe/Berlin'],
  ...vevent('s', 'DTSTART;TZID=Europe/Berlin:20260310T090000', 'DTEND;TZID=Europe/Berlin:20260310T100000',
    'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=Europe/Berlin:20260311T090000,20260312T090000',
    'RDATE;TZID=Europe/Berlin:20260320T090000', 'LAST-MODIFIED:20260301T101010Z', 'SUMMARY:Standup'),
  ...vevent('s', 'RECURRENCE-ID;TZID=Europe/Berlin:20260313T090000', 'DTSTART;TZID=Europe/Berlin:20260313T110000',
    'DTEND;TZID=Europe/Berlin:20260313T120000', 'SUMMARY:Later'),
);
const ALL_DAY = stored([], ...vevent('d', 'DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260311', 'SUMMARY:Holiday'));
const UTC = stored([], ...vevent('u', 'DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z', 'SUMMARY:UTC'));

describe('parseTimezoneOut', () => {
  it.each([
    ['X-S1CS-TZNATIVE', { kind: 'stored' }],
    ['x-s1cs-tznative', { kind: 'stored' }],
    ['America/New_York', { kind: 'zone', tzid: 'America/New_York' }],
    ['UTC', { kind: 'zone', tzid: 'UTC' }],
    ['Mars/Olympus_Mons', undefined],
    ['america/new_york', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseTimezoneOut(value)).toEqual(expected);
  });
});

describe('tzidout', () => {
  it('a zone: exceptions in that zone, the master in its own zone (its rule expands there)', () => {
    const { items, zones } = out(SERIES, { timezoneOut: { kind: 'zone', tzid: 'America/New_York' } });
    expect(zones.sort()).toEqual(['America/New_York', 'Europe/Berlin']);
    // Rewritten into New York time the weekly rule would be expanded there and move instances
    // across the DST dates that differ between the zones (RFC 5545 §3.3.10).
    expect(['DTSTART', 'EXDATE', 'LAST-MODIFIED'].map((n) => lineOf(items[0]!, n))).toEqual([
      'DTSTART;TZID=Europe/Berlin:20260310T090000',
      'EXDATE;TZID=Europe/Berlin:20260311T090000,20260312T090000',
      'LAST-MODIFIED:20260301T101010Z',
    ]);
    expect(lineOf(items[1]!, 'RECURRENCE-ID')).toBe('RECURRENCE-ID;TZID=America/New_York:20260313T040000');
    // The hint still names the zone the event lives in (Sun's meaning of X-NSCP-DTSTART-TZID).
    expect(lineOf(items[0]!, 'X-NSCP-DTSTART-TZID')).toBe('X-NSCP-DTSTART-TZID:Europe/Berlin');
  });

  it('UTC: Zulu values without TZID and no VTIMEZONE (Sun style a)', () => {
    const { items, zones } = out(SERIES, { timezoneOut: { kind: 'zone', tzid: 'UTC' } });
    expect(zones).toEqual([]);
    expect(lineOf(items[0]!, 'DTSTART')).toBe('DTSTART:20260310T080000Z');
    expect(lineOf(items[0]!, 'X-NSCP-DTSTART-TZID')).toBe('X-NSCP-DTSTART-TZID:Europe/Berlin');
  });

  it('America/New_York on the day summer time ends: the local time names the same instant', () => {
    const evening = stored([], ...vevent('n', 'DTSTART:20131103T010000Z', 'DTEND:20131103T020000Z', 'SUMMARY:Saturday evening'));
    const { items } = out(evening, { timezoneOut: { kind: 'zone', tzid: 'America/New_York' } });
    expect(['DTSTART', 'DTEND'].map((n) => lineOf(items[0]!, n))).toEqual([
      'DTSTART;TZID=America/New_York:20131102T210000',
      'DTEND;TZID=America/New_York:20131102T220000',
    ]);
  });

  it('America/New_York: an instant in the first pass of the repeated hour stays UTC (its local name means the second)', () => {
    const early = stored([], ...vevent('r', 'DTSTART:20131103T053000Z', 'DTEND:20131103T063000Z', 'SUMMARY:Night shift'));
    const { items } = out(early, { timezoneOut: { kind: 'zone', tzid: 'America/New_York' } });
    expect(['DTSTART', 'DTEND'].map((n) => lineOf(items[0]!, n))).toEqual(['DTSTART:20131103T053000Z', 'DTEND;TZID=America/New_York:20131103T013000']);
  });

  it('Australia/Sydney: a UTC event moves to the next local day', () => {
    const { items } = out(UTC, { timezoneOut: { kind: 'zone', tzid: 'Australia/Sydney' } });
    expect(lineOf(items[0]!, 'DTSTART')).toBe('DTSTART;TZID=Australia/Sydney:20260310T200000');
  });

  it.each([
    ['X-S1CS-TZNATIVE', { kind: 'stored' } as const],
    ['absent', undefined],
  ])('%s: each value as stored, zones as stored', (_label, timezoneOut) => {
    const { items, zones } = out([...SERIES, ...UTC], { timezoneOut });
    expect(zones).toEqual(['Europe/Berlin']);
    expect(lineOf(items[0]!, 'DTSTART')).toBe('DTSTART;TZID=Europe/Berlin:20260310T090000');
    expect(lineOf(items[2]!, 'DTSTART')).toBe('DTSTART:20260310T090000Z');
  });

  it('all-day values stay DATEs', () => {
    const { items } = out(ALL_DAY, { timezoneOut: { kind: 'zone', tzid: 'America/New_York' } });
    expect([lineOf(items[0]!, 'DTSTART'), lineOf(items[0]!, 'DTEND')]).toEqual(['DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260311']);
  });

  it('the stored components are not changed', () => {
    const before = SERIES.map((c) => c.toString());
    out(SERIES, { timezoneOut: { kind: 'zone', tzid: 'America/New_York' } });
    expect(SERIES.map((c) => c.toString())).toEqual(before);
  });
});

describe('attrset', () => {
  const FULL = stored(['Europe/Berlin'], 'BEGIN:VEVENT', 'UID:f', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=Europe/Berlin:20260310T090000',
    'DTEND;TZID=Europe/Berlin:20260310T100000', 'RRULE:FREQ=WEEKLY;COUNT=2', 'EXDATE;TZID=Europe/Berlin:20260317T090000',
    'SUMMARY:Full', 'LOCATION:Room 1', 'CLASS:PRIVATE', 'DESCRIPTION:Text', 'ORGANIZER:mailto:alice@example.com',
    'BEGIN:VALARM', 'ACTION:EMAIL', 'TRIGGER:-PT15M', 'END:VALARM', 'END:VEVENT');
  const HINTS = ['x-nscp-dtstart-tzid', 'x-nscp-dtend-tzid'];
  const shape = (c: ICAL.Component) => [c.getAllProperties().map((p) => p.name), c.getAllSubcomponents().map((s) => s.name)];

  it.each<[Attrset | undefined, string[], string[]]>([
    [0, ['uid', 'dtstart', 'dtend', 'summary', ...HINTS], []],
    [1, ['uid', 'dtstart', 'dtend', 'rrule', 'exdate', 'summary', 'location', 'class', ...HINTS], ['valarm']],
    [2, ['uid', 'dtstamp', 'dtstart', 'dtend', 'rrule', 'exdate', 'summary', 'location', 'class', 'description', 'organizer', ...HINTS], ['valarm']],
    [undefined, ['uid', 'dtstamp', 'dtstart', 'dtend', 'rrule', 'exdate', 'summary', 'location', 'class', 'description', 'organizer', ...HINTS], ['valarm']],
  ])('attrset=%s', (attrset, properties, components) => {
    expect(shape(out(FULL, { attrset }).items[0]!)).toEqual([properties, components]);
  });
});

describe('relativealarm', () => {
  const withAlarm = (trigger: string, ...times: string[]) =>
    stored(['Europe/Berlin'], 'BEGIN:VEVENT', 'UID:a', ...times, 'BEGIN:VALARM', 'ACTION:EMAIL', trigger, 'END:VALARM', 'END:VEVENT');
  const TIMED = ['DTSTART;TZID=Europe/Berlin:20260329T090000', 'DTEND;TZID=Europe/Berlin:20260329T100000'];
  const triggerOf = (items: ICAL.Component[], options: Partial<ItemOutputOptions>) =>
    lineOf(out(items, options).items[0]!.getFirstSubcomponent('valarm')!, 'TRIGGER');

  it.each([
    ['15 minutes before the start', 'TRIGGER:-PT15M', TIMED, 'TRIGGER;VALUE=DATE-TIME:20260329T064500Z'],
    ['before the end (RELATED=END)', 'TRIGGER;RELATED=END:-PT5M', TIMED, 'TRIGGER;VALUE=DATE-TIME:20260329T075500Z'],
    // The day before 09:00 on the day Berlin switches to summer time is 09:00 in winter time.
    ['one day before, a nominal day across DST', 'TRIGGER:-P1D', TIMED, 'TRIGGER;VALUE=DATE-TIME:20260328T080000Z'],
    ['already absolute', 'TRIGGER;VALUE=DATE-TIME:20260101T000000Z', TIMED, 'TRIGGER;VALUE=DATE-TIME:20260101T000000Z'],
  ])('relativealarm=0, %s', (_label, trigger, times, expected) => {
    expect(triggerOf(withAlarm(trigger, ...times), { relativeAlarms: false })).toBe(expected);
  });

  it('relativealarm=0 on an all-day item counts from midnight in the calendar zone', () => {
    const items = withAlarm('TRIGGER:-PT1H', 'DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260311');
    expect(triggerOf(items, { relativeAlarms: false, floatingZone: 'Europe/Berlin' })).toBe('TRIGGER;VALUE=DATE-TIME:20260309T220000Z');
    expect(triggerOf(items, { relativeAlarms: false })).toBe('TRIGGER;VALUE=DATE-TIME:20260309T230000Z');
  });

  it.each([true, undefined])('relativealarm=%s keeps the trigger as stored', (relativeAlarms) => {
    expect(triggerOf(withAlarm('TRIGGER;RELATED=END:-PT5M', ...TIMED), { relativeAlarms })).toBe('TRIGGER;RELATED=END:-PT5M');
  });
});
