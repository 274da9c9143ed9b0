import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasComponentOf, hasUid, timezoneIdOf } from '../../src/backend/ical-peek.js';
import { firstValue, topComponents } from '../../src/mapping/content-lines.js';
import { buildCalendarUrl, objectName, objectUrl, ownerAndName } from '../../src/backend/object-urls.js';
import { GatewayError } from '../../src/model/errors.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('objectName', () => {
  it.each(['abc', 'A1.b_c-d@example.com', 'x'.repeat(200)])('keeps the plain UID %s', (uid) => {
    expect(objectName(uid)).toBe(uid);
  });

  it.each(['', '.', '..', 'a/b', 'a b', 'ü', 'a%2F', 'x'.repeat(201), '../../etc/passwd', 'a?b#c'])(
    'hashes the odd UID %j',
    (uid) => {
      expect(objectName(uid)).toBe(sha256(uid));
      expect(objectName(uid)).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('appends .ics under the calendar, adding a missing slash', () => {
    expect(objectUrl('http://h/alice/work', 'e1')).toBe('http://h/alice/work/e1.ics');
    expect(objectUrl('http://h/alice/work/', 'a b')).toBe(`http://h/alice/work/${sha256('a b')}.ics`);
  });
});

describe('buildCalendarUrl', () => {
  const home = 'http://h:5232/alice/';

  it('puts own calendars inside the home, encoded', () => {
    expect(buildCalendarUrl(home, 'alice', 'calendar')).toBe('http://h:5232/alice/calendar/');
    expect(buildCalendarUrl(home, 'alice', 'Büro & Co')).toBe('http://h:5232/alice/B%C3%BCro%20%26%20Co/');
  });

  it("puts other owners' calendars in the sibling home, also under a path prefix", () => {
    expect(buildCalendarUrl(home, 'bob', 'work')).toBe('http://h:5232/bob/work/');
    expect(buildCalendarUrl('https://h/dav/alice/', 'b o', 'c')).toBe('https://h/dav/b%20o/c/');
  });

  it.each([
    ['alice', ''],
    ['alice', '.'],
    ['alice', '..'],
    ['alice', 'a/b'],
    ['alice', 'a\\b'],
    ['alice', 'tab\there'],
    ['..', 'calendar'],
    ['', 'calendar'],
  ])('refuses owner %j with name %j', (owner, name) => {
    expect(() => buildCalendarUrl(home, owner, name)).toThrow(GatewayError);
  });

  it('reads owner and name back from the last two segments', () => {
    expect(ownerAndName('http://h/dav/b%20o/B%C3%BCro/')).toEqual({ owner: 'b o', name: 'Büro' });
  });
});

describe('ical-peek', () => {
  const ical = [
    'BEGIN:VCALENDAR',
    'BEGIN:VTIMEZONE',
    'TZID:Europe/Berlin',
    'END:VTIMEZONE',
    'BEGIN:VEVENT',
    'UID:long-',
    ' folded\\, uid',
    'BEGIN:VALARM',
    'UID:alarm-uid',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

  it('lists top-level components with their own, unfolded properties', () => {
    const components = topComponents(ical);
    expect(components.map((c) => [c.name, firstValue(c, 'TZID'), firstValue(c, 'UID')])).toEqual([
      ['VTIMEZONE', 'Europe/Berlin', undefined],
      ['VEVENT', undefined, 'long-folded\\, uid'],
    ]);
  });

  it('matches UIDs exactly and only on top-level components', () => {
    expect(hasUid(ical, 'long-folded, uid')).toBe(true);
    expect(hasUid(ical, 'LONG-FOLDED, UID')).toBe(false);
    expect(hasUid(ical, 'long-folded')).toBe(false);
    expect(hasUid(ical, 'alarm-uid')).toBe(false);
  });

  it('tells component types and the TZID of a calendar-timezone value', () => {
    expect(hasComponentOf(ical, ['VTODO'])).toBe(false);
    expect(hasComponentOf(ical, ['VEVENT', 'VTODO'])).toBe(true);
    expect(timezoneIdOf(ical.replace(/\r\n/g, '\n'))).toBe('Europe/Berlin');
    expect(timezoneIdOf('BEGIN:VCALENDAR\nEND:VCALENDAR\n')).toBeUndefined();
  });
});
