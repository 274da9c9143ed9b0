import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/calendars/object-codec.js';
import { windowOf } from '../../src/wcap/fetch-params.js';
import { itemsChangedIn, modifiedAt } from '../../src/mapping/change-log.js';
import { deletionStub, instanceDeletions, itemOfObject, missingStub, wholeItemDeletion } from '../../src/mapping/deletions.js';
import { instanceComponent } from '../../src/mapping/instances.js';
import type { WcapDate } from '../../src/model/wcap-date.js';
import { parseWcapDate } from '../../src/wcap/datetime.js';
import { WcapError } from '../../src/wcap/wcap-error.js';

/** Pure parts of the change log: lastmod selection, deletion stubs, instance lookup, the window. */

const CRLF = '\r\n';
function vcalendar(...components: string[][]): ICAL.Component {
  const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...components.flat(), 'END:VCALENDAR', ''].join(CRLF);
  return parseObject(text);
}
const vevent = (lines: string[]) => ['BEGIN:VEVENT', ...lines, 'END:VEVENT'];
const vtodo = (lines: string[]) => ['BEGIN:VTODO', ...lines, 'END:VTODO'];
const date = (text: string): WcapDate => parseWcapDate(text)!;
const at = (iso: string) => new Date(iso);
const uidsOf = (groups: ICAL.Component[][]) => groups.map((g) => g.map((c) => `${c.getFirstPropertyValue('uid')}${c.hasProperty('recurrence-id') ? '+rid' : ''}`));

describe('modifiedAt', () => {
  it.each([
    [['LAST-MODIFIED:20260301T100000Z', 'DTSTAMP:20260302T100000Z', 'CREATED:20260101T000000Z'], '2026-03-01T10:00:00.000Z'],
    [['DTSTAMP:20260302T100000Z', 'CREATED:20260101T000000Z'], '2026-03-02T10:00:00.000Z'],
    [['CREATED:20260101T000000Z'], '2026-01-01T00:00:00.000Z'],
    [['SUMMARY:no stamps'], undefined],
  ])('%j → %s', (lines, expected) => {
    const [component] = vcalendar(vevent(['UID:x', ...lines])).getAllSubcomponents('vevent');
    expect(modifiedAt(component!)?.toISOString()).toBe(expected);
  });
});

describe('itemsChangedIn', () => {
  const series = vcalendar(
    vevent(['UID:series', 'DTSTART:20260301T090000Z', 'RRULE:FREQ=WEEKLY', 'LAST-MODIFIED:20260101T000000Z']),
    vevent(['UID:series', 'RECURRENCE-ID:20260308T090000Z', 'DTSTART:20260308T100000Z', 'LAST-MODIFIED:20260305T120000Z']),
  );
  const old = vcalendar(vevent(['UID:old', 'DTSTART:20260301T090000Z', 'LAST-MODIFIED:20250101T000000Z', 'CREATED:20250101T000000Z']));
  const stampOnly = vcalendar(vevent(['UID:foreign', 'DTSTART:20260301T090000Z', 'DTSTAMP:20260304T000000Z']));
  const undated = vcalendar(vevent(['UID:undated', 'DTSTART:20260301T090000Z']));
  const task = vcalendar(vtodo(['UID:task', 'LAST-MODIFIED:20260303T000000Z']));
  const all = [series, old, stampOnly, undated, task];

  it('returns whole series (master first) when any component changed in the window', () => {
    const window = { start: at('2026-03-05T00:00:00Z'), end: at('2026-03-06T00:00:00Z') };
    expect(uidsOf(itemsChangedIn(all, ['VEVENT', 'VTODO'], window))).toEqual([['series', 'series+rid']]);
  });

  it('falls back to DTSTAMP, includes both bounds, filters by type, orders by change', () => {
    const window = { start: at('2026-03-03T00:00:00Z'), end: at('2026-03-05T12:00:00Z') };
    expect(uidsOf(itemsChangedIn(all, ['VEVENT', 'VTODO'], window))).toEqual([['task'], ['foreign'], ['series', 'series+rid']]);
    expect(uidsOf(itemsChangedIn(all, ['VTODO'], window))).toEqual([['task']]);
    expect(uidsOf(itemsChangedIn(all, ['VEVENT'], { start: at('2026-03-05T12:00:01Z'), end: at('2026-04-01T00:00:00Z') }))).toEqual([]);
  });

  it('gives a first sync (open start) everything, undated items included; an open end only bounds below', () => {
    expect(itemsChangedIn(all, ['VEVENT', 'VTODO'], {}).flat()).toHaveLength(6);
    expect(uidsOf(itemsChangedIn(all, ['VEVENT'], { end: at('2025-06-01T00:00:00Z') }))).toEqual([['undated'], ['old']]);
    expect(uidsOf(itemsChangedIn(all, ['VEVENT'], { start: at('2026-03-04T00:00:00Z') }))).toEqual([['foreign'], ['series', 'series+rid']]);
  });
});

