import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { parseObject } from '../../src/calendars/object-codec.js';
import { buildGoldenGateway, parseIcs } from '../support/golden-gateway.js';

/**
 * Zones are resolved per object (src/mapping/timezones.ts): ical.js decides a TZID's zone when a
 * time is first read, so every parsed object must carry its zones before any time is read, and no
 * object's zone may leak into another's through ical.js's process-wide registry.
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

/** A VTIMEZONE named `tzid` with a fixed offset (e.g. '+0300'). */
const fixedZone = (tzid: string, offset: string) =>
  ['BEGIN:VTIMEZONE', `TZID:${tzid}`, 'BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, 'END:STANDARD', 'END:VTIMEZONE'].join('\r\n');

describe('one custom TZID name, two definitions', () => {
  const utcStart = (text: string) =>
    new Date((parseObject(text).getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstart') as ICAL.Time).toUnixTime() * 1000).toISOString();

  it('each object keeps its own zone, whatever was parsed before', () => {
    const east = object('Office Time', fixedZone('Office Time', '+0300'));
    const west = object('Office Time', fixedZone('Office Time', '-0500'));
    expect(utcStart(east)).toBe('2027-01-15T06:00:00.000Z');
    expect(utcStart(west)).toBe('2027-01-15T14:00:00.000Z');
    expect(utcStart(east)).toBe('2027-01-15T06:00:00.000Z');
  });

  it('served one after the other through the gateway, each answer uses its own object’s rules', async () => {
    const g = buildGoldenGateway();
    const sid = await g.login('alice');
    const put = (uid: string, offset: string) =>
      g.putObject('alice', 'calendar', uid, [
        'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN', fixedZone('Office Time', offset),
        'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z', 'DTSTART;TZID=Office Time:20270115T090000',
        'DTEND;TZID=Office Time:20270115T100000', 'SUMMARY:Office hours', 'END:VEVENT', 'END:VCALENDAR',
      ]);
    await put('office-east', '+0300');
    await put('office-west', '-0500');
    const startInUtc = async (uid: string) => {
      const answer = await g.get('fetchevents_by_id', `id=${sid}&uid=${uid}&calid=alice&fmt-out=text%2Fxml&recurring=1`);
      return /<START>([^<]+)<\/START>/.exec(answer.body)?.[1];
    };
    expect(await startInUtc('office-east')).toBe('20270115T060000Z');
    expect(await startInUtc('office-west')).toBe('20270115T140000Z');
    expect(await startInUtc('office-east')).toBe('20270115T060000Z');

    // Both in one text/calendar answer: the second definition travels under a name of its own.
    const range = await g.get('fetchcomponents_by_range', `id=${sid}&calid=alice&dtstart=20270101T000000Z&dtend=20270201T000000Z&recurring=1&fmt-out=text%2Fcalendar`);
    const [answer] = parseIcs(range.body);
    const starts = Object.fromEntries(
      answer!.getAllSubcomponents('vevent').map((e) => [e.getFirstPropertyValue('uid'), new Date((e.getFirstPropertyValue('dtstart') as ICAL.Time).toUnixTime() * 1000).toISOString()]),
    );
    expect(starts).toEqual({ 'office-east': '2027-01-15T06:00:00.000Z', 'office-west': '2027-01-15T14:00:00.000Z' });
    expect(answer!.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')).sort()).toEqual(['Office Time', 'Office Time (2)']);
  });
});
