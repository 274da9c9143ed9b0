import { expect } from 'vitest';
import { enc, timeOf, zoned, type Format, type ItemView } from '../support/golden-gateway.js';

/**
 * Query strings exactly as Mozilla Lightning's WCAP provider builds them
 * (docs/lightning.md#reading-items, docs/lightning.md#writing-items): parameter order, which
 * values are encoded, the raw separators in `attendees` and `categories`, the fixed store trailer
 * with `calid` last. Shared by the golden test files so the fetch goldens show what the store
 * goldens stored.
 */

/** Text with every character class that needs escaping somewhere: `,;"\<&>`, non-ASCII, astral. */
export const SUMMARY = 'Q1 review, "draft"; C:\\temp <b>&</b> — Grüße 日本 😀';
/**
 * Lightning normalises DESCRIPTION newlines to CRLF before encoding
 * (docs/lightning.md#store-request-layout).
 */
export const DESCRIPTION_SENT = 'Agenda:\r\n1. “Budget” & <numbers>\r\n2. Ünïcödé; a\\b, c';
/** What comes back: line ends are LF in the data (and `\n` in iCalendar). */
export const DESCRIPTION = DESCRIPTION_SENT.replace(/\r\n/g, '\n');
export const LOCATION = 'Raum 4.01; Gebäude "B"';
export const MEETING_URL = 'https://example.org/m?a=1&b=2';
/** A CN holding `^`, which is also the attendee token separator (sent as %5E). */
export const JANE_CN = 'Jane ^ Roe';

/**
 * One attendee as Lightning writes it (docs/lightning.md#attendee-encoding): RSVP, PARTSTAT, ROLE,
 * CN tokens, then the id, joined by a raw `^`, each value encoded.
 */
export function attendee(id: string, options: { rsvp: boolean; partstat: string; role: string; cn: string }): string {
  return [`RSVP=${options.rsvp ? 'TRUE' : 'FALSE'}`, `PARTSTAT=${enc(options.partstat)}`, `ROLE=${enc(options.role)}`, `CN=${enc(options.cn)}`, enc(id)].join('^');
}

