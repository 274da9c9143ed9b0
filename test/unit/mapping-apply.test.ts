import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { applyItemChanges, stampItem } from '../../src/mapping/apply-changes.js';
import { contentFingerprint, masterOf, newCalendarObject } from '../../src/mapping/calendar-object.js';
import { parseObject, serializeObject } from '../../src/calendars/object-codec.js';
import { Directory } from '../../src/mapping/directory.js';
import { vtimezone } from '../../src/mapping/timezones.js';
import { GatewayError, type GatewayErrorKind } from '../../src/model/errors.js';
import type { ItemChanges } from '../../src/model/item-changes.js';
import type { WcapDate } from '../../src/model/wcap-date.js';
import { parseWcapDate } from '../../src/wcap/datetime.js';

const ctx = { directory: new Directory('example.com'), calendarCalid: 'jdoe', master: true };

function d(text: string): WcapDate {
  const value = parseWcapDate(text);
  if (!value) throw new Error(`bad test date ${text}`);
  return value;
}

function fresh(name: 'vevent' | 'vtodo'): ICAL.Component {
  const item = new ICAL.Component(name);
  item.addPropertyWithValue('uid', 'u1');
  return item;
}

function apply(item: ICAL.Component, changes: Partial<ItemChanges>): ICAL.Component {
  applyItemChanges(item, { replace: true, ...changes }, ctx);
  return item;
}

/** The content lines of a component (CRLF-separated, folding undone). */
const linesOf = (c: ICAL.Component) => c.toString().replace(/\r\n /g, '').split('\r\n');

/** A stored object holding `body` (VEVENT/VTODO lines), with the Berlin VTIMEZONE, parsed like data from the server. */
function stored(body: string[]): ICAL.Component {
  const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', vtimezone('Europe/Berlin')!.toString(), ...body, 'END:VCALENDAR'];
  return masterOf(parseObject(text.join('\r\n')))!;
}

function kindOf(run: () => unknown): GatewayErrorKind {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError) return err.kind;
    throw err;
  }
  throw new Error('expected a GatewayError, nothing was thrown');
}

