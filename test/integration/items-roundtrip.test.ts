import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Events and tasks through HTTP exactly as Lightning sends them (docs/lightning.md#reading-items,
 * docs/lightning.md#writing-items), with every change checked directly on Radicale.
 */
const USER = 'alice';
const TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';

describe('events and tasks round trip through Radicale', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    // Without the calendar cache: the request counts below are those of the plain CalDAV path,
    // whatever earlier tests read (the cached path is test/integration/calendar-cache.test.ts and
    // test/unit/snapshot-answers.test.ts).
    h = await startHarness({ WCAP_CACHE_MAX_MB: '0' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  // Depth 1 PROPFIND over a calendar is quadratic on Radicale 3.1.8
  // (docs/caldav-servers.md#depth-1-propfind-cost): checked after every test, whatever the order,
  // over the CalDAV requests it made.
  let checked = 0;
  afterEach(() => {
    const made = h.caldavRequests.slice(checked);
    checked = h.caldavRequests.length;
    const overCalendars = made.filter(
      (r) => r.method === 'PROPFIND' && r.depth === '1' && new URL(r.url).pathname.split('/').filter(Boolean).length >= 2,
    );
    expect(overCalendars).toEqual([]);
  });

  /** The stored object for `uid`, read straight from Radicale. */
  async function stored(uid: string): Promise<ICAL.Component | null> {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
    if (res.status === 404) return null;
    expect(res.status).toBe(200);
    return new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
  }
  const store = (cmd: string, params: string) =>
    h.wcap(cmd, `appid=mozilla-calendar&id=${id}${params}&${TAIL}&calid=${USER}`);

  it('creates an event, returns the complete component, and stores it in the right zone', async () => {
    const uid = randomUUID();
    const created = await store(
      'storeevents',
      `&dtstart=20261201T090000Z&dtend=20261201T100000Z&isAllDay=0&attendees=RSVP=TRUE^PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^CN=Jane%20Roe^${enc('mailto:jane@example.org')}` +
        `&orgCalid=${USER}&summary=${enc('Planning, Q1; "draft"')}&categories=Work;Fun&desc=${enc('Line 1\r\nLine 2')}` +
        `&location=&icsUrl=&priority=null&icsClass=PUBLIC&status=0&transparent=0&attachments=` +
        `&alarmStart=-PT15M&alarmEmails=${enc('alice@example.com')}&tzid=${enc('Europe/Berlin')}&uid=${uid}&storetype=1&mod=4&method=2`,
    );
    expect(created.errno).toBe(0);
    const events = created.ical!.getAllSubcomponents('vevent');
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.getFirstPropertyValue('uid')).toBe(uid);
    expect(event.getFirstPropertyValue('summary')).toBe('Planning, Q1; "draft"');
    expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Berlin');
    expect(event.getFirstPropertyValue('x-nscp-dtstart-tzid')).toBe('Europe/Berlin');
    const attendee = event.getFirstProperty('attendee')!;
    expect(attendee.getFirstValue()).toBe('mailto:jane@example.org');
    expect(attendee.getParameter('cn')).toBe('Jane Roe');
    const organizer = event.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:alice@example.com');
    expect(organizer.getParameter('x-s1cs-calid')).toBe(USER);
    expect(created.ical!.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toContain('Europe/Berlin');

    const onServer = (await stored(uid))!.getFirstSubcomponent('vevent')!;
    // 09:00Z in December is 10:00 in Berlin (UTC+1).
    expect(onServer.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/Berlin:20261201T100000');
    expect(onServer.getFirstPropertyValue('description')).toBe('Line 1\nLine 2');
    expect(onServer.getFirstProperty('categories')!.getValues()).toEqual(['Work', 'Fun']);
    expect(onServer.hasProperty('priority')).toBe(false);
    expect(onServer.getFirstPropertyValue('transp')).toBe('OPAQUE');
    const alarm = onServer.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('EMAIL');
    expect(String(alarm.getFirstPropertyValue('trigger'))).toBe('-PT15M');
  });

  it('fetches by range (0, UTC and floating bounds) with one REPORT, and by id', async () => {
    const uid = randomUUID();
    await store('storeevents', `&dtstart=20270310T080000Z&dtend=20270310T090000Z&summary=Range&uid=${uid}&storetype=1&mod=4`);
    // Until the server has shown that its time-range filter expands recurrences, a range fetch also
    // asks for the recurring masters (docs/caldav-servers.md#capability-detection): a weekly series
    // that began before a window shows it on the first fetch of that window.
    const series = randomUUID();
    await store('storeevents', `&dtstart=20270201T070000Z&dtend=20270201T073000Z&summary=Weekly&uid=${series}&rrules=${enc('"FREQ=WEEKLY;COUNT=10"')}&storetype=1&mod=4`);
    const settle = await h.wcap('fetchcomponents_by_range', `id=${id}&dtstart=20270308T000000Z&dtend=20270309T000000Z&calid=${USER}&fmt-out=text%2Fcalendar`);
    expect(settle.ical!.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'))).toContain(series);
    await h.settled();
    // The calendar's properties are already known from the store: a range fetch is one REPORT.
    const before = h.caldavRequests.length;
    const utc = await h.wcap(
      'fetchcomponents_by_range',
      `appid=mozilla-calendar&id=${id}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&component-type=event&dtstart=20270309T000000Z&dtend=20270311T000000Z&calid=${USER}`,
    );
    // The second fetch of the calendar may start a snapshot build in the background (a Depth 0
    // PROPFIND and sync REPORT, calendars/background-builds.ts); the fetch itself is one query.
    const made = h.caldavRequests.slice(before).filter((r) => !(r.depth === '0' && ['PROPFIND', 'REPORT'].includes(r.method)));
    expect(made.map((r) => `${r.method} ${r.depth}`)).toEqual(['REPORT 1']);
    expect(utc.errno).toBe(0);
    expect(utc.ical!.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'))).toContain(uid);
    const floating = await h.wcap('fetchcomponents_by_range', `id=${id}&dtstart=20270310T000000&dtend=20270310T235959&calid=${USER}`);
    expect(floating.ical!.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'))).toContain(uid);
    const outside = await h.wcap('fetchcomponents_by_range', `id=${id}&dtstart=20270401T000000Z&dtend=20270402T000000Z&calid=${USER}`);
    expect(outside.ical!.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'))).not.toContain(uid);
    const all = await h.wcap('fetchcomponents_by_range', `id=${id}&dtstart=0&dtend=0&fmt-out=text%2Fxml&calid=${USER}`);
    expect(all.body).toContain(`<UID>${uid}</UID>`);

    const byId = await h.wcap('fetchevents_by_id', `id=${id}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&uid=${uid}&calid=${USER}`);
    expect(byId.errno).toBe(0);
    expect(byId.ical!.getAllSubcomponents('vevent')).toHaveLength(1);
    // Lightning asks for events first and falls back to tasks on 59.
    const asTodo = await h.wcap('fetchtodos_by_id', `id=${id}&fmt-out=text%2Fcalendar&uid=${uid}&calid=${USER}`);
    expect(asTodo.errno).toBe(59);
  });

  it('modify changes only the fields sent; an identical echo does not touch the stored object', async () => {
    const uid = randomUUID();
    await store('storeevents', `&dtstart=20270105T090000Z&dtend=20270105T100000Z&summary=Original&location=Room%201&desc=Keep%20me&uid=${uid}&storetype=1&mod=4`);
    const modified = await store('storeevents', `&location=${enc('Room 2')}&uid=${uid}&storetype=2&mod=4`);
    expect(modified.errno).toBe(0);
    const event = (await stored(uid))!.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('location')).toBe('Room 2');
    expect(event.getFirstPropertyValue('summary')).toBe('Original');
    expect(event.getFirstPropertyValue('description')).toBe('Keep me');
    const etag = (await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).headers.get('etag');
    const echo = await store('storeevents', `&location=${enc('Room 2')}&summary=Original&uid=${uid}&mod=4`);
    expect(echo.errno).toBe(0);
    expect((await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).headers.get('etag')).toBe(etag);
    // Empty clears, as Lightning sends it for removed values.
    await store('storeevents', `&location=&desc=&uid=${uid}&storetype=2&mod=4`);
    const cleared = (await stored(uid))!.getFirstSubcomponent('vevent')!;
    expect(cleared.hasProperty('location')).toBe(false);
    expect(cleared.hasProperty('description')).toBe(false);
  });

  it('storetype 1 on an existing uid → 63, storetype 2 on a missing one → 62, missing uid → generated', async () => {
    const uid = randomUUID();
    await store('storeevents', `&dtstart=20270106T090000Z&dtend=20270106T100000Z&summary=Once&uid=${uid}&storetype=1&mod=4`);
    expect((await store('storeevents', `&dtstart=20270106T090000Z&summary=Twice&uid=${uid}&storetype=1&mod=4`)).errno).toBe(63);
    expect((await store('storeevents', `&summary=Ghost&uid=${randomUUID()}&storetype=2&mod=4`)).errno).toBe(62);
    const generated = await store('storeevents', `&dtstart=20270107T090000Z&dtend=20270107T100000Z&summary=No%20uid&storetype=1&mod=4`);
    expect(generated.errno).toBe(0);
    const newUid = String(generated.ical!.getFirstSubcomponent('vevent')!.getFirstPropertyValue('uid'));
    expect(newUid.length).toBeGreaterThan(8);
    expect(await stored(newUid)).not.toBeNull();
  });

  it('a task: create with due and percent, complete it, delete it', async () => {
    const uid = randomUUID();
    const created = await store(
      'storetodos',
      `&dtstart=20270201T090000Z&due=20270203T170000Z&isAllDay=0&summary=${enc('File report')}&priority=1&status=3&percent=0&completed=0&tzid=${enc('America/New_York')}&uid=${uid}&storetype=1&mod=4`,
    );
    expect(created.errno).toBe(0);
    const todo = created.ical!.getFirstSubcomponent('vtodo')!;
    expect(todo.getFirstPropertyValue('status')).toBe('NEEDS-ACTION');
    expect(todo.getFirstPropertyValue('x-nscp-due-tzid')).toBe('America/New_York');
    // 17:00Z on 3 Feb is 12:00 in New York (UTC−5).
    expect((await stored(uid))!.getFirstSubcomponent('vtodo')!.getFirstProperty('due')!.toICALString()).toBe(
      'DUE;TZID=America/New_York:20270203T120000',
    );
    await store('storetodos', `&status=4&percent=100&completed=20270202T120000Z&uid=${uid}&storetype=2&mod=4`);
    const done = (await stored(uid))!.getFirstSubcomponent('vtodo')!;
    expect(done.getFirstPropertyValue('status')).toBe('COMPLETED');
    expect(done.getFirstPropertyValue('percent-complete')).toBe(100);
    expect(done.getFirstProperty('completed')!.toICALString()).toBe('COMPLETED:20270202T120000Z');
    expect(done.getFirstPropertyValue('summary')).toBe('File report');

    const fetched = await h.wcap('fetchcomponents_by_range', `id=${id}&component-type=todo&dtstart=0&dtend=0&calid=${USER}`);
    expect(fetched.ical!.getAllSubcomponents('vtodo').map((t) => t.getFirstPropertyValue('uid'))).toContain(uid);
    expect(fetched.ical!.getAllSubcomponents('vevent')).toHaveLength(0);

    const deleted = await h.wcap('deletetodos_by_id', `appid=mozilla-calendar&id=${id}&uid=${uid}&mod=4&rid=0&fmt-out=text%2Fxml&calid=${USER}`);
    expect(deleted.errno).toBe(0);
    expect(await stored(uid)).toBeNull();
    expect((await h.wcap('fetchtodos_by_id', `id=${id}&uid=${uid}&calid=${USER}`)).errno).toBe(59);
  });

  it('deletes an event; unknown uid → 59, unknown calendar → 29, foreign calendar → 28', async () => {
    const uid = randomUUID();
    await store('storeevents', `&dtstart=20270108T090000Z&dtend=20270108T100000Z&summary=Bye&uid=${uid}&storetype=1&mod=4`);
    const deleted = await h.wcap('deleteevents_by_id', `appid=mozilla-calendar&id=${id}&uid=${uid}&mod=4&rid=0&smtp=0&smtpNotify=0&notify=0&fmt-out=text%2Fxml&calid=${USER}`);
    expect(deleted.errno).toBe(0);
    expect(await stored(uid)).toBeNull();
    expect((await h.wcap('deleteevents_by_id', `id=${id}&uid=${uid}&mod=4&rid=0&fmt-out=text%2Fxml&calid=${USER}`)).errno).toBe(59);
    expect((await h.wcap('fetchevents_by_id', `id=${id}&uid=${randomUUID()}&calid=${USER}`)).errno).toBe(59);
    expect((await h.wcap('fetchcomponents_by_range', `id=${id}&dtstart=0&dtend=0&calid=${USER}:nosuch`)).errno).toBe(29);
    expect((await h.wcap('fetchcomponents_by_range', `id=${id}&dtstart=0&dtend=0&calid=bob`)).errno).toBe(28);
    const intrude = await h.wcap('storeevents', `id=${id}&dtstart=20270108T090000Z&summary=Intrude&storetype=1&fmt-out=text%2Fcalendar&calid=bob`);
    expect(intrude.errno).toBe(28);
  });

  it('all-day events are stored as DATE values and are transparent by default', async () => {
    const uid = randomUUID();
    const created = await store('storeevents', `&dtstart=20270120&dtend=20270121&isAllDay=1&summary=Holiday&tzid=${enc('Europe/Berlin')}&uid=${uid}&storetype=1&mod=4`);
    expect(created.errno).toBe(0);
    const event = (await stored(uid))!.getFirstSubcomponent('vevent')!;
    expect(event.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;VALUE=DATE:20270120');
    expect(event.getFirstProperty('dtend')!.toICALString()).toBe('DTEND;VALUE=DATE:20270121');
    expect(event.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
  });

  it('free/busy lists opaque events of the user as explicit UTC periods', async () => {
    const busy = randomUUID();
    const free = randomUUID();
    await store('storeevents', `&dtstart=20270301T090000Z&dtend=20270301T100000Z&summary=Busy&transparent=0&uid=${busy}&storetype=1`);
    await store('storeevents', `&dtstart=20270301T120000Z&dtend=20270301T130000Z&summary=Free&transparent=1&uid=${free}&storetype=1`);
    const answer = await h.wcap(
      'get_freebusy',
      `appid=mozilla-calendar&id=${id}&calid=${enc(`mailto:${USER}@example.com`)}&busyonly=1&dtstart=20270301T000000Z&dtend=20270302T000000Z&fmt-out=text%2Fxml`,
    );
    expect(answer.errno).toBe(0);
    expect(answer.body).toContain('<FB FBTYPE="BUSY">20270301T090000Z/20270301T100000Z</FB>');
    expect(answer.body).not.toContain('20270301T120000Z/');
    const unknown = await h.wcap('get_freebusy', `id=${id}&calid=${enc('mailto:someone@elsewhere.org')}&dtstart=20270301T000000Z&dtend=20270302T000000Z&fmt-out=text%2Fxml`);
    expect(unknown.errno).toBe(29);
    const foreign = await h.wcap('get_freebusy', `id=${id}&calid=bob&dtstart=20270301T000000Z&dtend=20270302T000000Z&fmt-out=text%2Fxml`);
    expect(foreign.errno).toBe(28);
  });

  // Stores accept tzidout together with fetch=1 (docs/wcap-protocol.md#time-zone-parameters).
  it('fetch=1 honours tzidout and relativealarm=0 (stores accept tzidout)', async () => {
    const uid = randomUUID();
    const answer = await h.wcap(
      'storeevents',
      `id=${id}&dtstart=20270601T120000Z&dtend=20270601T130000Z&summary=Zoned&alarmStart=-PT10M&alarmEmails=${enc('alice@example.com')}&tzid=${enc('Europe/Berlin')}&uid=${uid}&storetype=1&fetch=1&tzidout=${enc('America/New_York')}&relativealarm=0&fmt-out=text%2Fcalendar&calid=${USER}`,
    );
    const event = answer.ical!.getFirstSubcomponent('vevent')!;
    // 12:00Z in June is 08:00 in New York (UTC-4); the alarm fires at 11:50Z.
    expect(event.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=America/New_York:20270601T080000');
    expect(event.getFirstSubcomponent('valarm')!.getFirstProperty('trigger')!.toICALString()).toContain('20270601T115000Z');
    expect((await h.wcap('storeevents', `id=${id}&summary=x&uid=${uid}&fetch=1&tzidout=Nowhere%2FLand&calid=${USER}`)).errno).toBe(18);
  });
});