describe('deletion stubs', () => {
  const text = (c: ICAL.Component) => c.toString().split(CRLF);

  it('carries UID, RECURRENCE-ID and DTSTART of a deleted instance, and the tombstone flag', () => {
    expect(text(deletionStub({ uid: 'u1', type: 'VEVENT', recurrenceId: '20260310T090000Z', dtstart: '20260310T100000Z' }))).toEqual([
      'BEGIN:VEVENT',
      'UID:u1',
      'RECURRENCE-ID:20260310T090000Z',
      'DTSTART:20260310T100000Z',
      'X-NSCP-TOMBSTONE:1',
      'END:VEVENT',
    ]);
  });

  it('uses the RECURRENCE-ID as DTSTART when the start is unknown (Lightning needs one), keeps DATEs', () => {
    expect(text(deletionStub({ uid: 'u2', type: 'VTODO', recurrenceId: '20261224' }))).toEqual([
      'BEGIN:VTODO',
      'UID:u2',
      'RECURRENCE-ID;VALUE=DATE:20261224',
      'DTSTART;VALUE=DATE:20261224',
      'X-NSCP-TOMBSTONE:1',
      'END:VTODO',
    ]);
    expect(text(deletionStub({ uid: 'u3', type: 'VEVENT' }))).toEqual(['BEGIN:VEVENT', 'UID:u3', 'X-NSCP-TOMBSTONE:1', 'END:VEVENT']);
  });

  it('echoes UID and rid for verify answers, in the form the rid was sent', () => {
    expect(text(missingStub('VEVENT', 'gone', undefined))).toEqual(['BEGIN:VEVENT', 'UID:gone', 'END:VEVENT']);
    expect(text(missingStub('VTODO', 'gone', date('20260310T090000Z')))).toContain('RECURRENCE-ID:20260310T090000Z');
    expect(text(missingStub('VEVENT', 'gone', date('20260310T090000')))).toContain('RECURRENCE-ID:20260310T090000');
    expect(text(missingStub('VEVENT', 'gone', date('20260310')))).toContain('RECURRENCE-ID;VALUE=DATE:20260310');
  });
});