describe('applyItemChanges: dates', () => {
  it.each([
    // Berlin is UTC+1 in winter and UTC+2 in summer.
    ['UTC + tzid in December', '20241210T090000Z', '20241210T100000Z', 'Europe/Berlin', 'DTSTART;TZID=Europe/Berlin:20241210T100000', 'DTEND;TZID=Europe/Berlin:20241210T110000'],
    ['UTC + tzid in July', '20240710T090000Z', '20240710T093000Z', 'Europe/Berlin', 'DTSTART;TZID=Europe/Berlin:20240710T110000', 'DTEND;TZID=Europe/Berlin:20240710T113000'],
    ['floating + tzid is local time in tzid', '20240115T090000', '20240115T100000', 'America/New_York', 'DTSTART;TZID=America/New_York:20240115T090000', 'DTEND;TZID=America/New_York:20240115T100000'],
    ['UTC without tzid stays UTC', '20240115T090000Z', '20240115T100000Z', undefined, 'DTSTART:20240115T090000Z', 'DTEND:20240115T100000Z'],
    ['UTC + tzid UTC stays UTC', '20240115T090000Z', '20240115T100000Z', 'UTC', 'DTSTART:20240115T090000Z', 'DTEND:20240115T100000Z'],
    ['floating without tzid is never stored floating', '20240115T090000', '20240115T100000', undefined, 'DTSTART:20240115T090000Z', 'DTEND:20240115T100000Z'],
  ])('%s', (_label, start, end, tzid, startLine, endLine) => {
    const item = apply(fresh('vevent'), { dtstart: d(start), dtend: d(end), tzid, isAllDay: false });
    expect(linesOf(item)).toEqual(expect.arrayContaining([startLine, endLine]));
  });

  it('keeps the instant: the stored New York time is 14:00Z, the Berlin summer time 09:00Z', () => {
    const ny = apply(fresh('vevent'), { dtstart: d('20240115T090000'), tzid: 'America/New_York' });
    const berlin = apply(fresh('vevent'), { dtstart: d('20240710T090000Z'), tzid: 'Europe/Berlin' });
    const instant = (c: ICAL.Component) => (c.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString();
    expect(instant(ny)).toBe('2024-01-15T14:00:00.000Z');
    expect(instant(berlin)).toBe('2024-07-10T09:00:00.000Z');
  });

  it('stores the VTIMEZONE of the zone it used, and the time survives a round trip', () => {
    const item = apply(fresh('vevent'), { dtstart: d('20240710T090000Z'), tzid: 'Europe/Berlin' });
    const text = serializeObject(newCalendarObject(item));
    expect(text).toMatch(/BEGIN:VTIMEZONE\r\nTZID:Europe\/Berlin\r\n/);
    const back = masterOf(parseObject(text))!.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(back.toJSDate().toISOString()).toBe('2024-07-10T09:00:00.000Z');
  });

  it('all-day: DATE values with VALUE=DATE and no TZID', () => {
    const item = apply(fresh('vevent'), { dtstart: d('20240115'), dtend: d('20240116'), isAllDay: true, tzid: 'Europe/Berlin' });
    const lines = linesOf(item);
    expect(lines).toEqual(expect.arrayContaining(['DTSTART;VALUE=DATE:20240115', 'DTEND;VALUE=DATE:20240116']));
    expect(lines.filter((l) => l.includes('TZID'))).toEqual([]);
  });

  it('a timed modify of an all-day event drops VALUE=DATE', () => {
    const item = stored(['BEGIN:VEVENT', 'UID:u1', 'DTSTART;VALUE=DATE:20240115', 'DTEND;VALUE=DATE:20240116', 'END:VEVENT']);
    apply(item, { dtstart: d('20240115T090000Z'), dtend: d('20240115T100000Z'), isAllDay: false, tzid: 'Europe/Berlin' });
    expect(linesOf(item)).toEqual(expect.arrayContaining(['DTSTART;TZID=Europe/Berlin:20240115T100000', 'DTEND;TZID=Europe/Berlin:20240115T110000']));
  });

  it('todo: DUE in tzid, COMPLETED in UTC, percent', () => {
    const todo = apply(fresh('vtodo'), {
      dtstart: null,
      due: d('20240115T160000Z'),
      tzid: 'Europe/Berlin',
      completed: d('20240115T120000Z'),
      percent: 100,
      status: 'COMPLETED',
    });
    expect(linesOf(todo)).toEqual(
      expect.arrayContaining(['DUE;TZID=Europe/Berlin:20240115T170000', 'COMPLETED:20240115T120000Z', 'PERCENT-COMPLETE:100', 'STATUS:COMPLETED']),
    );
    expect(todo.hasProperty('dtstart')).toBe(false);
  });

  it.each<[string, 'vevent' | 'vtodo', Partial<ItemChanges>]>([
    ['dtend before dtstart', 'vevent', { dtstart: d('20240115T100000Z'), dtend: d('20240115T090000Z') }],
    ['dtend before dtstart once converted (floating end in Berlin)', 'vevent', { dtstart: d('20240115T090000Z'), dtend: d('20240115T093000'), tzid: 'Europe/Berlin' }],
    ['an event without start', 'vevent', { summary: 'no start' }],
    ['an event whose start is cleared', 'vevent', { dtstart: null }],
    ['due before dtstart', 'vtodo', { dtstart: d('20240115T100000Z'), due: d('20240114T100000Z') }],
    ['unknown tzid', 'vevent', { dtstart: d('20240115T100000'), tzid: 'Mars/Olympus_Mons' }],
    ['a duration that is not one', 'vevent', { dtstart: d('20240115T100000Z'), duration: 'soon' }],
  ])('%s → GatewayError invalid', (_label, name, changes) => {
    expect(kindOf(() => apply(fresh(name), changes))).toBe('invalid');
  });

  it('a todo needs no start', () => {
    expect(() => apply(fresh('vtodo'), { summary: 'someday' })).not.toThrow();
  });
});

describe('applyItemChanges: text and list fields', () => {
  const EXISTING = [
    'BEGIN:VEVENT', 'UID:u1', 'DTSTART;TZID=Europe/Berlin:20240108T090000', 'DTEND;TZID=Europe/Berlin:20240108T100000',
    'RRULE:FREQ=WEEKLY;COUNT=10', 'EXDATE;TZID=Europe/Berlin:20240115T090000', 'SUMMARY:Weekly sync', 'DESCRIPTION:Agenda\\nfirst',
    'LOCATION:Room 1', 'PRIORITY:3', 'CLASS:PRIVATE', 'STATUS:CONFIRMED', 'TRANSP:OPAQUE', 'CATEGORIES:Work,Home',
    'ORGANIZER;CN=Jane;X-S1CS-CALID=jdoe:mailto:jdoe@example.com',
    'ATTENDEE;PARTSTAT=ACCEPTED;X-S1CS-CALID=asmith:mailto:asmith@example.com',
    'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ext@other.org', 'X-MOZ-GENERATION:4',
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT10M', 'DESCRIPTION:Weekly sync', 'END:VALARM', 'END:VEVENT',
  ];

  it('desc with CRLF is stored with LF', () => {
    const item = apply(fresh('vevent'), { dtstart: d('20240115T090000Z'), description: 'Line 1\r\nLine 2\rLine 3' });
    expect(item.getFirstPropertyValue('description')).toBe('Line 1\nLine 2\nLine 3');
  });

  it('a line break in an X-property value stays inside the value (the TEXT escape), never a new line', () => {
    const item = apply(fresh('vevent'), { dtstart: d('20240115T090000Z'), xProperties: { 'X-PROBE': 'x\r\nATTENDEE:mailto:evil@attacker.example\rEND:VEVENT' } });
    const text = serializeObject(newCalendarObject(item));
    expect(text).toContain('X-PROBE:x\\nATTENDEE:mailto:evil@attacker.example\\nEND:VEVENT\r\n');
    const [event] = parseObject(text).getAllSubcomponents('vevent');
    expect(event!.getAllProperties('attendee')).toEqual([]);
  });

  it('serialising refuses a value that would change the structure, should one ever slip past the setters', () => {
    const item = apply(fresh('vevent'), { dtstart: d('20240115T090000Z') });
    // ical.js writes values of properties it does not know unescaped.
    item.addPropertyWithValue('x-raw', 'x\r\nATTENDEE:mailto:evil@attacker.example');
    expect(kindOf(() => serializeObject(newCalendarObject(item)))).toBe('invalid');
  });

  it('summary null removes SUMMARY, undefined keeps it', () => {
    expect(apply(stored(EXISTING), {}).getFirstPropertyValue('summary')).toBe('Weekly sync');
    expect(apply(stored(EXISTING), { summary: null }).hasProperty('summary')).toBe(false);
  });

  it.each<[string, Partial<ItemChanges>, string, string]>([
    ['location', { location: 'Room 2' }, 'LOCATION:Room 1', 'LOCATION:Room 2'],
    ['priority', { priority: 1 }, 'PRIORITY:3', 'PRIORITY:1'],
    ['transparency', { transparent: true }, 'TRANSP:OPAQUE', 'TRANSP:TRANSPARENT'],
    ['status', { status: 'TENTATIVE' }, 'STATUS:CONFIRMED', 'STATUS:TENTATIVE'],
  ])('a modify that sends only %s changes exactly that line', (_label, changes, before, after) => {
    const item = apply(stored(EXISTING), changes);
    const expected = linesOf(stored(EXISTING)).map((line) => (line === before ? after : line));
    expect(linesOf(item)).toEqual(expected);
  });

  it.each<[string, string[] | null, boolean, string[] | undefined]>([
    ['append', ['Fun', 'Work'], false, ['Work', 'Home', 'Fun']],
    ['replace', ['Fun', 'Work'], true, ['Fun', 'Work']],
    ['clear', null, true, undefined],
  ])('categories: %s', (_label, categories, replace, expected) => {
    const item = stored(EXISTING);
    applyItemChanges(item, { categories, replace }, ctx);
    expect(item.getFirstProperty('categories')?.getValues()).toEqual(expected);
  });
});

describe('applyItemChanges: people and alarms', () => {
  const MEETING = [
    'BEGIN:VEVENT', 'UID:m1', 'DTSTART:20240115T090000Z', 'ORGANIZER;X-S1CS-CALID=jdoe:mailto:jdoe@example.com',
    'ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com', 'ATTENDEE;PARTSTAT=TENTATIVE:MAILTO:B@Example.com', 'END:VEVENT',
  ];
  const attendeeValues = (c: ICAL.Component) => c.getAllProperties('attendee').map((p) => String(p.getFirstValue()).toLowerCase());
  const DELETE = 'X-NSCP-WCAP-ATTENDEE-DELETE';

  it.each<[string, ItemChanges['attendees'], boolean, string[]]>([
    ['delete marker without replace', [{ address: 'mailto:a@example.com', params: { PARTSTAT: DELETE } }], false, ['mailto:b@example.com']],
    ['delete marker matches case-insensitively', [{ address: 'mailto:b@example.com', params: { PARTSTAT: DELETE } }], false, ['mailto:a@example.com']],
    ['delete marker in a replacing list', [
      { address: 'mailto:a@example.com', params: { PARTSTAT: DELETE } },
      { address: 'mailto:b@example.com', params: { PARTSTAT: 'ACCEPTED' } },
    ], true, ['mailto:b@example.com']],
    ['append a new one', [{ address: 'mailto:c@example.com', params: {} }], false, ['mailto:a@example.com', 'mailto:b@example.com', 'mailto:c@example.com']],
  ])('attendees: %s', (_label, attendees, replace, expected) => {
    const item = stored(MEETING);
    applyItemChanges(item, { attendees, replace }, ctx);
    expect(attendeeValues(item)).toEqual(expected);
  });

  it("stores Lightning's attendee parameters and the local attendee's calid", () => {
    const item = apply(fresh('vevent'), {
      dtstart: d('20240115T090000Z'),
      organizer: { calid: 'jdoe' },
      attendees: [{ address: 'mailto:jane@example.com', params: { RSVP: 'TRUE', PARTSTAT: 'NEEDS-ACTION', ROLE: 'REQ-PARTICIPANT', CN: 'Jane Roe' } }],
    });
    const attendee = item.getFirstProperty('attendee')!;
    expect(attendee.getFirstValue()).toBe('mailto:jane@example.com');
    expect(attendee.toJSON()[1]).toEqual({ rsvp: 'TRUE', partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT', cn: 'Jane Roe', 'x-s1cs-calid': 'jane' });
  });

  it.each<[string, NonNullable<ItemChanges['organizer']>, string, string | undefined, string | undefined]>([
    ['orgCalid', { calid: 'jdoe' }, 'mailto:jdoe@example.com', 'jdoe', undefined],
    ['orgCalid of a secondary calendar', { calid: 'jdoe:work' }, 'mailto:jdoe@example.com', 'jdoe:work', undefined],
    ['orgEmail, external', { email: 'mailto:boss@example.org', cn: 'The Boss' }, 'mailto:boss@example.org', undefined, 'The Boss'],
    ['orgEmail, local', { email: 'asmith@example.com' }, 'mailto:asmith@example.com', 'asmith', undefined],
  ])('organizer from %s', (_label, organizer, value, calid, cn) => {
    const property = apply(fresh('vevent'), { dtstart: d('20240115T090000Z'), organizer }).getFirstProperty('organizer')!;
    expect(property.getFirstValue()).toBe(value);
    expect(property.getParameter('x-s1cs-calid')).toBe(calid);
    expect(property.getParameter('cn')).toBe(cn);
  });

  it('attendees without organizer get the calendar owner as organizer', () => {
    const item = apply(fresh('vevent'), { dtstart: d('20240115T090000Z'), attendees: [{ address: 'mailto:x@other.org', params: {} }] });
    expect(item.getAllProperties('organizer')).toHaveLength(1);
    expect(item.getFirstProperty('organizer')!.getFirstValue()).toBe('mailto:jdoe@example.com');
    expect(item.getFirstProperty('organizer')!.getParameter('x-s1cs-calid')).toBe('jdoe');
  });

  it('an EMAIL alarm from alarmStart/alarmEmails, removed again by an empty alarm list', () => {
    const item = apply(fresh('vevent'), {
      dtstart: d('20240115T090000Z'),
      summary: 'Call',
      alarms: [{ action: 'EMAIL', trigger: { duration: '-PT15M' }, emails: ['jdoe@example.com'] }],
    });
    const alarms = item.getAllSubcomponents('valarm');
    expect(alarms).toHaveLength(1);
    expect(linesOf(alarms[0]!)).toEqual(expect.arrayContaining(['ACTION:EMAIL', 'TRIGGER:-PT15M', 'ATTENDEE:mailto:jdoe@example.com']));
    apply(item, { alarms: [] });
    expect(item.getAllSubcomponents('valarm')).toHaveLength(0);
  });

  it("an EMAIL alarm without address goes to the calendar owner's mail", () => {
    const item = apply(fresh('vevent'), {
      dtstart: d('20240115T090000Z'),
      alarms: [{ action: 'EMAIL', trigger: { duration: '-P1D' }, emails: [] }],
    });
    expect(linesOf(item.getFirstSubcomponent('valarm')!)).toEqual(expect.arrayContaining(['TRIGGER:-P1D', 'ATTENDEE:mailto:jdoe@example.com']));
  });
});

describe('contentFingerprint: a sync echo of identical changes is not a change', () => {
  const LIGHTNING: Partial<ItemChanges> = {
    dtstart: d('20241210T090000Z'), dtend: d('20241210T100000Z'), tzid: 'Europe/Berlin', isAllDay: false,
    summary: 'Team meeting', description: 'Line 1\r\nLine 2', location: null, priority: null, classification: 'PUBLIC',
    status: 'CONFIRMED', transparent: false, categories: ['Work', 'Fun'], organizer: { calid: 'jdoe' },
    attendees: [{ address: 'mailto:jane@example.com', params: { PARTSTAT: 'NEEDS-ACTION', CN: 'Jane Roe' } }],
    alarms: [{ action: 'EMAIL', trigger: { duration: '-PT15M' }, emails: ['jdoe@example.com'] }],
  };
  it.each<[string, Partial<ItemChanges>]>([
    ['text fields only', { dtstart: d('20241210T090000Z'), summary: 'Team meeting', location: 'Room 1', priority: 5 }],
    ['dates in Europe/Berlin', { dtstart: d('20241210T090000Z'), dtend: d('20241210T100000Z'), tzid: 'Europe/Berlin' }],
    ['an all-day event', { dtstart: d('20241210'), dtend: d('20241211'), isAllDay: true }],
    ['categories and attendees', { dtstart: d('20241210T090000Z'), categories: ['Work'], attendees: LIGHTNING.attendees! }],
    ["Lightning's complete add, echoed", LIGHTNING],
  ])('%s', (_label, changes) => {
    const created = apply(fresh('vevent'), changes);
    stampItem(created, new Date(Date.UTC(2024, 0, 1)), true);
    // What the next request finds: the object as the CalDAV server returns it.
    const master = masterOf(parseObject(serializeObject(newCalendarObject(created))))!;
    const before = contentFingerprint(master);
    apply(master, changes);
    expect(contentFingerprint(master)).toBe(before);
  });
});
