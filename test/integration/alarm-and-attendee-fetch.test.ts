import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshCalendarPerTest } from '../support/fresh-calendar.js';
import { elementsByTagName, textContent } from '../support/parse-xml.js';
import { startHarness, xmlValue, type Harness } from '../support/gateway-harness.js';

/**
 * fetchcomponents_by_alarmrange (docs/wcap-protocol.md#fetchcomponents_by_alarmrange) and
 * fetchcomponents_by_attendee_error (docs/wcap-protocol.md#fetchcomponents_by_attendee_error)
 * against real Radicale and Redis, with objects written straight to Radicale as another CalDAV
 * client (or the iMIP sender, or Cyrus) would leave them. Each test has a calendar of its own.
 */
const USER = 'erin';

const ics = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const alarm = (trigger: string) => ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:r', trigger, 'END:VALARM'];
const keysOf = (vcal: ICAL.Component | undefined) =>
  [...(vcal?.getAllSubcomponents('vevent') ?? []), ...(vcal?.getAllSubcomponents('vtodo') ?? [])]
    .map((c) => {
      const rid = c.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;
      return rid ? `${c.getFirstPropertyValue('uid')}@${rid.convertToZone(ICAL.Timezone.utcTimezone).toICALString()}` : String(c.getFirstPropertyValue('uid'));
    })
    .sort();

