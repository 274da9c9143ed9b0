import type ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/mapping/expand.js';
import { selectById, selectInRange, type FetchSelection, type InstanceMod } from '../../src/mapping/fetch-selection.js';
import { parseWcapDate } from '../../src/wcap/datetime.js';
import { directory, iso, lineOf, stored, vevent } from './fetch-fixtures.js';

/**
 * What recurring=1 and recurring=0 fetches return (mapping/fetch-selection.ts), and how expanded
 * instances look (docs/wcap-protocol.md#recurring-and-compressed).
 */

const base: FetchSelection = { masters: false, compressed: false, compstate: undefined, user: 'alice', directory, limits: DEFAULT_LIMITS };

// Weekly Monday 09:00 Berlin, four times from 25 March 2024 (across the DST change), with an
// EXDATE on 8 April and the 1 April instance moved to Tuesday 2 April 14:00.
const SERIES = [
  ...vevent('s', 'DTSTART;TZID=Europe/Berlin:20240325T090000', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;COUNT=4',
    'EXDATE;TZID=Europe/Berlin:20240408T090000', 'SUMMARY:Series'),
  ...vevent('s', 'RECURRENCE-ID;TZID=Europe/Berlin:20240401T090000', 'DTSTART;TZID=Europe/Berlin:20240402T140000',
    'DTEND;TZID=Europe/Berlin:20240402T150000', 'SUMMARY:Moved'),
];
const SINGLE = vevent('one', 'DTSTART:20240403T120000Z', 'DTEND:20240403T130000Z', 'SUMMARY:Single');

const summaries = (components: ICAL.Component[]) => components.map((c) => c.getFirstPropertyValue('summary'));
const shape = (c: ICAL.Component) => ['RECURRENCE-ID', 'DTSTART', 'DTEND', 'DURATION', 'RRULE', 'EXDATE'].map((n) => lineOf(c, n) ?? '-');

describe('selectInRange', () => {
  const objects = () => [stored(['Europe/Berlin'], ...SERIES), stored([], ...SINGLE)];
  const april = { start: iso('2024-03-31T00:00:00Z'), end: iso('2024-04-30T00:00:00Z') };

  it('recurring=1: masters and exceptions as stored, not expanded', () => {
    const out = selectInRange(objects(), april, { ...base, masters: true }, 0);
    expect(summaries(out)).toEqual(['Series', 'Moved', 'Single']);
    expect(lineOf(out[0]!, 'RRULE')).toBe('RRULE:FREQ=WEEKLY;COUNT=4');
  });

  it('recurring=0: one component per instance, with RECURRENCE-ID and its own start and end, no series properties', () => {
    const out = selectInRange(objects(), april, base, 0);
    expect(summaries(out)).toEqual(['Moved', 'Series', 'Single']);
    expect(out.map(shape)).toEqual([
      ['RECURRENCE-ID;TZID=Europe/Berlin:20240401T090000', 'DTSTART;TZID=Europe/Berlin:20240402T140000', 'DTEND;TZID=Europe/Berlin:20240402T150000', '-', '-', '-'],
      // DURATION becomes DTEND; the instance after the DST change is still at 09:00 local time.
      ['RECURRENCE-ID;TZID=Europe/Berlin:20240415T090000', 'DTSTART;TZID=Europe/Berlin:20240415T090000', 'DTEND;TZID=Europe/Berlin:20240415T100000', '-', '-', '-'],
      // Not recurring: as stored.
      ['-', 'DTSTART:20240403T120000Z', 'DTEND:20240403T130000Z', '-', '-', '-'],
    ]);
  });

  it('recurring=0 with compressed=1: instances keep RRULE and EXDATE', () => {
    const out = selectInRange(objects(), april, { ...base, compressed: true }, 0);
    expect(lineOf(out[1]!, 'RRULE')).toBe('RRULE:FREQ=WEEKLY;COUNT=4');
    expect(lineOf(out[1]!, 'EXDATE')).toBe('EXDATE;TZID=Europe/Berlin:20240408T090000');
  });

  it('leaves the stored components alone', () => {
    const stock = objects();
    const before = stock.flat().map((c) => c.toString());
    selectInRange(stock, april, base, 0);
    expect(stock.flat().map((c) => c.toString())).toEqual(before);
  });

  it.each<[string, boolean, number, string[]]>([
    ['masters: a master is not split from its exceptions', true, 1, ['Series', 'Moved']],
    ['masters: two groups', true, 2, ['Series', 'Moved', 'Single']],
    ['instances: components', false, 1, ['Moved']],
  ])('maxResults, %s', (_label, masters, max, expected) => {
    expect(summaries(selectInRange(objects(), april, { ...base, masters }, max))).toEqual(expected);
  });

  it('an all-day series expands to DATE instances', () => {
    const allDay = stored([], ...vevent('d', 'DTSTART;VALUE=DATE:20240601', 'DTEND;VALUE=DATE:20240602', 'RRULE:FREQ=YEARLY', 'SUMMARY:Birthday'));
    const out = selectInRange([allDay], { start: iso('2025-01-01T00:00:00Z'), end: iso('2027-01-01T00:00:00Z') }, base, 0);
    expect(out.map(shape)).toEqual([
      ['RECURRENCE-ID;VALUE=DATE:20250601', 'DTSTART;VALUE=DATE:20250601', 'DTEND;VALUE=DATE:20250602', '-', '-', '-'],
      ['RECURRENCE-ID;VALUE=DATE:20260601', 'DTSTART;VALUE=DATE:20260601', 'DTEND;VALUE=DATE:20260602', '-', '-', '-'],
    ]);
  });

  it('a recurring task moves its DUE with each instance', () => {
    const task = stored(['Europe/Berlin'], 'BEGIN:VTODO', 'UID:t', 'DTSTART;TZID=Europe/Berlin:20240304T080000',
      'DUE;TZID=Europe/Berlin:20240304T170000', 'RRULE:FREQ=WEEKLY;COUNT=3', 'SUMMARY:Report', 'END:VTODO');
    const out = selectInRange([task], { start: iso('2024-04-01T00:00:00Z'), end: undefined }, base, 0);
    expect(out.map((c) => lineOf(c, 'DUE'))).toEqual([]);
    const all = selectInRange([task], {}, base, 0);
    expect(all.map((c) => lineOf(c, 'DUE'))).toEqual([
      'DUE;TZID=Europe/Berlin:20240304T170000',
      'DUE;TZID=Europe/Berlin:20240311T170000',
      'DUE;TZID=Europe/Berlin:20240318T170000',
    ]);
  });
});

