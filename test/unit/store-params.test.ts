import { describe, expect, it } from 'vitest';
import { errorOf, rawOf } from '../support/wcap-input.js';
import { changesFromParams, storeParams } from '../../src/wcap/store-params.js';
import type { ItemChanges } from '../../src/model/item-changes.js';
import { parseParams } from '../../src/wcap/params.js';
import { rawQueryOf } from '../../src/wcap/raw-params.js';


function changesOf(query: string, failsWith = 14): ItemChanges {
  const raw = rawOf(query);
  return changesFromParams(parseParams(storeParams, raw, failsWith), failsWith);
}


const utc = (y: number, mo: number, d: number, h: number, mi: number) =>
  ({ kind: 'utc', year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }) as const;

// An add of a timed event, laid out as Lightning sends it (item params, alarm, trailer;
// docs/lightning.md#store-request-layout).
const LIGHTNING_ADD =
  'http://gw/storeevents.wcap?appid=mozilla-calendar&id=Sess1onId' +
  '&dtstart=20240115T090000Z&dtend=20240115T100000Z&isAllDay=0&rrules=&rdates=&exrules=&exdates=' +
  '&attendees=RSVP=TRUE^PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^CN=Jane%20Roe^mailto%3Ajane%40example.com' +
  '&orgCalid=jdoe&summary=Team%20meeting%20%2B%20lunch&categories=Work;Fun' +
  '&desc=Line%201%0D%0ALine%202&location=&icsUrl=&priority=null&icsClass=PUBLIC&status=0&transparent=0' +
  '&attachments=&alarmStart=-PT15M&alarmEmails=jdoe%40example.com' +
  '&tzid=Europe%2FBerlin&uid=abc-123&storetype=1&mod=4&method=2&replace=1&fetch=1&relativealarm=1' +
  '&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&calid=jdoe';

describe('changesFromParams with a complete Lightning add', () => {
  const raw = rawOf(rawQueryOf(LIGHTNING_ADD));
  const params = parseParams(storeParams, raw, 14);

  it('reads the trailer', () => {
    expect(params).toMatchObject({ uid: 'abc-123', storetype: 1, mod: 4, replace: true, fetch: true, emailorcalid: true });
    expect(params.calid).toBe('jdoe');
  });

  it('turns every item field into a change', () => {
    const changes = changesFromParams(params, 14);
    expect(changes).toEqual({
      dtstart: utc(2024, 1, 15, 9, 0),
      dtend: utc(2024, 1, 15, 10, 0),
      isAllDay: false,
      tzid: 'Europe/Berlin',
      summary: 'Team meeting + lunch',
      description: 'Line 1\r\nLine 2',
      location: null,
      url: null,
      priority: null,
      classification: 'PUBLIC',
      status: 'CONFIRMED',
      transparent: false,
      categories: ['Work', 'Fun'],
      attachments: null,
      // Empty rule and date lists: no rules, clear (docs/lightning.md#store-request-layout).
      rrules: [],
      exrules: [],
      rdates: null,
      exdates: null,
      excludeDtstart: false,
      attendees: [
        {
          address: 'mailto:jane@example.com',
          params: { RSVP: 'TRUE', PARTSTAT: 'NEEDS-ACTION', ROLE: 'REQ-PARTICIPANT', CN: 'Jane Roe' },
        },
      ],
      organizer: { calid: 'jdoe' },
      alarms: [{ action: 'EMAIL', trigger: { duration: '-PT15M' }, emails: ['jdoe@example.com'] }],
      replace: true,
    });
  });
});