describe('fetch by alarm range and by attendee error', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());
  const fresh = freshCalendarPerTest(() => h, USER, 'fetch');
  const put = async (uid: string, ...lines: string[]) => {
    const res = await h.radicale(USER, `${fresh.path}${uid}.ics`, { method: 'PUT', body: ics(...lines), headers: { 'Content-Type': 'text/calendar' } });
    expect(res.status).toBe(201);
  };

  describe('fetchcomponents_by_alarmrange', () => {
    beforeEach(async () => {
      // Rings 30 minutes before 10 March 00:10Z, i.e. on 9 March.
      await put('early', 'BEGIN:VEVENT', 'UID:early', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270310T001000Z', 'DTEND:20270310T010000Z', ...alarm('TRIGGER:-PT30M'), 'END:VEVENT');
      // Weekly from 1 March 09:00Z, rings 15 minutes before each instance; 15 March moved to 14:00Z.
      await put(
        'weekly',
        'BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270301T090000Z', 'DTEND:20270301T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=8', ...alarm('TRIGGER:-PT15M'), 'END:VEVENT',
        'BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID:20270315T090000Z', 'DTSTART:20270315T140000Z', 'DTEND:20270315T150000Z', ...alarm('TRIGGER:-PT15M'), 'END:VEVENT',
      );
      // A task ringing at an absolute time, and an event without any alarm.
      await put('task', 'BEGIN:VTODO', 'UID:task', 'DTSTAMP:20260101T000000Z', 'DUE:20270401T120000Z', ...alarm('TRIGGER;VALUE=DATE-TIME:20270314T080000Z'), 'END:VTODO');
      await put('quiet', 'BEGIN:VEVENT', 'UID:quiet', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270314T090000Z', 'DTEND:20270314T100000Z', 'END:VEVENT');
    });
    const fetch = (query: string) => h.wcap('fetchcomponents_by_alarmrange', `id=${id}&calid=${fresh.calid}&${query}`);

    it('answers the instances whose alarms ring in the range (text/calendar), the moved instance by its own alarm', async () => {
      // From 8 March: the instance of 8 March rings at 08:45Z; 1 March and 22 March are outside.
      const answer = await fetch('dtstart=20270308T000000Z&dtend=20270316T000000Z&fmt-out=text%2Fcalendar');
      expect(answer.errno).toBe(0);
      expect(keysOf(answer.ical)).toEqual(['early', 'task', 'weekly@20270308T090000Z', 'weekly@20270315T090000Z']);
      const moved = answer.ical!.getAllSubcomponents('vevent').find((e) => String(e.getFirstPropertyValue('recurrence-id')).startsWith('2027-03-15'))!;
      expect((moved.getFirstPropertyValue('dtstart') as ICAL.Time).toICALString()).toBe('20270315T140000Z');
    });

    it('the boundary is the alarm time: 15 March 13:45Z rings, 08:45Z (the moved-away slot) does not', async () => {
      const at = await fetch('dtstart=20270315T134500Z&dtend=20270315T134600Z&fmt-out=text%2Fcalendar');
      expect(keysOf(at.ical)).toEqual(['weekly@20270315T090000Z']);
      const before = await fetch('dtstart=20270315T084500Z&dtend=20270315T084600Z&fmt-out=text%2Fcalendar');
      expect(keysOf(before.ical)).toEqual([]);
    });

    it('text/xml, recurring=1 and component-type=event: the series once as master and exception', async () => {
      const answer = await fetch('dtstart=20270309T000000Z&dtend=20270316T000000Z&recurring=1&component-type=event&fmt-out=text%2Fxml');
      expect(answer.errno).toBe(0);
      const uids = elementsByTagName(answer.xml!, 'UID').map((e) => textContent(e).trim()).sort();
      expect(uids).toEqual(['early', 'weekly', 'weekly']);
      expect(elementsByTagName(answer.xml!, 'RRULE')).toHaveLength(1);
    });

    it('a calendar that does not exist is errno 29; dtend before dtstart is 41', async () => {
      expect((await h.wcap('fetchcomponents_by_alarmrange', `id=${id}&calid=${USER}:nosuch${randomUUID().slice(0, 6)}&dtstart=0&dtend=0`)).errno).toBe(29);
      expect((await fetch('dtstart=20270316T000000Z&dtend=20270309T000000Z')).errno).toBe(41);
    });
  });

  describe('fetchcomponents_by_attendee_error', () => {
    beforeEach(async () => {
      const organizer = 'ORGANIZER:mailto:erin@example.com';
      await put('bounced', 'BEGIN:VEVENT', 'UID:bounced', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270310T090000Z', 'DTEND:20270310T100000Z', organizer,
        'ATTENDEE;PARTSTAT=NEEDS-ACTION;SCHEDULE-STATUS=5.1:mailto:nobody@unreachable.test', 'ATTENDEE;SCHEDULE-STATUS=2.0:mailto:bob@example.com', 'END:VEVENT');
      await put('delivered', 'BEGIN:VEVENT', 'UID:delivered', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270311T090000Z', 'DTEND:20270311T100000Z', organizer,
        'ATTENDEE;SCHEDULE-STATUS=1.2:mailto:bob@example.com', 'END:VEVENT');
      await put('plain', 'BEGIN:VEVENT', 'UID:plain', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270312T090000Z', 'DTEND:20270312T100000Z', organizer, 'ATTENDEE:mailto:bob@example.com', 'END:VEVENT');
      // A series whose exception alone failed to reach bob (as Cyrus records it per component).
      await put('series', 'BEGIN:VEVENT', 'UID:series', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270301T090000Z', 'DTEND:20270301T100000Z', 'RRULE:FREQ=DAILY;COUNT=5', organizer,
        'ATTENDEE;SCHEDULE-STATUS=2.0:mailto:bob@example.com', 'END:VEVENT',
        'BEGIN:VEVENT', 'UID:series', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID:20270303T090000Z', 'DTSTART:20270303T110000Z', 'DTEND:20270303T120000Z', organizer,
        'ATTENDEE;SCHEDULE-STATUS=3.7:mailto:bob@example.com', 'END:VEVENT');
    });
    const fetch = (query: string) => h.wcap('fetchcomponents_by_attendee_error', `id=${id}&calid=${fresh.calid}&${query}`);

    it('answers the failed components and nothing else, in both formats', async () => {
      const ical = await fetch('fmt-out=text%2Fcalendar');
      expect(ical.errno).toBe(0);
      expect(keysOf(ical.ical)).toEqual(['bounced', 'series@20270303T090000Z']);
      const xml = await fetch('fmt-out=text%2Fxml');
      expect(xml.errno).toBe(0);
      expect(elementsByTagName(xml.xml!, 'UID').map((e) => textContent(e).trim()).sort()).toEqual(['bounced', 'series']);
      expect(xmlValue(xml.xml!, 'X-NSCP-WCAP-ERRNO')).toBe('0');
    });

    it('attendee= narrows to one attendee (calid or address); dtstart/dtend to a range', async () => {
      expect(keysOf((await fetch('attendee=bob&fmt-out=text%2Fcalendar')).ical)).toEqual(['series@20270303T090000Z']);
      expect(keysOf((await fetch('attendee=nobody%40unreachable.test&fmt-out=text%2Fcalendar')).ical)).toEqual(['bounced']);
      expect(keysOf((await fetch('dtstart=20270309T000000Z&dtend=0&fmt-out=text%2Fcalendar')).ical)).toEqual(['bounced']);
    });

    it('after the attendee is reached (status rewritten to 2.0 on the server) the item is no longer reported', async () => {
      await h.radicale(USER, `${fresh.path}bounced.ics`, { method: 'DELETE' });
      await put('bounced', 'BEGIN:VEVENT', 'UID:bounced', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270310T090000Z', 'DTEND:20270310T100000Z',
        'ORGANIZER:mailto:erin@example.com', 'ATTENDEE;SCHEDULE-STATUS=2.0:mailto:nobody@unreachable.test', 'END:VEVENT');
      expect(keysOf((await fetch('fmt-out=text%2Fcalendar')).ical)).toEqual(['series@20270303T090000Z']);
    });
  });
});
