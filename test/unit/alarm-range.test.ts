import type ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/calendars/object-codec.js';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { Directory } from '../../src/mapping/directory.js';
import { DEFAULT_LIMITS } from '../../src/mapping/expand.js';
import { alarmInstants, selectByAlarm } from '../../src/mapping/alarm-range.js';
import type { FetchSelection } from '../../src/mapping/fetch-selection.js';
import { vtimezone } from '../../src/mapping/timezones.js';

/** Which occurrences' alarms fire in a range (docs/wcap-protocol.md#fetchcomponents_by_alarmrange). */
const selection: FetchSelection = { masters: false, compressed: false, compstate: undefined, user: 'jdoe', directory: new Directory('example.com'), limits: DEFAULT_LIMITS };

function object(...body: string[]): ICAL.Component {
  return parseObject(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', vtimezone('Europe/Berlin')!.toString(), ...body, 'END:VCALENDAR'].join('\r\n'));
}
const alarm = (...lines: string[]) => ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:r', ...lines, 'END:VALARM'];
const event = (uid: string, start: string, end: string, ...extra: string[]) => ['BEGIN:VEVENT', `UID:${uid}`, `DTSTART${start}`, `DTEND${end}`, ...extra, 'END:VEVENT'];
const select = (cal: ICAL.Component, start: string, end: string, options: Partial<FetchSelection> = {}) =>
  selectByAlarm([itemComponents(cal)], { start: new Date(start), end: new Date(end) }, { ...selection, ...options }, 0);
const keys = (components: ICAL.Component[]) =>
  components.map((c) => `${c.getFirstPropertyValue('uid')}${c.hasProperty('recurrence-id') ? `@${(c.getFirstPropertyValue('recurrence-id') as ICAL.Time).toString()}` : ''}`);

describe('alarmInstants', () => {
  it('relative to the start, to the end, absolute, and repeated', () => {
    const cal = object(
      ...event(
        'e',
        ':20270310T090000Z',
        ':20270310T100000Z',
        ...alarm('TRIGGER:-PT15M'),
        ...alarm('TRIGGER;RELATED=END:PT5M'),
        ...alarm('TRIGGER;VALUE=DATE-TIME:20270309T180000Z'),
        ...alarm('TRIGGER:-PT1H', 'REPEAT:2', 'DURATION:PT10M'),
      ),
    );
    const e = itemComponents(cal)[0]!;
    const instants = alarmInstants(e, e.getFirstPropertyValue('dtstart') as ICAL.Time, e.getFirstPropertyValue('dtend') as ICAL.Time, undefined);
    expect(instants.map((d) => d.toISOString().slice(5, 16)).sort()).toEqual(['03-09T18:00', '03-10T08:00', '03-10T08:10', '03-10T08:20', '03-10T08:45', '03-10T10:05']);
  });

  it('a day before an all-day event counts in the calendar zone', () => {
    const cal = object('BEGIN:VEVENT', 'UID:a', 'DTSTART;VALUE=DATE:20270310', 'DTEND;VALUE=DATE:20270311', ...alarm('TRIGGER:-P1D'), 'END:VEVENT');
    const e = itemComponents(cal)[0]!;
    const [at] = alarmInstants(e, e.getFirstPropertyValue('dtstart') as ICAL.Time, undefined, 'Europe/Berlin');
    expect(at!.toISOString()).toBe('2027-03-08T23:00:00.000Z');
  });
});

describe('selectByAlarm', () => {
  it('an event is found by its alarm time, not its own time', () => {
    const cal = object(...event('late', ':20270311T000500Z', ':20270311T010000Z', ...alarm('TRIGGER:-PT30M')));
    expect(keys(select(cal, '2027-03-10T23:00:00Z', '2027-03-11T00:00:00Z'))).toEqual(['late']);
    expect(keys(select(cal, '2027-03-11T00:00:00Z', '2027-03-12T00:00:00Z'))).toEqual([]);
  });

  it('items without alarms are never returned', () => {
    const cal = object(...event('quiet', ':20270310T090000Z', ':20270310T100000Z'));
    expect(select(cal, '2027-03-01T00:00:00Z', '2027-04-01T00:00:00Z')).toEqual([]);
  });

  it('a daily series answers the instances whose alarm fires in the range; an override with its own alarm time counts by it', () => {
    const cal = object(
      ...event('d', ';TZID=Europe/Berlin:20270301T090000', ';TZID=Europe/Berlin:20270301T100000', 'RRULE:FREQ=DAILY;COUNT=30', ...alarm('TRIGGER:-PT10M')),
      'BEGIN:VEVENT', 'UID:d', 'RECURRENCE-ID;TZID=Europe/Berlin:20270305T090000', 'DTSTART;TZID=Europe/Berlin:20270305T090000', 'DTEND;TZID=Europe/Berlin:20270305T100000',
      ...alarm('TRIGGER:-P1D'), 'END:VEVENT',
    );
    // 08:50 Berlin = 07:50Z in March before the DST change (28 March).
    expect(keys(select(cal, '2027-03-03T07:00:00Z', '2027-03-05T08:00:00Z'))).toEqual(['d@2027-03-03T09:00:00', 'd@2027-03-04T09:00:00', 'd@2027-03-05T09:00:00']);
    // The override of 5 March rings a day ahead (4 March 08:00Z), so nothing rings on 5 March itself.
    expect(keys(select(cal, '2027-03-05T07:00:00Z', '2027-03-05T09:00:00Z'))).toEqual([]);
    // After the DST change 08:50 Berlin is 06:50Z.
    expect(keys(select(cal, '2027-03-29T06:00:00Z', '2027-03-29T07:00:00Z'))).toEqual(['d@2027-03-29T09:00:00']);
    // recurring=1: the master with its exception, once.
    expect(keys(select(cal, '2027-03-03T07:00:00Z', '2027-03-05T08:00:00Z', { masters: true }))).toEqual(['d', 'd@2027-03-05T09:00:00']);
  });

  it('an absolute trigger on a series master belongs to its first instance', () => {
    const cal = object(...event('s', ':20270301T090000Z', ':20270301T100000Z', 'RRULE:FREQ=WEEKLY', ...alarm('TRIGGER;VALUE=DATE-TIME:20270215T120000Z')));
    expect(keys(select(cal, '2027-02-15T00:00:00Z', '2027-02-16T00:00:00Z'))).toEqual(['s@2027-03-01T09:00:00Z']);
  });

  it('an open-ended series in an open range is capped by the expansion budget', () => {
    const cal = object(...event('o', ':20270301T090000Z', ':20270301T100000Z', 'RRULE:FREQ=DAILY', ...alarm('TRIGGER:-PT5M')));
    const found = selectByAlarm([itemComponents(cal)], {}, { ...selection, limits: { ...DEFAULT_LIMITS, maxPerSeries: 7 } }, 0);
    expect(found).toHaveLength(7);
  });
});
