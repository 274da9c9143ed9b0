import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/calendars/object-codec.js';

/**
 * ical.js decides a TZID's zone when a time is first read and reads an unregistered one as
 * floating. Objects parsed by the gateway must know their zones before any time is read — in a
 * fresh process too (this file runs in its own worker and touches no zone before parsing).
 */
const object = (tzid: string, extra = '') =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', extra, 'BEGIN:VEVENT', 'UID:a', 'DTSTAMP:20270101T000000Z',
    `DTSTART;TZID=${tzid}:20270115T090000`, 'END:VEVENT', 'END:VCALENDAR', '']
    .filter((l) => l !== '')
    .join('\r\n');

describe('time zones of stored objects', () => {
  it('a zone first seen in a stored object is applied (Kathmandu is UTC+5:45)', () => {
    const start = parseObject(object('Asia/Kathmandu')).getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(new Date(start.toUnixTime() * 1000).toISOString()).toBe('2027-01-15T03:15:00.000Z');
  });

  it('a vendor-prefixed IANA name gets that zone (libical style TZIDs)', () => {
    const start = parseObject(object('/freeassociation.sourceforge.net/Tzfile/America/Chicago'))
      .getFirstSubcomponent('vevent')!
      .getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(new Date(start.toUnixTime() * 1000).toISOString()).toBe('2027-01-15T15:00:00.000Z');
  });

  it("an unknown name uses the object's own VTIMEZONE", () => {
    const zone = ['BEGIN:VTIMEZONE', 'TZID:Custom Plus Three', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0300', 'TZOFFSETTO:+0300', 'END:STANDARD', 'END:VTIMEZONE'].join('\r\n');
    const start = parseObject(object('Custom Plus Three', zone)).getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(new Date(start.toUnixTime() * 1000).toISOString()).toBe('2027-01-15T06:00:00.000Z');
  });
});