describe('selectById', () => {
  const items = () => stored(['Europe/Berlin'], ...SERIES);
  const rid = (text: string) => parseWcapDate(text) ?? undefined;
  const byId = (ridText: string | undefined, mod: InstanceMod, tzid?: string) =>
    selectById(items(), { rid: ridText ? rid(ridText) : undefined, tzid, mod }, base).map((c) => lineOf(c, 'RECURRENCE-ID'));

  it('recurring=1 returns master and exceptions whatever the rid', () => {
    const out = selectById(items(), { rid: rid('20240401T070000Z'), mod: 1 }, { ...base, masters: true });
    expect(summaries(out)).toEqual(['Series', 'Moved']);
  });

  it.each<[string, string | undefined, InstanceMod, string | undefined, string[]]>([
    ['no rid: every instance', undefined, 1, undefined, ['20240325T090000', '20240401T090000', '20240415T090000']],
    ['UTC rid of a summer instance (07:00Z)', '20240415T070000Z', 1, undefined, ['20240415T090000']],
    ['UTC rid of the moved instance', '20240401T070000Z', 1, undefined, ['20240401T090000']],
    ['floating rid, read in the series zone', '20240325T090000', 1, undefined, ['20240325T090000']],
    ['floating rid, read in tzid', '20240325T040000', 1, 'America/New_York', ['20240325T090000']],
    ['mod=2: this and future', '20240401T070000Z', 2, undefined, ['20240401T090000', '20240415T090000']],
    ['mod=3: this and prior', '20240401T070000Z', 3, undefined, ['20240325T090000', '20240401T090000']],
    ['mod=4: all', '20240401T070000Z', 4, undefined, ['20240325T090000', '20240401T090000', '20240415T090000']],
    ['a deleted instance: nothing', '20240408T070000Z', 1, undefined, []],
    ['an hour off: nothing', '20240415T080000Z', 1, undefined, []],
  ])('recurring=0, %s', (_label, ridText, mod, tzid, expected) => {
    expect(byId(ridText, mod, tzid)).toEqual(expected.map((local) => `RECURRENCE-ID;TZID=Europe/Berlin:${local}`));
  });

  it('recurring=0 on an item that does not recur: the item, with or without its start as rid', () => {
    const single = () => stored([], ...SINGLE);
    expect(summaries(selectById(single(), { mod: 1 }, base))).toEqual(['Single']);
    expect(summaries(selectById(single(), { rid: rid('20240403T120000Z'), mod: 1 }, base))).toEqual(['Single']);
    expect(summaries(selectById(single(), { rid: rid('20240404T120000Z'), mod: 1 }, base))).toEqual([]);
  });

  it('a DATE rid finds the instance of an all-day series', () => {
    const allDay = stored([], ...vevent('d', 'DTSTART;VALUE=DATE:20240601', 'RRULE:FREQ=DAILY;COUNT=5'));
    const out = selectById(allDay, { rid: rid('20240603'), mod: 1 }, base);
    expect(out.map((c) => lineOf(c, 'RECURRENCE-ID'))).toEqual(['RECURRENCE-ID;VALUE=DATE:20240603']);
  });
});
