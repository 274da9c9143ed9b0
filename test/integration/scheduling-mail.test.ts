import ICAL from 'ical.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { deadRelayUrl, startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';

/**
 * iMIP mail (RFC 6047) from the gateway on a CalDAV server without scheduling (Radicale): what a
 * real SMTP server on loopback receives for each WCAP write, and what Radicale holds afterwards.
 */
const ORGANIZER = 'frank';
const LOCAL = 'dave';
const GUEST = 'guest1@external.test';
const FROM = 'calendar@example.com';

let counter = 0;
const uidOf = (name: string) => `imip-${name}-${Date.now()}-${++counter}`;

/** Lightning's attendee list (docs/lightning.md#attendee-encoding). */
function attendees(...addresses: string[]): string {
  return addresses.map((a) => `RSVP=TRUE^PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^${enc(`mailto:${a}`)}`).join(';');
}

/** The text/calendar part of a received message, parsed, and its Content-Type. */
function calendarPart(mail: ReceivedMail): { contentType: string; vcalendar: ICAL.Component } {
  const raw = mail.raw.replace(/\r\n/g, '\n');
  const header = /^Content-Type: (text\/calendar[^\n]*(?:\n[ \t][^\n]*)*)/im.exec(raw);
  expect(header, 'a text/calendar part').not.toBeNull();
  const ics = icsOf(mail);
  return { contentType: header![1]!.replace(/\s+/g, ' '), vcalendar: new ICAL.Component(ICAL.parse(ics) as unknown[]) };
}

/** The decoded text/calendar body (mailparser keeps alternatives it does not show as attachments). */
function icsOf(mail: ReceivedMail): string {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (part) return part.content.toString('utf8');
  const alternatives = (mail.parsed as unknown as { alternatives?: Array<{ contentType: string; content: Buffer }> }).alternatives ?? [];
  const alt = alternatives.find((a) => a.contentType === 'text/calendar');
  if (alt) return alt.content.toString('utf8');
  throw new Error(`no text/calendar part in:\n${mail.raw}`);
}

function event(vcalendar: ICAL.Component): ICAL.Component {
  return vcalendar.getFirstSubcomponent('vevent')!;
}

function attendeeLines(component: ICAL.Component): string[] {
  return component.getAllProperties('attendee').map((a) => String(a.getFirstValue()).toLowerCase()).sort();
}

async function stored(h: Harness, user: string, uid: string): Promise<ICAL.Component> {
  const res = await h.radicale(user, `/${user}/calendar/${uid}.ics`);
  expect(res.status).toBe(200);
  return event(new ICAL.Component(ICAL.parse(await res.text()) as unknown[]));
}