/** Item parameters of a new timed meeting with two attendees, an e-mail alarm and every text field. */
export function meetingParams(start: string, end: string): string {
  const attendees = [
    attendee('mailto:bob@example.com', { rsvp: false, partstat: 'ACCEPTED', role: 'REQ-PARTICIPANT', cn: 'Bob Builder' }),
    attendee('mailto:jane@example.org', { rsvp: true, partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT', cn: JANE_CN }),
  ].join(';');
  return (
    `&dtstart=${start}&dtend=${end}&isAllDay=0&rrules=&rdates=&exrules=&exdates=&attendees=${attendees}` +
    `&orgCalid=alice&summary=${enc(SUMMARY)}&categories=Business;Meeting&desc=${enc(DESCRIPTION_SENT)}` +
    `&location=${enc(LOCATION)}&icsUrl=${enc(MEETING_URL)}&priority=null&icsClass=PUBLIC&status=0&transparent=0&attachments=` +
    `&alarmStart=-PT15M&alarmEmails=${enc('alice@example.com')}`
  );
}

/**
 * Item parameters of a plain event without attendees or alarm (PUBLISH,
 * docs/lightning.md#method-and-invitations).
 */
export function simpleEventParams(options: { start: string; end: string; allDay?: boolean; summary: string; status?: number; transparent?: 0 | 1 }): string {
  return (
    `&dtstart=${options.start}&dtend=${options.end}&isAllDay=${options.allDay ? 1 : 0}&rrules=&rdates=&exrules=&exdates=` +
    `&orgCalid=alice&summary=${enc(options.summary)}&categories=&desc=&location=&icsUrl=&priority=null&icsClass=PUBLIC` +
    `&status=${options.status ?? 0}&transparent=${options.transparent ?? (options.allDay ? 1 : 0)}&attachments=` +
    `&alarmStart=&alarmPopup=&alarmEmails=`
  );
}

/** Item parameters of a task in progress (storetodos, docs/lightning.md#store-request-layout). */
export function taskParams(summary: string): string {
  return (
    `&dtstart=20260303T080000Z&due=20260306T170000Z&isAllDay=0&rrules=&rdates=&exrules=&exdates=` +
    `&orgCalid=alice&summary=${enc(summary)}&categories=Prep&desc=&location=&icsUrl=&priority=1&icsClass=PRIVATE` +
    `&status=5&percent=40&completed=0&attachments=&alarmStart=&alarmPopup=&alarmEmails=`
  );
}

export interface StoreTrailer {
  /** Omitted for UTC starts (docs/lightning.md#outbound-time-zones). */
  tzid?: string;
  /** Omitted when the item has no id yet: the server must make one. */
  uid?: string;
  /** 1 create, 2 modify; omitted for upserts. */
  storetype?: 1 | 2;
  /** PUBLISH 1, REQUEST 2, REPLY 4, UPDATE 256 (UPDATE comes with smtp=0&smtpNotify=0&notify=0). */
  method: 1 | 2 | 4 | 256;
  /**
   * One occurrence (`mod=1&rid=<UTC>`, docs/lightning.md#modifying-occurrences) instead of the
   * whole item (`mod=4`).
   */
  rid?: string;
  /** With `rid`: 1 (default, what Lightning sends), or Sun's 2 (this and future) / 3 (this and prior). */
  mod?: 1 | 2 | 3;
  fmtOut: string;
  calid?: string;
}

/**
 * `<id><item params><trailer>` of storeevents / storetodos, `calid` last
 * (docs/lightning.md#store-request-layout).
 */
export function storeQuery(sid: string, itemParams: string, t: StoreTrailer): string {
  return (
    `appid=mozilla-calendar&id=${sid}${itemParams}` +
    (t.tzid ? `&tzid=${enc(t.tzid)}` : '') +
    (t.uid ? `&uid=${enc(t.uid)}` : '') +
    (t.storetype ? `&storetype=${t.storetype}` : '') +
    (t.rid ? `&mod=${t.mod ?? 1}&rid=${t.rid}` : '&mod=4') +
    `&method=${t.method}` +
    (t.method === 256 ? '&smtp=0&smtpNotify=0&notify=0' : '') +
    `&replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=${t.fmtOut}&calid=${enc(t.calid ?? 'alice')}`
  );
}

/** getItem (docs/lightning.md#lookup-by-uid): fetchevents_by_id / fetchtodos_by_id. */
export function fetchByIdQuery(sid: string, uid: string, fmtOut: string, calid = 'alice'): string {
  return `appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=${fmtOut}&uid=${enc(uid)}&calid=${enc(calid)}`;
}

/** getItems (docs/lightning.md#range-fetch): fetchcomponents_by_range. */
export function rangeQuery(
  sid: string,
  options: { fmtOut: string; dtstart: string; dtend: string; componentType?: 'event' | 'todo'; compstate?: string; calid?: string },
): string {
  return (
    `appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=${options.fmtOut}` +
    (options.componentType ? `&component-type=${options.componentType}` : '') +
    (options.compstate ? `&compstate=${options.compstate}` : '') +
    `&dtstart=${options.dtstart}&dtend=${options.dtend}&calid=${enc(options.calid ?? 'alice')}`
  );
}

/**
 * Deleting a whole item (docs/lightning.md#deleting-items) or single occurrences (the uid repeated
 * once per rid, docs/lightning.md#deleting-occurrences). The user organizes these items, so no
 * smtp=0 flags.
 */
export function deleteQuery(sid: string, uid: string, fmtOut: string, rids?: string[]): string {
  const target = rids ? `uid=${rids.map(() => enc(uid)).join(';')}&mod=1&rid=${rids.join(';')}` : `uid=${enc(uid)}&mod=4&rid=0`;
  return `appid=mozilla-calendar&id=${sid}&${target}&fmt-out=${fmtOut}&calid=alice`;
}

/**
 * What every answer carrying the meeting of {@link meetingParams} must say, in either format:
 * text fields identical to what was sent, times in Europe/Berlin (local with TZID in text/calendar,
 * the UTC instant in text/xml, see {@link zoned}) with the Sun hint, calendar users as `mailto:`
 * with X-S1CS-CALID for local users (emailorcalid=1), the e-mail alarm, stamps from the fixed clock.
 */
export function expectMeeting(
  meeting: ItemView,
  format: Format,
  local: { start: string; end: string },
  utc: { start: string; end: string },
): void {
  expect(meeting.name).toBe('VEVENT');
  expect(meeting.value('SUMMARY')).toBe(SUMMARY);
  expect(meeting.value('DESCRIPTION')).toBe(DESCRIPTION);
  expect(meeting.value('LOCATION')).toBe(LOCATION);
  expect(meeting.value('URL')).toBe(MEETING_URL);
  expect(meeting.value('CATEGORIES')).toBe('Business,Meeting');
  expect(timeOf(meeting, 'DTSTART')).toEqual(zoned(format, local.start, 'Europe/Berlin', utc.start));
  expect(timeOf(meeting, 'DTEND')).toEqual(zoned(format, local.end, 'Europe/Berlin', utc.end));
  expect([meeting.value('X-NSCP-DTSTART-TZID'), meeting.value('X-NSCP-DTEND-TZID')]).toEqual(['Europe/Berlin', 'Europe/Berlin']);
  expect([meeting.value('ORGANIZER'), meeting.param('ORGANIZER', 'X-S1CS-CALID')]).toEqual(['mailto:alice@example.com', 'alice']);
  expect(meeting.values('ATTENDEE')).toEqual(['mailto:bob@example.com', 'mailto:jane@example.org']);
  expect(['CN', 'PARTSTAT', 'ROLE', 'RSVP', 'X-S1CS-CALID'].map((p) => meeting.param('ATTENDEE', p, 0))).toEqual(['Bob Builder', 'ACCEPTED', 'REQ-PARTICIPANT', 'FALSE', 'bob']);
  expect(['CN', 'PARTSTAT', 'ROLE', 'RSVP', 'X-S1CS-CALID'].map((p) => meeting.param('ATTENDEE', p, 1))).toEqual([JANE_CN, 'NEEDS-ACTION', 'REQ-PARTICIPANT', 'TRUE', undefined]);
  const alarms = meeting.children('VALARM');
  expect(alarms.map((a) => [a.value('ACTION'), a.value('TRIGGER'), a.values('ATTENDEE').join(' ')])).toEqual([['EMAIL', '-PT15M', 'mailto:alice@example.com']]);
  // priority=null means unset (docs/lightning.md#store-request-layout).
  expect([meeting.value('STATUS'), meeting.value('TRANSP'), meeting.value('CLASS'), meeting.value('PRIORITY')]).toEqual(['CONFIRMED', 'OPAQUE', 'PUBLIC', undefined]);
  expect([meeting.value('CREATED'), meeting.value('LAST-MODIFIED'), meeting.value('DTSTAMP')]).toEqual(Array(3).fill('20260302T100000Z'));
}