describe('changesFromParams: one parameter at a time', () => {
  it.each<[string, string, Partial<ItemChanges>]>([
    ['priority=null (no PRIORITY) clears', 'priority=null', { priority: null }],
    ['priority empty clears', 'priority=', { priority: null }],
    ['priority number', 'priority=5', { priority: 5 }],
    ['status 0', 'status=0', { status: 'CONFIRMED' }],
    ['status 1', 'status=1', { status: 'CANCELLED' }],
    ['status 2', 'status=2', { status: 'TENTATIVE' }],
    ['status 3', 'status=3', { status: 'NEEDS-ACTION' }],
    ['status 4', 'status=4', { status: 'COMPLETED' }],
    ['status 5', 'status=5', { status: 'IN-PROCESS' }],
    ['status 6', 'status=6', { status: 'DRAFT' }],
    ['status 7', 'status=7', { status: 'FINAL' }],
    ['transparent=1', 'transparent=1', { transparent: true }],
    ['transparent=0', 'transparent=0', { transparent: false }],
    ['empty desc clears', 'desc=', { description: null }],
    ['summary=null (null title) clears', 'summary=null', { summary: null }],
    ['location', 'location=Room%20%231', { location: 'Room #1' }],
    ['icsUrl', 'icsUrl=http%3A%2F%2Fexample.com%2Fa%3Fb%3Dc', { url: 'http://example.com/a?b=c' }],
    ['icsClass', 'icsClass=PRIVATE', { classification: 'PRIVATE' }],
    ['raw categories', 'categories=Work;Fun', { categories: ['Work', 'Fun'] }],
    // Lightning sends categories unencoded: a % that starts no escape is a percent sign.
    ['raw categories with %', 'categories=100%;50% off;%E2%82%AC', { categories: ['100%', '50% off', '€'] }],
    ['categories with encoded ; and &', 'categories=R%26D;A%3BB', { categories: ['R&D', 'A;B'] }],
    ['empty categories clears', 'categories=', { categories: null }],
    ['isAllDay with DATE values', 'dtstart=20240115&dtend=20240116&isAllDay=1', {
      dtstart: { kind: 'date', year: 2024, month: 1, day: 15 },
      dtend: { kind: 'date', year: 2024, month: 1, day: 16 },
      isAllDay: true,
    }],
    ['todo: no entry date, no due', 'dtstart=0&due=0&isAllDay=0', { dtstart: null, due: null, isAllDay: false }],
    ['todo: percent and completed', 'percent=50&completed=20240115T120000Z', {
      percent: 50,
      completed: utc(2024, 1, 15, 12, 0),
    }],
    ['todo: completed=0 clears', 'completed=0', { completed: null }],
    ['empty tzid is no tzid', 'tzid=', { tzid: undefined }],
    ['replace=1', 'replace=1', { replace: true }],
    ['replace absent → append', 'summary=x', { replace: false }],
  ])('%s', (_label, query, expected) => {
    expect(changesOf(query)).toMatchObject(expected);
  });

  it('a modify sending only location changes nothing else', () => {
    const changes = changesOf('location=Room%202&uid=abc&storetype=2&mod=4&replace=1&fetch=1&calid=jdoe');
    // excludedtstart=0 (the default) asks for nothing.
    const sent = Object.entries(changes).filter(([key, value]) => value !== undefined && !(key === 'excludeDtstart' && value === false));
    expect(Object.fromEntries(sent)).toEqual({ location: 'Room 2', replace: true });
  });
});

describe('changesFromParams: organizer', () => {
  it.each<[string, string, ItemChanges['organizer']]>([
    ['orgCalid', 'orgCalid=jdoe', { calid: 'jdoe' }],
    ['orgCalid of a secondary calendar', 'orgCalid=jdoe%3Awork', { calid: 'jdoe:work' }],
    ['orgEmail with mailto: (Lightning, external organizer)', 'orgEmail=mailto%3Aboss%40example.org', {
      email: 'mailto:boss@example.org',
    }],
    ['orgCalid with orgCN', 'orgCalid=jdoe&orgCN=Jane%20Doe', { calid: 'jdoe', cn: 'Jane Doe' }],
    ['empty orgCalid and orgEmail: no organizer change', 'orgCalid=&orgEmail=', undefined],
  ])('%s', (_label, query, expected) => {
    expect(changesOf(query).organizer).toEqual(expected);
  });

  it.each([
    ['orgCN alone', 'orgCN=The%20Boss'],
    ['orgUID alone', 'orgUID=boss'],
    ['orgCN with empty orgCalid', 'orgCN=The%20Boss&orgCalid='],
  ])('%s → errno 67 (BAD_ORG_ARGUMENTS)', (_label, query) => {
    expect(errorOf(() => changesOf(query)).errno).toBe(67);
  });
});