describe('what a deletion records', () => {
  const berlin = vcalendar(
    vevent(['UID:weekly', 'DTSTART;TZID=Europe/Berlin:20260302T100000', 'RRULE:FREQ=WEEKLY']),
    vevent(['UID:weekly', 'RECURRENCE-ID;TZID=Europe/Berlin:20260309T100000', 'DTSTART;TZID=Europe/Berlin:20260309T150000']),
  );

  it('reads an object as its master: UID, type and start in UTC (zones resolved)', () => {
    expect(itemOfObject(berlin)).toEqual({ uid: 'weekly', type: 'VEVENT', dtstart: '20260302T090000Z' });
    expect(itemOfObject(vcalendar(vtodo(['UID:t', 'DUE:20260302T100000Z'])))).toEqual({ uid: 't', type: 'VTODO' });
    expect(itemOfObject(vcalendar(vevent(['UID:d', 'DTSTART;VALUE=DATE:20261224'])))).toEqual({ uid: 'd', type: 'VEVENT', dtstart: '20261224' });
    expect(itemOfObject(vcalendar())).toBeUndefined();
  });

  it('dates a whole item by its master and an instance by its RECURRENCE-ID and own start', () => {
    const components = berlin.getAllSubcomponents('vevent');
    expect(wholeItemDeletion(components, 'weekly', 'VEVENT')).toEqual({ uid: 'weekly', type: 'VEVENT', dtstart: '20260302T090000Z' });
    const removed = ['20260309T090000Z', '20260316T090000Z'].map((t) => ICAL.Time.fromDateTimeString(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:00:00Z`));
    expect(instanceDeletions(components, 'weekly', 'VEVENT', removed)).toEqual([
      { uid: 'weekly', type: 'VEVENT', recurrenceId: '20260309T090000Z', dtstart: '20260309T140000Z' },
      { uid: 'weekly', type: 'VEVENT', recurrenceId: '20260316T090000Z', dtstart: '20260316T090000Z' },
    ]);
  });
});

describe('instanceComponent (verify with a rid)', () => {
  const components = vcalendar(
    vevent(['UID:w', 'DTSTART:20260302T090000Z', 'RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE:20260316T090000Z']),
    vevent(['UID:w', 'RECURRENCE-ID:20260309T090000Z', 'DTSTART:20260309T120000Z', 'SUMMARY:moved']),
  ).getAllSubcomponents('vevent');
  const single = vcalendar(vevent(['UID:s', 'DTSTART;VALUE=DATE:20261224'])).getAllSubcomponents('vevent');
  const describeFound = (found: ICAL.Component | null) =>
    found === null ? null : found.hasProperty('recurrence-id') ? 'override' : 'master';

  it.each([
    ['20260302T090000Z', 'master'],
    ['20260309T090000Z', 'override'],
    ['20260316T090000Z', null], // EXDATE
    ['20260323T090000Z', 'master'],
    ['20260330T090000Z', null], // after COUNT
    ['20260302T100000Z', null], // not an instance time
    ['20260302T090000', 'master'], // floating: read in the master's zone (UTC here), not in tzid
    ['20260302T100000', null],
  ])('rid %s → %s', (rid, expected) => {
    expect(describeFound(instanceComponent(components, date(rid), 'Europe/Berlin'))).toBe(expected);
  });

  it('matches an all-day item by day', () => {
    expect(describeFound(instanceComponent(single, date('20261224'), undefined))).toBe('master');
    expect(describeFound(instanceComponent(single, date('20261224T000000Z'), undefined))).toBe('master');
    expect(describeFound(instanceComponent(single, date('20261225'), undefined))).toBeNull();
  });
});

describe('windowOf', () => {
  it('reads 0 as open, Z as UTC and floating values in tzid', () => {
    expect(windowOf({ dtstart: null, dtend: null }, undefined, 36)).toEqual({});
    expect(windowOf({ dtstart: date('20260301T000000Z'), dtend: undefined }, undefined, 36)).toEqual({ start: at('2026-03-01T00:00:00Z') });
    expect(windowOf({ dtstart: date('20260301T000000'), dtend: date('20260302T000000Z') }, 'Europe/Berlin', 36)).toEqual({
      start: at('2026-02-28T23:00:00Z'),
      end: at('2026-03-02T00:00:00Z'),
    });
  });

  it('refuses an end before the start with the command errno', () => {
    const errnoOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof WcapError ? err.errno : -1;
      }
      return 0;
    };
    expect(errnoOf(() => windowOf({ dtstart: date('20260302T000000Z'), dtend: date('20260301T000000Z') }, undefined, 56))).toBe(56);
    expect(errnoOf(() => windowOf({ dtstart: date('20260302T000000Z'), dtend: date('20260302T000000Z') }, undefined, 56))).toBe(0);
  });
});