describe('scheduling mail through an SMTP relay (Radicale does not schedule)', () => {
  let sink: SmtpSink;
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startHarness({ WCAP_SMTP_URL: sink.url, WCAP_SMTP_FROM: FROM });
    id = await h.login(ORGANIZER);
  });
  afterAll(async () => {
    await h.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.received.length = 0;
    sink.refuse.clear();
  });

  const invite = (uid: string, extra = '') =>
    h.wcap(
      'storeevents',
      `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=1&summary=${enc('Budget review – Zoë')}&location=Room%207` +
        `&dtstart=20290105T090000Z&dtend=20290105T100000Z&tzid=${enc('Europe/Berlin')}&attendees=${attendees(GUEST, `${LOCAL}@example.com`)}` +
        `&orgCalid=${ORGANIZER}&method=2&replace=1&fetch=1&emailorcalid=1${extra}`,
    );

  it('an invitation is a REQUEST to every attendee but the organizer, with a text/calendar and a text/plain part', async () => {
    const uid = uidOf('invite');
    expect((await invite(uid)).errno).toBe(0);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.to.sort()).toEqual([`${LOCAL}@example.com`, GUEST].sort());
    expect(mail.from).toBe(FROM);
    expect(mail.parsed.from?.value[0]).toMatchObject({ address: FROM, name: ORGANIZER });
    expect(mail.parsed.replyTo?.value[0]?.address).toBe(`${ORGANIZER}@example.com`);
    expect(mail.parsed.subject).toBe('Invitation: Budget review – Zoë');
    expect(mail.parsed.text).toContain('frank invites you to "Budget review – Zoë"');
    expect(mail.parsed.text).toContain('Where: Room 7');
    const { contentType, vcalendar } = calendarPart(mail);
    expect(contentType).toMatch(/text\/calendar;.*charset=utf-8/i);
    expect(contentType).toMatch(/method=REQUEST/);
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const vevent = event(vcalendar);
    expect(vevent.getFirstPropertyValue('uid')).toBe(uid);
    expect(vevent.getFirstPropertyValue('summary')).toBe('Budget review – Zoë');
    expect(String(vevent.getFirstPropertyValue('organizer')).toLowerCase()).toBe(`mailto:${ORGANIZER}@example.com`);
    expect(attendeeLines(vevent)).toEqual([`mailto:${LOCAL}@example.com`, `mailto:${GUEST}`].sort());
    expect(Number(vevent.getFirstPropertyValue('sequence') ?? 0)).toBe(0);
    // The zone of the times travels with them.
    expect(vevent.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('Europe/Berlin');
    expect(vcalendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');
  });

  it('a significant change is a REQUEST with a higher SEQUENCE, also stored; a new title alone sends nothing', async () => {
    const uid = uidOf('update');
    await invite(uid);
    sink.received.length = 0;
    const moved = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=2&dtstart=20290105T110000Z&dtend=20290105T120000Z&method=2&fetch=1`);
    expect(moved.errno).toBe(0);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.parsed.subject).toBe('Updated invitation: Budget review – Zoë');
    expect(mail.to.sort()).toEqual([`${LOCAL}@example.com`, GUEST].sort());
    const vevent = event(calendarPart(mail).vcalendar);
    expect(vevent.getFirstPropertyValue('sequence')).toBe(1);
    expect((vevent.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString()).toBe('2029-01-05T11:00:00.000Z');
    expect((await stored(h, ORGANIZER, uid)).getFirstPropertyValue('sequence')).toBe(1);

    sink.received.length = 0;
    expect((await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=2&summary=Renamed&method=2`)).errno).toBe(0);
    expect(sink.received).toHaveLength(0);
    expect((await stored(h, ORGANIZER, uid)).getFirstPropertyValue('sequence')).toBe(1);
  });

  it('removing an attendee is a CANCEL to that attendee alone; adding one is a REQUEST to the new one alone', async () => {
    const uid = uidOf('remove');
    await invite(uid);
    sink.received.length = 0;
    const answer = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=2&replace=1&attendees=${attendees(GUEST, 'new@external.test')}&method=2`);
    expect(answer.errno).toBe(0);
    const byMethod = new Map(sink.received.map((m) => [String(calendarPart(m).vcalendar.getFirstPropertyValue('method')), m]));
    expect([...byMethod.keys()].sort()).toEqual(['CANCEL', 'REQUEST']);
    const cancel = byMethod.get('CANCEL')!;
    expect(cancel.to).toEqual([`${LOCAL}@example.com`]);
    expect(cancel.parsed.subject).toBe('Cancelled: Budget review – Zoë');
    expect(attendeeLines(event(calendarPart(cancel).vcalendar))).toEqual([`mailto:${LOCAL}@example.com`]);
    expect(String(event(calendarPart(cancel).vcalendar).getFirstPropertyValue('organizer')).toLowerCase()).toBe(`mailto:${ORGANIZER}@example.com`);
    const request = byMethod.get('REQUEST')!;
    expect(request.to).toEqual(['new@external.test']);
    expect(attendeeLines(event(calendarPart(request).vcalendar))).toEqual(['mailto:guest1@external.test', 'mailto:new@external.test']);
  });

  it('deleting the meeting is a CANCEL with STATUS:CANCELLED and a higher SEQUENCE to every attendee', async () => {
    const uid = uidOf('delete');
    await invite(uid);
    sink.received.length = 0;
    const answer = await h.wcap('deleteevents_by_id', `id=${id}&calid=${ORGANIZER}&uid=${uid}&mod=4&rid=0&fmt-out=text%2Fxml`);
    expect(answer.errno).toBe(0);
    expect((await h.radicale(ORGANIZER, `/${ORGANIZER}/calendar/${uid}.ics`)).status).toBe(404);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.to.sort()).toEqual([`${LOCAL}@example.com`, GUEST].sort());
    const { contentType, vcalendar } = calendarPart(mail);
    expect(contentType).toMatch(/method=CANCEL/);
    expect(vcalendar.getFirstPropertyValue('method')).toBe('CANCEL');
    const vevent = event(vcalendar);
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(vevent.getFirstPropertyValue('sequence')).toBe(1);
    expect(attendeeLines(vevent)).toEqual([`mailto:${LOCAL}@example.com`, `mailto:${GUEST}`].sort());
  });

  it('deleting one occurrence of a meeting series is a REQUEST of the series with the EXDATE and a higher SEQUENCE', async () => {
    const uid = uidOf('occurrence');
    expect((await invite(uid, `&rrules=${enc('"FREQ=DAILY;COUNT=5"')}`)).errno).toBe(0);
    sink.received.length = 0;
    const answer = await h.wcap('deleteevents_by_id', `id=${id}&calid=${ORGANIZER}&uid=${uid}&mod=1&rid=20290106T090000Z&fmt-out=text%2Fxml`);
    expect(answer.errno).toBe(0);
    expect(sink.received).toHaveLength(1);
    const vevent = event(calendarPart(sink.received[0]!).vcalendar);
    expect(calendarPart(sink.received[0]!).vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(sink.received[0]!.parsed.subject).toBe('Updated invitation: Budget review – Zoë');
    expect(vevent.getFirstPropertyValue('sequence')).toBe(1);
    expect((vevent.getFirstPropertyValue('exdate') as ICAL.Time).toJSDate().toISOString()).toBe('2029-01-06T09:00:00.000Z');
    expect((await stored(h, ORGANIZER, uid)).getFirstPropertyValue('sequence')).toBe(1);
  });

  it('moving "this and future" occurrences splits the series: an update of the old one, an invitation to the new one', async () => {
    const uid = uidOf('split');
    expect((await invite(uid, `&rrules=${enc('"FREQ=DAILY;COUNT=5"')}`)).errno).toBe(0);
    sink.received.length = 0;
    const answer = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=2&rid=20290107T090000Z&mod=2&dtstart=20290107T150000Z&dtend=20290107T160000Z&method=2`);
    expect(answer.errno).toBe(0);
    const byUid = new Map(sink.received.map((m) => [String(event(calendarPart(m).vcalendar).getFirstPropertyValue('uid')), m]));
    expect([...byUid.keys()].sort()).toEqual([uid, `${uid}-R20290107T090000Z`]);
    const old = event(calendarPart(byUid.get(uid)!).vcalendar);
    expect(byUid.get(uid)!.parsed.subject).toMatch(/^Updated invitation/);
    expect(old.getFirstPropertyValue('sequence')).toBe(1);
    expect(String(old.getFirstPropertyValue('rrule'))).toMatch(/UNTIL=/);
    const split = byUid.get(`${uid}-R20290107T090000Z`)!;
    expect(split.parsed.subject).toMatch(/^Invitation/);
    expect(split.to.sort()).toEqual([`${LOCAL}@example.com`, GUEST].sort());
  });

  it('smtp=0 (Lightning: smtp=0&smtpNotify=0&notify=0) sends nothing, for stores and deletes', async () => {
    const uid = uidOf('quiet');
    expect((await invite(uid, '&smtp=0&smtpNotify=0&notify=0')).errno).toBe(0);
    expect((await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&dtstart=20290106T090000Z&dtend=20290106T100000Z&smtp=0`)).errno).toBe(0);
    expect((await h.wcap('deleteevents_by_id', `id=${id}&calid=${ORGANIZER}&uid=${uid}&mod=4&rid=0&smtp=0&smtpNotify=0&notify=0`)).errno).toBe(0);
    expect(sink.received).toHaveLength(0);
  });

  it("an attendee's reply (method=4) is a REPLY to the organizer carrying only that attendee", async () => {
    const uid = uidOf('reply');
    // The invitation as it sits in the attendee's calendar (delivered by mail and imported).
    const copy = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20290101T000000Z', 'SEQUENCE:2',
      'DTSTART:20290107T090000Z', 'DTEND:20290107T100000Z', 'SUMMARY:Planning',
      `ORGANIZER;CN=Frank:mailto:${ORGANIZER}@example.com`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${LOCAL}@example.com`,
      `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${GUEST}`, 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    // Logging in creates the attendee's default calendar.
    const daveId = await h.login(LOCAL);
    const put = await h.radicale(LOCAL, `/${LOCAL}/calendar/${uid}.ics`, { method: 'PUT', body: copy, headers: { 'Content-Type': 'text/calendar' } });
    expect(put.status).toBe(201);
    const answer = await h.wcap('storeevents', `id=${daveId}&calid=${LOCAL}&uid=${uid}&storetype=2&method=4&mod=4&attendees=PARTSTAT=ACCEPTED^${enc(`mailto:${LOCAL}@example.com`)}&fetch=1&emailorcalid=1`);
    expect(answer.errno).toBe(0);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.to).toEqual([`${ORGANIZER}@example.com`]);
    expect(mail.parsed.replyTo?.value[0]?.address).toBe(`${LOCAL}@example.com`);
    expect(mail.parsed.subject).toBe('Accepted: Planning');
    const { contentType, vcalendar } = calendarPart(mail);
    expect(contentType).toMatch(/method=REPLY/);
    const vevent = event(vcalendar);
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REPLY');
    expect(String(vevent.getFirstPropertyValue('organizer')).toLowerCase()).toBe(`mailto:${ORGANIZER}@example.com`);
    expect(vevent.getAllProperties('attendee')).toHaveLength(1);
    expect(String(vevent.getFirstPropertyValue('attendee')).toLowerCase()).toBe(`mailto:${LOCAL}@example.com`);
    expect(vevent.getFirstProperty('attendee')?.getParameter('partstat')).toBe('ACCEPTED');
    expect(vevent.getFirstPropertyValue('sequence')).toBe(2);
    expect(vevent.getFirstPropertyValue('uid')).toBe(uid);
  });

  it('a recipient the relay refuses: errno 33 after the write, SCHEDULE-STATUS on that ATTENDEE; a later delivery clears it', async () => {
    const uid = uidOf('refused');
    sink.refuse.add(GUEST);
    const answer = await invite(uid);
    expect(answer.errno).toBe(33);
    expect(answer.body).toContain('X-NSCP-WCAP-ERRNO-MESSAGE');
    const vevent = await stored(h, ORGANIZER, uid);
    const status = (address: string, component = vevent) =>
      component.getAllProperties('attendee').find((a) => String(a.getFirstValue()).toLowerCase() === `mailto:${address}`)?.getParameter('schedule-status');
    expect(status(GUEST)).toBe('5.1');
    expect(status(`${LOCAL}@example.com`)).toBeUndefined();
    expect(sink.received.map((m) => m.to)).toEqual([[`${LOCAL}@example.com`]]);

    sink.refuse.clear();
    sink.received.length = 0;
    const moved = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=2&dtstart=20290105T130000Z&dtend=20290105T140000Z&method=2`);
    expect(moved.errno).toBe(0);
    expect(sink.received).toHaveLength(1);
    // The status is the gateway's record, not part of what attendees receive.
    expect(sink.received[0]!.raw).not.toMatch(/SCHEDULE-STATUS/i);
    expect(status(GUEST, await stored(h, ORGANIZER, uid))).toBeUndefined();
  });

  it('logs in to the relay with the URL credentials, and never logs them', async () => {
    await invite(uidOf('auth'));
    expect(sink.logins.at(-1)).toBe('relay-user');
    expect(h.logText()).not.toContain('relay-pa55word');
    expect(h.logText()).toContain('scheduling mail goes through the relay');
  });
});

describe('scheduling mail when the relay is down, unset, or the server schedules', () => {
  it('relay down: errno 33, the event is on Radicale with SCHEDULE-STATUS 5.1 on each attendee, a warning and the failure metric', async () => {
    const h = await startHarness({ WCAP_SMTP_URL: await deadRelayUrl(), WCAP_SMTP_TIMEOUT_MS: '5000' });
    try {
      const id = await h.login(ORGANIZER);
      const uid = uidOf('down');
      const answer = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=1&summary=Down&dtstart=20290108T090000Z&dtend=20290108T100000Z&attendees=${attendees(GUEST)}&fmt-out=text%2Fxml`);
      expect(answer.errno).toBe(33);
      const vevent = await stored(h, ORGANIZER, uid);
      expect(vevent.getFirstPropertyValue('summary')).toBe('Down');
      expect(vevent.getFirstProperty('attendee')?.getParameter('schedule-status')).toBe('5.1');
      expect(h.logText()).toMatch(/"level":40[^\n]*scheduling mail not delivered/);
      expect(h.logText()).not.toContain('relay-pa55word');
      const metrics = parsePrometheusText(await (await fetch(`${h.gateway.url}metrics`)).text());
      expect(metrics.value('wcap_mails_total', { result: 'failed' })).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('no WCAP_SMTP_URL: a start-up notice, and stores with attendees answer 0 without mail', async () => {
    const h = await startHarness();
    try {
      expect(h.logText()).toContain('WCAP_SMTP_URL is not set');
      const id = await h.login(ORGANIZER);
      const uid = uidOf('unset');
      const answer = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uid}&storetype=1&summary=Quiet&dtstart=20290109T090000Z&dtend=20290109T100000Z&attendees=${attendees(GUEST)}`);
      expect(answer.errno).toBe(0);
      expect((await stored(h, ORGANIZER, uid)).getFirstProperty('attendee')?.getParameter('schedule-status')).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  it('a server that lists calendar-auto-schedule delivers itself: the gateway sends nothing', async () => {
    const sink = await startSmtpSink();
    // Radicale's OPTIONS answer, as a scheduling server (RFC 6638 §2) would give it.
    const schedulingServer = (inner: typeof fetch): typeof fetch => async (input, init) => {
      const res = await inner(input, init);
      if (new Request(input, init).method !== 'OPTIONS') return res;
      const headers = new Headers(res.headers);
      headers.set('DAV', `${headers.get('DAV') ?? '1'}, calendar-auto-schedule`);
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    };
    const h = await startHarness({ WCAP_SMTP_URL: sink.url }, { wrapFetch: schedulingServer });
    try {
      const id = await h.login(ORGANIZER);
      const answer = await h.wcap('storeevents', `id=${id}&calid=${ORGANIZER}&uid=${uidOf('server')}&storetype=1&summary=Server&dtstart=20290110T090000Z&dtend=20290110T100000Z&attendees=${attendees(GUEST)}`);
      expect(answer.errno).toBe(0);
      expect(h.caldavRequests.some((r) => r.method === 'OPTIONS')).toBe(true);
      expect(sink.received).toHaveLength(0);
    } finally {
      await h.close();
      await sink.close();
    }
  });
});
