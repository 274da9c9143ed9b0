import { randomUUID } from 'node:crypto';
import type ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vtimezone } from '../../src/mapping/timezones.js';
import { enc, startHarness, xmlValue, type Harness } from '../support/gateway-harness.js';
import { childElements, elementsByTagName } from '../support/parse-xml.js';

/**
 * Fetch options over HTTP against the real Radicale (docs/wcap-protocol.md#fetch-parameters,
 * docs/wcap-protocol.md#recurring-and-compressed, docs/wcap-protocol.md#time-zone-parameters):
 * recurring=0 vs 1, rid on *_by_id, tzidout, compstate, attrset. Recurring items are written
 * straight to Radicale as another CalDAV client would. User bob; every item has its own UID, and
 * ranges in 2031 keep other tests' data out of the way.
 */
const USER = 'bob';
const LIGHTNING = 'appid=mozilla-calendar&relativealarm=1&compressed=1&emailorcalid=1&fmt-out=text%2Fcalendar';

describe('fetch options against Radicale', () => {
  let h: Harness;
  let id: string;
  const series = randomUUID();
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
    // Weekly Monday 09:00 Berlin from 17 March 2031, six times, across the change to summer time
    // on 30 March; 7 April deleted; 24 March moved to Wednesday 26 March 15:00.
    await put(series, [
      ...event(series, 'DTSTART;TZID=Europe/Berlin:20310317T090000', 'DTEND;TZID=Europe/Berlin:20310317T100000',
        'RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE;TZID=Europe/Berlin:20310407T090000', 'SUMMARY:Jour fixe'),
      ...event(series, 'RECURRENCE-ID;TZID=Europe/Berlin:20310324T090000', 'DTSTART;TZID=Europe/Berlin:20310326T150000',
        'DTEND;TZID=Europe/Berlin:20310326T160000', 'SUMMARY:Jour fixe (moved)'),
    ]);
  });
  afterAll(() => h.close());

  function event(uid: string, ...lines: string[]): string[] {
    return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20310101T000000Z', ...lines, 'END:VEVENT'];
  }
  async function put(uid: string, components: string[]): Promise<void> {
    const zone = vtimezone('Europe/Berlin')!.toString().split('\r\n');
    const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', ...zone, ...components, 'END:VCALENDAR'].join('\r\n');
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } });
    expect(res.status).toBe(201);
  }
  const range = (query: string) => h.wcap('fetchcomponents_by_range', `id=${id}&${query}&calid=${USER}`);
  const eventsOf = (ical: ICAL.Component | undefined, uid: string) =>
    (ical?.getAllSubcomponents('vevent') ?? []).filter((e) => e.getFirstPropertyValue('uid') === uid);
  const line = (c: ICAL.Component, name: string) => c.getFirstProperty(name)?.toICALString();
  const MARCH_APRIL = 'dtstart=20310301T000000Z&dtend=20310501T000000Z';

  it('recurring=1 (Lightning): the master and its exception as stored', async () => {
    const answer = await range(`${LIGHTNING}&recurring=1&component-type=event&${MARCH_APRIL}`);
    expect(answer.errno).toBe(0);
    const events = eventsOf(answer.ical, series);
    expect(events.map((e) => e.getFirstPropertyValue('summary'))).toEqual(['Jour fixe', 'Jour fixe (moved)']);
    expect(line(events[0]!, 'rrule')).toBe('RRULE:FREQ=WEEKLY;COUNT=6');
  });

  it.each([
    ['recurring=0', '&recurring=0'],
    ['recurring absent (the default)', ''],
  ])('%s: the instances of the range, each with RECURRENCE-ID, without RRULE or EXDATE', async (_label, flag) => {
    const answer = await range(`fmt-out=text%2Fcalendar${flag}&${MARCH_APRIL}`);
    expect(answer.errno).toBe(0);
    const events = eventsOf(answer.ical, series);
    expect(events.map((e) => [line(e, 'recurrence-id'), line(e, 'dtstart')])).toEqual([
      ['RECURRENCE-ID;TZID=Europe/Berlin:20310317T090000', 'DTSTART;TZID=Europe/Berlin:20310317T090000'],
      ['RECURRENCE-ID;TZID=Europe/Berlin:20310324T090000', 'DTSTART;TZID=Europe/Berlin:20310326T150000'],
      ['RECURRENCE-ID;TZID=Europe/Berlin:20310331T090000', 'DTSTART;TZID=Europe/Berlin:20310331T090000'],
      ['RECURRENCE-ID;TZID=Europe/Berlin:20310414T090000', 'DTSTART;TZID=Europe/Berlin:20310414T090000'],
      ['RECURRENCE-ID;TZID=Europe/Berlin:20310421T090000', 'DTSTART;TZID=Europe/Berlin:20310421T090000'],
    ]);
    for (const e of events) expect([e.hasProperty('rrule'), e.hasProperty('exdate')]).toEqual([false, false]);
  });

  it('recurring=0 clips to the range: only the instance of 31 March (after the DST change, 07:00Z)', async () => {
    const answer = await range('recurring=0&dtstart=20310331T060000Z&dtend=20310331T080000Z');
    expect(eventsOf(answer.ical, series).map((e) => line(e, 'recurrence-id'))).toEqual(['RECURRENCE-ID;TZID=Europe/Berlin:20310331T090000']);
  });

  it('fetchevents_by_id: with a rid the instance; with recurring=1 the whole series', async () => {
    const one = await h.wcap('fetchevents_by_id', `id=${id}&uid=${series}&rid=20310414T070000Z&calid=${USER}`);
    expect(one.errno).toBe(0);
    expect(eventsOf(one.ical, series).map((e) => [line(e, 'recurrence-id'), e.hasProperty('rrule')])).toEqual([
      ['RECURRENCE-ID;TZID=Europe/Berlin:20310414T090000', false],
    ]);
    const whole = await h.wcap('fetchevents_by_id', `id=${id}&${LIGHTNING}&recurring=1&uid=${series}&calid=${USER}`);
    expect(eventsOf(whole.ical, series)).toHaveLength(2);
    const deleted = await h.wcap('fetchevents_by_id', `id=${id}&uid=${series}&rid=20310407T070000Z&calid=${USER}`);
    expect(deleted.errno).toBe(59);
  });

  it('tzidout: a zone converts single instances; a master keeps its zone; X-S1CS-TZNATIVE keeps all as stored', async () => {
    const ny = await h.wcap('fetchevents_by_id', `id=${id}&recurring=1&uid=${series}&tzidout=${enc('America/New_York')}&calid=${USER}`);
    expect(ny.errno).toBe(0);
    const [master, moved] = eventsOf(ny.ical, series);
    // A master rewritten into New York time would be expanded there: its EXDATE on 7 April would
    // then be 03:00 while the instances are at 04:00 until Europe changes to summer time.
    expect(line(master!, 'dtstart')).toBe('DTSTART;TZID=Europe/Berlin:20310317T090000');
    // 09:00 Berlin on 24 March 2031 is 08:00Z, 04:00 in New York (EDT since 9 March).
    expect(line(moved!, 'recurrence-id')).toBe('RECURRENCE-ID;TZID=America/New_York:20310324T040000');
    expect(master!.getFirstPropertyValue('x-nscp-dtstart-tzid')).toBe('Europe/Berlin');
    expect(ny.ical!.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')).sort()).toEqual(['America/New_York', 'Europe/Berlin']);

    const native = await h.wcap('fetchevents_by_id', `id=${id}&recurring=1&uid=${series}&tzidout=X-S1CS-TZNATIVE&calid=${USER}`);
    expect(line(eventsOf(native.ical, series)[0]!, 'dtstart')).toBe('DTSTART;TZID=Europe/Berlin:20310317T090000');
  });

  it.each([
    ['tzidout', `tzidout=${enc('Atlantis/Capital')}`],
    ['tzid', `tzid=${enc('Atlantis/Capital')}`],
  ])('an unknown %s → errno 18', async (_label, param) => {
    expect((await range(`recurring=1&${MARCH_APRIL}&${param}`)).errno).toBe(18);
    expect((await h.wcap('fetchevents_by_id', `id=${id}&uid=${series}&${param}&calid=${USER}`)).errno).toBe(18);
  });

  it('compstate=REQUEST-NEEDS-ACTION (Lightning invitation counter): only the unanswered invitation', async () => {
    const [open, accepted, own] = [randomUUID(), randomUUID(), randomUUID()];
    const invitation = (uid: string, partstat: string) =>
      event(uid, 'DTSTART:20310610T090000Z', 'DTEND:20310610T100000Z', 'SUMMARY:Invitation', 'ORGANIZER;CN=Carol:mailto:carol@partner.org',
        `ATTENDEE;PARTSTAT=${partstat};RSVP=TRUE:mailto:bob@example.com`);
    await put(open, invitation(open, 'NEEDS-ACTION'));
    await put(accepted, invitation(accepted, 'ACCEPTED'));
    await put(own, event(own, 'DTSTART:20310610T110000Z', 'DTEND:20310610T120000Z', 'SUMMARY:Own'));
    const query = `${LIGHTNING}&recurring=1&component-type=event&dtstart=20310601T000000Z&dtend=20310701T000000Z`;
    const uids = (answer: { ical?: ICAL.Component }) => (answer.ical?.getAllSubcomponents('vevent') ?? []).map((e) => e.getFirstPropertyValue('uid'));
    const filtered = await range(`${query}&compstate=REQUEST-NEEDS-ACTION`);
    expect(filtered.errno).toBe(0);
    expect(uids(filtered)).toContain(open);
    expect(uids(filtered)).not.toContain(accepted);
    expect(uids(filtered)).not.toContain(own);
    expect(uids(await range(`${query}&compstate=REPLY-ACCEPTED`))).toEqual(expect.arrayContaining([accepted]));
    expect(uids(await range(query))).toEqual(expect.arrayContaining([open, accepted, own]));
  });

  it('attrset=0 in XML: uid, start, end and summary only', async () => {
    const answer = await range(`fmt-out=text%2Fxml&recurring=1&attrset=0&${MARCH_APRIL}`);
    expect(answer.errno).toBe(0);
    const events = elementsByTagName(answer.xml!, 'EVENT').filter((e) => xmlValue(e, 'UID') === series);
    expect(events.map((e) => childElements(e).map((c) => c.name))).toEqual([
      ['UID', 'START', 'END', 'SUMMARY', 'X-NSCP-DTSTART-TZID', 'X-NSCP-DTEND-TZID'],
      ['UID', 'RECURID', 'START', 'END', 'SUMMARY', 'X-NSCP-DTSTART-TZID', 'X-NSCP-DTEND-TZID'],
    ]);
  });
});