// docs/lightning.md#alarm-parameters
describe('changesFromParams: alarms', () => {
  it.each<[string, string, ItemChanges['alarms']]>([
    ['EMAIL alarm', 'alarmStart=-PT15M&alarmEmails=a%40b.c', [{ action: 'EMAIL', trigger: { duration: '-PT15M' }, emails: ['a@b.c'] }]],
    ['default alarm emails from userprefs, joined by ;', 'alarmStart=-P1D&alarmEmails=a%40b.c;d%40e.f', [
      { action: 'EMAIL', trigger: { duration: '-P1D' }, emails: ['a@b.c', 'd@e.f'] },
    ]],
    ['at the start', 'alarmStart=PT0S&alarmEmails=a%40b.c', [{ action: 'EMAIL', trigger: { duration: 'PT0S' }, emails: ['a@b.c'] }]],
    ["Sun's P15M without T is repaired", 'alarmStart=-P15M&alarmEmails=a%40b.c', [
      { action: 'EMAIL', trigger: { duration: '-PT15M' }, emails: ['a@b.c'] },
    ]],
    ['absolute trigger', 'alarmStart=20240115T083000Z&alarmEmails=a%40b.c', [
      { action: 'EMAIL', trigger: { date: utc(2024, 1, 15, 8, 30) }, emails: ['a@b.c'] },
    ]],
    ["Lightning's clear-every-alarm form", 'alarmStart=&alarmPopup=&alarmEmails=', []],
  ])('%s', (_label, query, expected) => {
    expect(changesOf(query).alarms).toEqual(expected);
  });

  it('no alarm parameter leaves the alarms as stored', () => {
    expect(changesOf('summary=x').alarms).toBeUndefined();
  });
});

// docs/lightning.md#store-request-layout (rrules, rdates, exrules, exdates)
describe('changesFromParams: recurrence', () => {
  it.each<[string, string, Partial<ItemChanges>]>([
    ['one quoted, encoded rule', 'rrules=%22FREQ%3DWEEKLY%3BCOUNT%3D10%22', { rrules: ['FREQ=WEEKLY;COUNT=10'] }],
    ['literal quotes, two rules joined by ;', 'rrules="FREQ%3DWEEKLY%3BCOUNT%3D10";"FREQ%3DMONTHLY%3BBYMONTHDAY%3D1"', {
      rrules: ['FREQ=WEEKLY;COUNT=10', 'FREQ=MONTHLY;BYMONTHDAY=1'],
    }],
    ['empty rrules clears', 'rrules=', { rrules: [] }],
    ['rdates as UTC date-times', 'rdates=20240120T090000Z;20240127T090000Z', {
      rdates: [utc(2024, 1, 20, 9, 0), utc(2024, 1, 27, 9, 0)],
    }],
    ['all-day exdates as midnight date-times', 'exdates=20240103T000000', {
      exdates: [{ kind: 'floating', year: 2024, month: 1, day: 3, hour: 0, minute: 0, second: 0 }],
    }],
  ])('%s', (_label, query, expected) => {
    expect(changesOf(query)).toMatchObject(expected);
  });
});

