import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Lightning's write scenarios (docs/lightning.md#writing-items), request by request as the provider
 * builds them, against real Radicale; every result is read back directly from Radicale.
 */
const USER = 'carol';
const TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';

describe('Lightning write scenarios', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  const store = (params: string) => h.wcap('storeevents', `appid=mozilla-calendar&id=${id}${params}&${TAIL}&calid=${USER}`);
  async function onServer(uid: string): Promise<ICAL.Component[]> {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
    expect(res.status).toBe(200);
    return new ICAL.Component(ICAL.parse(await res.text()) as unknown[]).getAllSubcomponents('vevent');
  }

  // docs/lightning.md#method-and-invitations
  it('REPLY: an invitation answered with method=4 changes only the replying attendee', async () => {
    const uid = randomUUID();
    // An invitation from an external organizer, as it lands in the user's calendar (method 256 copy).
    await store(
      `&dtstart=20270405T080000Z&dtend=20270405T090000Z&summary=Board&orgEmail=${enc('mailto:boss@example.org')}` +
        `&attendees=PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^CN=Carol^${enc('mailto:carol@example.com')};` +
        `PARTSTAT=ACCEPTED^CN=Dan^${enc('mailto:dan@example.org')}&uid=${uid}&storetype=1&mod=4&method=256&smtp=0&smtpNotify=0&notify=0`,
    );
    const fetched = await h.wcap('fetchevents_by_id', `appid=mozilla-calendar&id=${id}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&uid=${uid}&calid=${USER}`);
    const own = fetched.ical!.getFirstSubcomponent('vevent')!.getAllProperties('attendee').find((a) => a.getParameter('x-s1cs-calid') === USER);
    // Lightning finds its own attendee by X-S1CS-CALID (docs/lightning.md#method-and-invitations).
    expect(own?.getFirstValue()).toBe('mailto:carol@example.com');
    const reply = await h.wcap(
      'storeevents',
      `appid=mozilla-calendar&id=${id}&attendees=PARTSTAT=ACCEPTED^${enc('mailto:carol@example.com')}&uid=${uid}&storetype=2&mod=4&method=4&${TAIL}&calid=${USER}`,
    );
    expect(reply.errno).toBe(0);
    const [event] = await onServer(uid);
    const attendees = event!.getAllProperties('attendee');
    const carol = attendees.find((a) => a.getFirstValue() === 'mailto:carol@example.com')!;
    expect(carol.getParameter('partstat')).toBe('ACCEPTED');
    expect(carol.getParameter('cn')).toBe('Carol');
    expect(carol.getParameter('role')).toBe('REQ-PARTICIPANT');
    expect(attendees.find((a) => a.getFirstValue() === 'mailto:dan@example.org')!.getParameter('partstat')).toBe('ACCEPTED');
    expect(event!.getFirstPropertyValue('organizer')).toBe('mailto:boss@example.org');
    expect(event!.getFirstPropertyValue('summary')).toBe('Board');
  });

  // docs/lightning.md#deleting-occurrences
  it('deleting an occurrence: deleteevents_by_id with repeated uid, then the master without EXDATEs', async () => {
    const uid = randomUUID();
    await store(`&dtstart=20270405T070000Z&dtend=20270405T080000Z&isAllDay=0&rrules="${enc('FREQ=DAILY;COUNT=5')}"&summary=Daily&tzid=${enc('Europe/Berlin')}&uid=${uid}&storetype=1&mod=4&method=1`);
    const step1 = await h.wcap('deleteevents_by_id', `appid=mozilla-calendar&id=${id}&uid=${uid};${uid}&mod=1&rid=20270406T070000Z;20270408T070000Z&fmt-out=text%2Fxml&calid=${USER}`);
    expect(step1.errno).toBe(0);
    // Step 2: the normal store of the master, without exdates, with storetype=2
    // (docs/lightning.md#deleting-occurrences, docs/lightning.md#writing-the-whole-master).
    const step2 = await store(`&summary=Daily%20standup&uid=${uid}&storetype=2&mod=4&method=1`);
    expect(step2.errno).toBe(0);
    const events = await onServer(uid);
    expect(events).toHaveLength(1);
    const exdates = events[0]!.getAllProperties('exdate').flatMap((p) => (p.getValues() as ICAL.Time[]).map(String)).sort();
    // 07:00Z is 09:00 in Berlin in April (UTC+2).
    expect(exdates).toEqual(['2027-04-06T09:00:00', '2027-04-08T09:00:00']);
    expect(events[0]!.getFirstPropertyValue('summary')).toBe('Daily standup');
    // The store answer is exactly one item: the master (docs/lightning.md#store-answer).
    expect(step2.ical!.getAllSubcomponents('vevent')).toHaveLength(1);
  });

  // docs/lightning.md#modifying-occurrences
  it('a new exception is sent in full without storetype, a known one with storetype=2', async () => {
    const uid = randomUUID();
    await store(`&dtstart=20270405T070000Z&dtend=20270405T080000Z&rrules="${enc('FREQ=WEEKLY;COUNT=4')}"&summary=Weekly&tzid=${enc('Europe/Berlin')}&uid=${uid}&storetype=1&mod=4`);
    const first = await store(
      `&dtstart=20270412T100000Z&dtend=20270412T110000Z&isAllDay=0&summary=Weekly%20(late)&desc=&location=Room%207&priority=null&icsClass=PUBLIC&status=0&transparent=0&tzid=${enc('Europe/Berlin')}&uid=${uid}&mod=1&rid=20270412T070000Z&method=1`,
    );
    expect(first.errno).toBe(0);
    // The answer holds the master and its exception in one calendar
    // (docs/lightning.md#store-answer).
    expect(first.ical!.getAllSubcomponents('vevent')).toHaveLength(2);
    const second = await store(`&location=Room%208&uid=${uid}&storetype=2&mod=1&rid=20270412T070000Z&method=1`);
    expect(second.errno).toBe(0);
    const override = (await onServer(uid)).find((e) => e.hasProperty('recurrence-id'))!;
    expect(override.getFirstPropertyValue('location')).toBe('Room 8');
    expect(override.getFirstPropertyValue('summary')).toBe('Weekly (late)');
    expect(override.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/Berlin:20270412T120000');
  });

  // docs/lightning.md#alarm-parameters
  it('alarms: an EMAIL alarm is stored, returned relative, and cleared with empty parameters', async () => {
    const uid = randomUUID();
    const created = await store(`&dtstart=20270406T070000Z&dtend=20270406T080000Z&summary=Alarmed&alarmStart=-PT30M&alarmEmails=${enc('carol@example.com')}&uid=${uid}&storetype=1&mod=4`);
    const alarm = created.ical!.getFirstSubcomponent('vevent')!.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('EMAIL');
    expect(alarm.getFirstPropertyValue('attendee')).toBe('mailto:carol@example.com');
    expect((alarm.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds()).toBe(-1800);
    await store(`&alarmStart=&alarmPopup=&alarmEmails=&uid=${uid}&storetype=2&mod=4`);
    expect((await onServer(uid))[0]!.getAllSubcomponents('valarm')).toHaveLength(0);
  });

  // docs/lightning.md#store-request-layout
  it('a task without dates and a todo whose due is only its alarm anchor', async () => {
    const uid = randomUUID();
    const created = await h.wcap(
      'storetodos',
      `appid=mozilla-calendar&id=${id}&dtstart=0&due=0&isAllDay=0&summary=Someday&priority=null&icsClass=PUBLIC&status=3&percent=0&completed=0&uid=${uid}&storetype=1&mod=4&method=1&${TAIL}&calid=${USER}`,
    );
    expect(created.errno).toBe(0);
    const todo = created.ical!.getFirstSubcomponent('vtodo')!;
    expect(todo.hasProperty('dtstart')).toBe(false);
    expect(todo.hasProperty('due')).toBe(false);
    const all = await h.wcap('fetchcomponents_by_range', `appid=mozilla-calendar&id=${id}&component-type=todo&dtstart=0&dtend=0&fmt-out=text%2Fcalendar&calid=${USER}`);
    expect(all.ical!.getAllSubcomponents('vtodo').map((t) => t.getFirstPropertyValue('uid'))).toContain(uid);
  });
});
