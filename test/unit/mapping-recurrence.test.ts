import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { parseObject } from '../../src/calendars/object-codec.js';
import { occurrencesIn, type Occurrence } from '../../src/mapping/expand.js';
import { busyPeriods, freeBusyComponent, freePeriods, type BusyPeriod } from '../../src/mapping/freebusy.js';
import { deleteInstances } from '../../src/mapping/recurrence-delete.js';
import { vtimezone } from '../../src/mapping/timezones.js';
import type { WcapDate } from '../../src/model/wcap-date.js';
import { parseWcapDate } from '../../src/wcap/datetime.js';

const NOW = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));

function d(text: string): WcapDate {
  const value = parseWcapDate(text);
  if (!value) throw new Error(`bad test date ${text}`);
  return value;
}

/** A stored object (with the Berlin VTIMEZONE) holding the given component lines. */
function object(...body: string[]): ICAL.Component {
  return parseObject(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', vtimezone('Europe/Berlin')!.toString(), ...body, 'END:VCALENDAR'].join('\r\n'));
}

/** WCAP mod=1 (this instance only) of item `uid`; the outcome. */
const deleteOne = (cal: ICAL.Component, uid: string, rid: string, tzid?: string) =>
  deleteInstances(cal, uid, 'VEVENT', d(rid), 1, tzid, NOW).outcome;

const linesOf = (c: ICAL.Component) => c.toString().replace(/\r\n /g, '').split('\r\n');
const iso = (s: string) => new Date(s);
const starts = (occurrences: Occurrence[]) => occurrences.map((o) => o.start.toISOString());
const all = (cal: ICAL.Component) => occurrencesIn(itemComponents(cal), iso('2024-01-01T00:00:00Z'), iso('2025-01-01T00:00:00Z'));

// Monday 8 January 2024, 09:00 in Berlin (08:00Z in winter, 07:00Z in summer).
const WEEKLY = ['BEGIN:VEVENT', 'UID:w', 'DTSTART;TZID=Europe/Berlin:20240108T090000', 'DTEND;TZID=Europe/Berlin:20240108T100000', 'RRULE:FREQ=WEEKLY', 'SUMMARY:Weekly', 'END:VEVENT'];
const OVERRIDE_15 = ['BEGIN:VEVENT', 'UID:w', 'RECURRENCE-ID;TZID=Europe/Berlin:20240115T090000', 'DTSTART;TZID=Europe/Berlin:20240116T140000', 'DTEND;TZID=Europe/Berlin:20240116T150000', 'SUMMARY:Moved', 'END:VEVENT'];

describe('deleteInstances, mod=1', () => {
  it.each([
    ['a winter instance by UTC rid', '20240115T080000Z', 'EXDATE;TZID=Europe/Berlin:20240115T090000', '2024-01-15T08:00:00.000Z'],
    ['a summer instance by UTC rid', '20240708T070000Z', 'EXDATE;TZID=Europe/Berlin:20240708T090000', '2024-07-08T07:00:00.000Z'],
    ['a floating rid, read in the series zone', '20240122T090000', 'EXDATE;TZID=Europe/Berlin:20240122T090000', '2024-01-22T08:00:00.000Z'],
  ])('%s: EXDATE in the master zone, instance gone', (_label, rid, exdate, instant) => {
    const cal = object(...WEEKLY);
    expect(all(cal).some((o) => o.start.toISOString() === instant)).toBe(true);
    expect(deleteOne(cal, 'w', rid)).toBe('updated');
    expect(linesOf(cal).filter((l) => l.startsWith('EXDATE'))).toEqual([exdate]);
    expect(all(cal).some((o) => o.start.toISOString() === instant)).toBe(false);
  });

  it('removes the override of that instance as well', () => {
    const cal = object(...WEEKLY, ...OVERRIDE_15);
    expect(all(cal).some((o) => o.item.getFirstPropertyValue('summary') === 'Moved')).toBe(true);
    expect(deleteOne(cal, 'w', '20240115T080000Z')).toBe('updated');
    expect(itemComponents(cal).map((c) => c.hasProperty('recurrence-id'))).toEqual([false]);
    expect(linesOf(cal)).toContain('EXDATE;TZID=Europe/Berlin:20240115T090000');
    expect(all(cal).some((o) => o.item.getFirstPropertyValue('summary') === 'Moved')).toBe(false);
  });

  it('deleting the same instance twice adds one EXDATE', () => {
    const cal = object(...WEEKLY);
    deleteOne(cal, 'w', '20240115T080000Z');
    deleteOne(cal, 'w', '20240115T080000Z');
    expect(linesOf(cal).filter((l) => l.startsWith('EXDATE'))).toHaveLength(1);
  });

  it('stamps the master as modified', () => {
    const cal = object(...WEEKLY);
    deleteOne(cal, 'w', '20240115T080000Z');
    expect(linesOf(cal)).toContain('LAST-MODIFIED:20240601T120000Z');
  });

  it.each([
    ['a midnight floating rid (Lightning)', '20240103T000000'],
    ['a DATE rid', '20240103'],
  ])('all-day series: a DATE EXDATE for %s', (_label, rid) => {
    const cal = object('BEGIN:VEVENT', 'UID:a', 'DTSTART;VALUE=DATE:20240101', 'DTEND;VALUE=DATE:20240102', 'RRULE:FREQ=DAILY;COUNT=5', 'END:VEVENT');
    expect(deleteOne(cal, 'a', rid, 'Europe/Berlin')).toBe('updated');
    expect(linesOf(cal).filter((l) => l.startsWith('EXDATE'))).toEqual(['EXDATE;VALUE=DATE:20240103']);
    expect(starts(all(cal))).toHaveLength(4);
  });

  it.each([
    ['the rid of its start (UTC)', '20240115T080000Z', 'delete-object'],
    ['its start as floating Berlin time', '20240115T090000', 'delete-object'],
    ['another day', '20240116T080000Z', 'not-an-instance'],
    ['another hour', '20240115T090000Z', 'not-an-instance'],
  ])('a non-recurring item and %s → %s', (_label, rid, expected) => {
    const cal = object('BEGIN:VEVENT', 'UID:s', 'DTSTART;TZID=Europe/Berlin:20240115T090000', 'END:VEVENT');
    const before = cal.toString();
    expect(deleteOne(cal, 's', rid)).toBe(expected);
    expect(cal.toString()).toBe(before);
  });
});

describe('occurrencesIn', () => {
  const MONDAYS = ['BEGIN:VEVENT', 'UID:dst', 'DTSTART;TZID=Europe/Berlin:20240304T090000', 'DTEND;TZID=Europe/Berlin:20240304T100000', 'RRULE:FREQ=WEEKLY;COUNT=6', 'END:VEVENT'];

  it('follows local time across the March DST change (08:00Z → 07:00Z)', () => {
    const occurrences = all(object(...MONDAYS));
    // Berlin switches to summer time on Sunday 31 March 2024.
    expect(starts(occurrences)).toEqual(['2024-03-04T08:00:00.000Z', '2024-03-11T08:00:00.000Z', '2024-03-18T08:00:00.000Z',
      '2024-03-25T08:00:00.000Z', '2024-04-01T07:00:00.000Z', '2024-04-08T07:00:00.000Z']);
    expect(occurrences.map((o) => o.end.getTime() - o.start.getTime())).toEqual(Array(6).fill(3_600_000));
  });

  it('follows local time across the October DST change (07:00Z → 08:00Z)', () => {
    const cal = object('BEGIN:VEVENT', 'UID:oct', 'DTSTART;TZID=Europe/Berlin:20241021T090000', 'RRULE:FREQ=WEEKLY;COUNT=2', 'END:VEVENT');
    expect(starts(all(cal))).toEqual(['2024-10-21T07:00:00.000Z', '2024-10-28T08:00:00.000Z']);
  });

  it('returns only occurrences overlapping the range', () => {
    const occurrences = occurrencesIn(itemComponents(object(...MONDAYS)), iso('2024-03-18T08:30:00Z'), iso('2024-04-01T07:00:00Z'));
    expect(starts(occurrences)).toEqual(['2024-03-18T08:00:00.000Z', '2024-03-25T08:00:00.000Z']);
  });

  it('uses an override that moves an instance, with the override as item', () => {
    const cal = object(...WEEKLY.map((l) => (l === 'RRULE:FREQ=WEEKLY' ? 'RRULE:FREQ=WEEKLY;COUNT=3' : l)), ...OVERRIDE_15);
    const occurrences = all(cal);
    expect(starts(occurrences)).toEqual(['2024-01-08T08:00:00.000Z', '2024-01-16T13:00:00.000Z', '2024-01-22T08:00:00.000Z']);
    expect(occurrences.map((o) => o.item.getFirstPropertyValue('summary'))).toEqual(['Weekly', 'Moved', 'Weekly']);
  });

  it('finds an instance moved into the range from beyond its end', () => {
    // Daily stand-up; Wednesday's instance is moved to Monday 14:00. A free-busy query for Monday must see it.
    const cal = object(
      'BEGIN:VEVENT', 'UID:daily', 'DTSTART;TZID=Europe/Berlin:20240115T090000', 'DTEND;TZID=Europe/Berlin:20240115T091500', 'RRULE:FREQ=DAILY;COUNT=5', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:daily', 'RECURRENCE-ID;TZID=Europe/Berlin:20240117T090000', 'DTSTART;TZID=Europe/Berlin:20240115T140000',
      'DTEND;TZID=Europe/Berlin:20240115T141500', 'SUMMARY:Moved', 'END:VEVENT',
    );
    const monday = occurrencesIn(itemComponents(cal), iso('2024-01-14T23:00:00Z'), iso('2024-01-15T23:00:00Z'));
    expect(starts(monday).sort()).toEqual(['2024-01-15T08:00:00.000Z', '2024-01-15T13:00:00.000Z']);
  });

  it('honours EXDATE', () => {
    const cal = object(...MONDAYS.map((l) => (l.startsWith('RRULE') ? `${l}\r\nEXDATE;TZID=Europe/Berlin:20240318T090000` : l)));
    expect(starts(all(cal))).not.toContain('2024-03-18T08:00:00.000Z');
    expect(all(cal)).toHaveLength(5);
  });

  it('returns for an impossible rule (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) instead of hanging', async () => {
    // Run in a child process: a hang inside ical.js would block this worker for good.
    const module = fileURLToPath(new URL('../../src/mapping/expand.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = `
      import ICAL from 'ical.js';
      import { occurrencesIn } from ${JSON.stringify(module)};
      const text = ['BEGIN:VCALENDAR','VERSION:2.0','BEGIN:VEVENT','UID:x','DTSTART:20240101T090000Z',
        'DTEND:20240101T100000Z','RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30','END:VEVENT','END:VCALENDAR'].join('\\r\\n');
      const items = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent');
      const out = occurrencesIn(items, new Date('2024-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
      console.log(JSON.stringify({ isArray: Array.isArray(out) }));`;
    const result = await new Promise<{ stdout: string; killed: boolean }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 20_000 }, (err, stdout) =>
        resolve({ stdout, killed: err !== null && 'killed' in err && err.killed === true }),
      );
    });
    expect(result.killed, 'occurrencesIn did not return (killed after 20 s)').toBe(false);
    expect(JSON.parse(result.stdout.trim())).toEqual({ isArray: true });
  }, 30_000);
});

describe('busyPeriods and freePeriods', () => {
  const START = iso('2024-01-15T08:00:00Z');
  const END = iso('2024-01-15T18:00:00Z');
  const occ = (from: string, to: string, props: Record<string, string> = {}, name = 'vevent'): Occurrence => {
    const item = new ICAL.Component(name);
    for (const [key, value] of Object.entries(props)) item.addPropertyWithValue(key, value);
    return { start: iso(`2024-01-15T${from}:00Z`), end: iso(`2024-01-15T${to}:00Z`), item };
  };
  const period = (from: string, to: string, type: BusyPeriod['type']): BusyPeriod => ({
    start: iso(`2024-01-15T${from}:00Z`), end: iso(`2024-01-15T${to}:00Z`), type,
  });

  it.each<[string, Occurrence[], BusyPeriod[]]>([
    ['an opaque event is busy', [occ('09:00', '10:00')], [period('09:00', '10:00', 'BUSY')]],
    ['TRANSP:TRANSPARENT is free', [occ('09:00', '10:00', { transp: 'TRANSPARENT' })], []],
    ['STATUS:CANCELLED is free', [occ('09:00', '10:00', { status: 'CANCELLED' })], []],
    ['STATUS:TENTATIVE is BUSY-TENTATIVE', [occ('09:00', '10:00', { status: 'TENTATIVE' })], [period('09:00', '10:00', 'BUSY-TENTATIVE')]],
    ['STATUS:CONFIRMED is busy', [occ('09:00', '10:00', { status: 'CONFIRMED' })], [period('09:00', '10:00', 'BUSY')]],
    ['overlapping periods merge', [occ('09:30', '11:00'), occ('09:00', '10:00')], [period('09:00', '11:00', 'BUSY')]],
    ['a contained period merges', [occ('09:00', '12:00'), occ('10:00', '11:00')], [period('09:00', '12:00', 'BUSY')]],
    ['separate periods stay separate', [occ('09:00', '10:00'), occ('11:00', '12:00')], [period('09:00', '10:00', 'BUSY'), period('11:00', '12:00', 'BUSY')]],
    ['clipped to the range start', [occ('07:00', '09:00')], [period('08:00', '09:00', 'BUSY')]],
    ['clipped to the range end', [occ('17:00', '19:00')], [period('17:00', '18:00', 'BUSY')]],
    ['outside the range', [occ('18:00', '19:00'), occ('06:00', '08:00')], []],
    ['tasks take no time', [occ('09:00', '10:00', {}, 'vtodo')], []],
    ['busy and tentative are kept apart', [occ('10:00', '12:00', { status: 'TENTATIVE' }), occ('09:00', '11:00')],
      [period('09:00', '11:00', 'BUSY'), period('10:00', '12:00', 'BUSY-TENTATIVE')]],
  ])('%s', (_label, occurrences, expected) => {
    expect(busyPeriods(occurrences, START, END)).toEqual(expected);
  });

  it.each<[string, BusyPeriod[], BusyPeriod[]]>([
    ['no busy time: the whole range', [], [period('08:00', '18:00', 'FREE')]],
    ['gaps around two periods', [period('11:00', '12:00', 'BUSY'), period('09:00', '10:00', 'BUSY')],
      [period('08:00', '09:00', 'FREE'), period('10:00', '11:00', 'FREE'), period('12:00', '18:00', 'FREE')]],
    ['overlapping types leave one gap', [period('09:00', '11:00', 'BUSY'), period('10:00', '12:00', 'BUSY-TENTATIVE')],
      [period('08:00', '09:00', 'FREE'), period('12:00', '18:00', 'FREE')]],
    ['busy from start to end: nothing free', [period('08:00', '18:00', 'BUSY')], []],
  ])('free: %s', (_label, busy, expected) => {
    expect(freePeriods(busy, START, END)).toEqual(expected);
  });

  it('freeBusyComponent writes explicit UTC start/end periods (Lightning cannot read durations)', () => {
    const lines = linesOf(freeBusyComponent([period('09:00', '10:00', 'BUSY'), period('10:00', '18:00', 'FREE')], START, END));
    expect(lines).toEqual(expect.arrayContaining(['DTSTART:20240115T080000Z', 'DTEND:20240115T180000Z',
      'FREEBUSY;FBTYPE=BUSY:20240115T090000Z/20240115T100000Z', 'FREEBUSY;FBTYPE=FREE:20240115T100000Z/20240115T180000Z']));
  });
});