// RFC 5545 §3.3.10: each part's value, named in the message, never "Internal error".
describe('changesFromParams: recurrence rule parts', () => {
  const ruleError = (rule: string) => errorOf(() => changesOf(`rrules=${encodeURIComponent(`"${rule}"`)}`, 15));
  it.each([
    ['FREQ=DAILY;INTERVAL=X', 'the INTERVAL part must be a positive integer'],
    ['FREQ=DAILY;INTERVAL=0', 'the INTERVAL part must be a positive integer'],
    ['FREQ=DAILY;COUNT=X', 'the COUNT part must be a positive integer'],
    ['FREQ=DAILY;COUNT=1E3', 'the COUNT part must be a positive integer'],
    ['FREQ=DAILY;UNTIL=X', 'the UNTIL part must be a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSSZ)'],
    ['FREQ=DAILY;UNTIL=20240230', 'the UNTIL part must be a date'],
    ['FREQ=DAILY;UNTIL=20240101T250000Z', 'the UNTIL part must be a date'],
    ['FREQ=MONTHLY;BYSETPOS=X', 'the BYSETPOS part must be positions from ±1 to ±366'],
    ['FREQ=MONTHLY;BYSETPOS=0', 'the BYSETPOS part must be positions'],
    ['FREQ=WEEKLY;BYDAY=XX', 'the BYDAY part must be weekdays'],
    ['FREQ=MONTHLY;BYDAY=54MO', 'the BYDAY part must be weekdays'],
    ['FREQ=WEEKLY;WKST=XX', 'the WKST part must be a weekday (SU to SA)'],
    ['FREQ=DAILY;BYHOUR=99', 'the BYHOUR part must be hours from 0 to 23'],
    ['FREQ=DAILY;BYMINUTE=60', 'the BYMINUTE part must be minutes from 0 to 59'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'the BYMONTHDAY part must be days of the month'],
    ['FREQ=YEARLY;BYMONTH=13', 'the BYMONTH part must be months from 1 to 12'],
    ['FREQ=YEARLY;BYWEEKNO=-54', 'the BYWEEKNO part must be week numbers'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'the FREQ part appears twice'],
    ['COUNT=3', 'a recurrence rule needs a FREQ part'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20240101', 'a recurrence rule has COUNT or UNTIL, not both'],
    ['FREQ=DAILY;COLOR=RED', 'COLOR is not a recurrence rule part'],
    ['FREQ=SECONDLY', 'a SECONDLY rule needs COUNT or UNTIL'],
    ['FREQ=MINUTELY;INTERVAL=5', 'a MINUTELY rule needs COUNT or UNTIL'],
  ])('%s → %s', (rule, message) => {
    const err = ruleError(rule);
    expect(err.errno).toBe(15);
    expect(err.message).toContain(`Invalid value for parameter rrules: ${message}`);
  });

  it('refuses a COUNT above the recurrence bound the client got at login', () => {
    const raw = rawOf(`rrules=${encodeURIComponent('"FREQ=DAILY;COUNT=5001"')}`);
    const err = errorOf(() => changesFromParams(parseParams(storeParams, raw, 15), 15, { maxAttendees: 10, recurrenceBound: 5000 }));
    expect(err.message).toBe('Invalid value for parameter rrules: COUNT is above the recurrence bound 5000 (WCAP_RECURRENCE_BOUND)');
    const atBound = rawOf(`rrules=${encodeURIComponent('"FREQ=DAILY;COUNT=5000"')}`);
    expect(changesFromParams(parseParams(storeParams, atBound, 15), 15, { maxAttendees: 10, recurrenceBound: 5000 }).rrules).toEqual(['FREQ=DAILY;COUNT=5000']);
  });

  it.each([
    'FREQ=SECONDLY;COUNT=60',
    'FREQ=MINUTELY;UNTIL=20240101T100000Z',
    'FREQ=MONTHLY;BYDAY=-1FR,2MO;BYSETPOS=-1',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;WKST=MO',
    'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20240301',
    'FREQ=DAILY;BYHOUR=0,23;BYMINUTE=0,59;BYSECOND=0,60',
    'FREQ=YEARLY;BYYEARDAY=-366,1;BYWEEKNO=53',
  ])('accepts %s', (rule) => {
    expect(changesOf(`rrules=${encodeURIComponent(`"${rule}"`)}`).rrules).toEqual([rule]);
  });
});

describe('changesFromParams: invalid input → the command errno', () => {
  it.each([
    ['isAllDay=2', 'isAllDay'],
    ['transparent=yes', 'transparent'],
    ['priority=10', 'priority'],
    ['status=8', 'status'],
    ['percent=101', 'percent'],
    ['dtstart=20240230T090000Z', 'dtstart'],
    ['dtend=soon', 'dtend'],
    ['icsClass=SECRET', 'icsClass'],
    ['alarmStart=soon&alarmEmails=a%40b.c', 'alarmStart'],
    ['rrules=%22FREQ%3DFORTNIGHTLY%22', 'rrules'],
    ['rdates=20240230T090000Z', 'rdates'],
    ['attendees=CN=%zz^mailto%3Aa%40b.c', 'attendees'],
    ['icsUrl=https%3A%2F%2Fexample.org%2F%0D%0AATTENDEE%3Amailto%3Ae%40x.org', 'icsUrl'],
    ['attachments=%22https%3A%2F%2Fexample.org%2Fa%0Ab%22', 'attachments'],
  ])('%s', (query, name) => {
    const err = errorOf(() => changesOf(query, 15));
    expect(err.errno).toBe(15);
    expect(err.message).toContain(name);
  });
});
