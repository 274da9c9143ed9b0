import { describe, expect, it } from 'vitest';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { DEFAULT_LIMITS } from '../../src/mapping/expand.js';
import { scanObject } from '../../src/mapping/object-scan.js';
import { boundsOverlap, itemsOverlap } from '../../src/mapping/time-span.js';
import { parseObject } from '../../src/calendars/object-codec.js';

/**
 * The calendar cache answers a range fetch itself, so it must pick the same items a CalDAV
 * server's time-range filter picks (RFC 4791 §9.9). Each case: one stored object, the March 2027
 * window [2027-03-01, 2027-04-01) UTC, and whether the item is in it.
 */
const MARCH = { start: new Date('2027-03-01T00:00:00Z'), end: new Date('2027-04-01T00:00:00Z') };
const text = (type: 'VEVENT' | 'VTODO', ...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', `BEGIN:${type}`, 'UID:x', ...lines, `END:${type}`, 'END:VCALENDAR', ''].join('\r\n');
const object = (type: 'VEVENT' | 'VTODO', ...lines: string[]) => ({ items: itemComponents(parseObject(text(type, ...lines))), text: text(type, ...lines) });

const cases: Array<[string, ReturnType<typeof object>, boolean]> = [
  ['event inside', object('VEVENT', 'DTSTART:20270310T090000Z', 'DTEND:20270310T100000Z'), true],
  ['event ending exactly at the window start', object('VEVENT', 'DTSTART:20270228T230000Z', 'DTEND:20270301T000000Z'), false],
  ['event starting exactly at the window end', object('VEVENT', 'DTSTART:20270401T000000Z', 'DTEND:20270401T010000Z'), false],
  ['event spanning the window', object('VEVENT', 'DTSTART:20270201T000000Z', 'DTEND:20270501T000000Z'), true],
  ['event with DURATION reaching in', object('VEVENT', 'DTSTART:20270228T230000Z', 'DURATION:PT2H'), true],
  ['instant event (no end) at the window start', object('VEVENT', 'DTSTART:20270301T000000Z'), true],
  ['all-day event on the last day of February', object('VEVENT', 'DTSTART;VALUE=DATE:20270228'), false],
  ['all-day event on 1 March', object('VEVENT', 'DTSTART;VALUE=DATE:20270301'), true],
  ['event in Berlin time: 1 March 00:30 there is 28 February 23:30Z', object('VEVENT', 'DTSTART;TZID=Europe/Berlin:20270301T003000', 'DTEND;TZID=Europe/Berlin:20270301T004500'), false],
  ['weekly series from January still running in March', object('VEVENT', 'DTSTART:20270104T090000Z', 'DTEND:20270104T100000Z', 'RRULE:FREQ=WEEKLY'), true],
  ['weekly series that ended in February', object('VEVENT', 'DTSTART:20270104T090000Z', 'DTEND:20270104T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=4'), false],
  ['yearly series whose instances miss March', object('VEVENT', 'DTSTART:20200615T090000Z', 'DTEND:20200615T100000Z', 'RRULE:FREQ=YEARLY'), false],
  ['task with DTSTART and DUE across the window start', object('VTODO', 'DTSTART:20270220T090000Z', 'DUE:20270305T090000Z'), true],
  ['task due in February', object('VTODO', 'DUE:20270215T090000Z'), false],
  ['task due in March', object('VTODO', 'DUE:20270315T090000Z'), true],
  ['task with only CREATED before the window (matches every later range)', object('VTODO', 'CREATED:20270101T000000Z'), true],
  ['task without any date (matches every range)', object('VTODO', 'SUMMARY:someday'), true],
  ['task completed in April', object('VTODO', 'COMPLETED:20270402T000000Z'), false],
];

describe('range selection of cached objects (RFC 4791 §9.9)', () => {
  it.each(cases)('%s', (_label, { items, text }, expected) => {
    expect(itemsOverlap(items, MARCH, undefined, DEFAULT_LIMITS)).toBe(expected);
    // The cheap bounds from the text never exclude an object the exact test keeps.
    if (expected) expect(boundsOverlap(scanObject(text).bounds, MARCH)).toBe(true);
  });

  it('the cheap bounds do exclude objects far from the range (what makes the cache fast)', () => {
    const far = [
      text('VEVENT', 'DTSTART:20200105T090000Z', 'DTEND:20200105T100000Z'),
      text('VEVENT', 'DTSTART;TZID=Europe/Berlin:20200105T090000', 'DURATION:PT1H'),
      text('VEVENT', 'DTSTART:20200105T090000Z', 'RRULE:FREQ=WEEKLY;COUNT=20'),
      text('VEVENT', 'DTSTART:20200105T090000Z', 'RRULE:FREQ=DAILY;UNTIL=20200301T000000Z'),
      text('VTODO', 'DUE:20200105T090000Z'),
    ];
    expect(far.map((t) => boundsOverlap(scanObject(t).bounds, MARCH))).toEqual([false, false, false, false, false]);
    // Open or filtered rules cannot be bounded cheaply.
    expect(boundsOverlap(scanObject(text('VEVENT', 'DTSTART:20200105T090000Z', 'RRULE:FREQ=YEARLY')).bounds, MARCH)).toBe(true);
    expect(boundsOverlap(scanObject(text('VEVENT', 'DTSTART:20200105T090000Z', 'RRULE:FREQ=DAILY;BYMONTH=2;COUNT=3')).bounds, MARCH)).toBe(true);
  });

  it('reads floating times and DATEs in the calendar zone', () => {
    // 31 March 23:30 in Tokyo is 14:30Z: inside March for a Tokyo calendar; 1 April 00:30 Tokyo is 31 March 15:30Z.
    const lateApril1 = object('VEVENT', 'DTSTART:20270401T003000', 'DTEND:20270401T010000').items;
    expect(itemsOverlap(lateApril1, MARCH, undefined, DEFAULT_LIMITS)).toBe(false);
    expect(itemsOverlap(lateApril1, MARCH, 'Asia/Tokyo', DEFAULT_LIMITS)).toBe(true);
  });

  it('an open range matches every item', () => {
    expect(itemsOverlap(object('VEVENT', 'DTSTART:19990101T000000Z').items, {}, undefined, DEFAULT_LIMITS)).toBe(true);
  });
});
