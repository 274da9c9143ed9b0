import ICAL from 'ical.js';
import { parseXml, type ParsedElement } from './parse-xml.js';

/**
 * The legacy calendars of the migration tests (test/integration/migrate.test.ts), written straight
 * into the legacy Radicale, and a CalDAV reader for the new side that does not go through the
 * gateway's code.
 */

/** A zone no IANA database has: it must travel with its own VTIMEZONE. */
const OFFICE_ZONE = [
  'BEGIN:VTIMEZONE', 'TZID:Office Time', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0530', 'TZOFFSETTO:+0530',
  'TZNAME:OFT', 'END:STANDARD', 'END:VTIMEZONE',
];

const BERLIN_ZONE = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

const NEW_YORK_ZONE = [
  'BEGIN:VTIMEZONE', 'TZID:America/New_York',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0500', 'TZOFFSETTO:-0400', 'TZNAME:EDT', 'DTSTART:19700308T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:-0400', 'TZOFFSETTO:-0500', 'TZNAME:EST', 'DTSTART:19701101T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

const wrap = (lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Sun Microsystems//Calendar Server//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');

export interface FixtureObject {
  calendar: string;
  uid: string;
  ical: string;
}

/**
 * `user`'s legacy data: in the default calendar a weekly series (Berlin time) with a moved and a
 * cancelled occurrence (EXDATE), an alarm and attendees with PARTSTATs; a yearly all-day series; a
 * task with a due date (New York time) and an alarm; a task without; an event in a custom zone.
 * In the calendar `projects` one event.
 */
export function legacyFixture(user: string): FixtureObject[] {
  const organizer = `ORGANIZER;CN=${user}:mailto:${user}@example.com`;
  return [
    {
      calendar: 'calendar',
      uid: `standup-${user}`,
      ical: wrap([
        ...BERLIN_ZONE,
        'BEGIN:VEVENT', `UID:standup-${user}`, 'DTSTAMP:20261201T080000Z', 'SUMMARY:Standup', 'DTSTART;TZID=Europe/Berlin:20270104T090000',
        'DTEND;TZID=Europe/Berlin:20270104T091500', 'RRULE:FREQ=WEEKLY;COUNT=10', 'EXDATE;TZID=Europe/Berlin:20270118T090000', organizer,
        `ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:bob@example.com`,
        `ATTENDEE;CN=Carol;PARTSTAT=TENTATIVE;RSVP=TRUE:mailto:carol@example.org`,
        'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Standup', 'TRIGGER:-PT15M', 'END:VALARM', 'END:VEVENT',
        'BEGIN:VEVENT', `UID:standup-${user}`, 'DTSTAMP:20261201T080000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20270111T090000', 'SUMMARY:Standup (moved)',
        'DTSTART;TZID=Europe/Berlin:20270111T140000', 'DTEND;TZID=Europe/Berlin:20270111T141500', organizer,
        `ATTENDEE;CN=Bob;PARTSTAT=DECLINED:mailto:bob@example.com`, 'END:VEVENT',
      ]),
    },
    {
      calendar: 'calendar',
      uid: `birthday-${user}`,
      ical: wrap(['BEGIN:VEVENT', `UID:birthday-${user}`, 'DTSTAMP:20261201T080000Z', 'SUMMARY:Birthday', 'DTSTART;VALUE=DATE:20270201',
        'DTEND;VALUE=DATE:20270202', 'RRULE:FREQ=YEARLY', 'TRANSP:TRANSPARENT', 'END:VEVENT']),
    },
    {
      calendar: 'calendar',
      uid: `report-${user}`,
      ical: wrap([...NEW_YORK_ZONE, 'BEGIN:VTODO', `UID:report-${user}`, 'DTSTAMP:20261201T080000Z', 'SUMMARY:Quarterly report',
        'DUE;TZID=America/New_York:20270301T170000', 'PRIORITY:1', 'STATUS:NEEDS-ACTION', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Report due',
        'TRIGGER;RELATED=END:-PT1H', 'END:VALARM', 'END:VTODO']),
    },
    {
      calendar: 'calendar',
      uid: `groceries-${user}`,
      ical: wrap(['BEGIN:VTODO', `UID:groceries-${user}`, 'DTSTAMP:20261201T080000Z', 'SUMMARY:Groceries', 'STATUS:NEEDS-ACTION', 'END:VTODO']),
    },
    {
      calendar: 'calendar',
      uid: `office-${user}`,
      ical: wrap([...OFFICE_ZONE, 'BEGIN:VEVENT', `UID:office-${user}`, 'DTSTAMP:20261201T080000Z', 'SUMMARY:Office call',
        'DTSTART;TZID=Office Time:20270210T100000', 'DTEND;TZID=Office Time:20270210T110000', 'END:VEVENT']),
    },
    {
      calendar: 'projects',
      uid: `kickoff-${user}`,
      ical: wrap([...BERLIN_ZONE, 'BEGIN:VEVENT', `UID:kickoff-${user}`, 'DTSTAMP:20261201T080000Z', 'SUMMARY:Project kickoff',
        'DTSTART;TZID=Europe/Berlin:20270305T100000', 'DTEND;TZID=Europe/Berlin:20270305T120000', 'LOCATION:Room 4', 'END:VEVENT']),
    },
  ];
}

/** The `projects` calendar's properties on the legacy side. */
export const PROJECTS_CALENDAR = { displayName: 'Projects', description: 'Everything about projects' };

export function mkcalendarBody(props: { displayName: string; description?: string }): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>',
    `<D:displayname>${props.displayName}</D:displayname>`,
    props.description ? `<C:calendar-description>${props.description}</C:calendar-description>` : '',
    '</D:prop></D:set></C:mkcalendar>',
  ].join('');
}

/** Every object of a calendar, read with one calendar-query REPORT, parsed with ical.js. */
export async function readCalendar(request: (path: string, init: RequestInit) => Promise<Response>, path: string): Promise<ICAL.Component[]> {
  const res = await request(path, {
    method: 'REPORT',
    headers: { Depth: '1', 'Content-Type': 'application/xml' },
    body:
      '<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
      '<D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>',
  });
  if (res.status === 404) return [];
  if (res.status !== 207) throw new Error(`REPORT ${path}: HTTP ${res.status}`);
  return byLocalName(parseXml(await res.text()).root, 'calendar-data').map((element) => new ICAL.Component(ICAL.parse(text(element)) as unknown[]));
}

function byLocalName(element: ParsedElement, name: string): ParsedElement[] {
  const found: ParsedElement[] = [];
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    if (child.name.split(':').pop() === name) found.push(child);
    found.push(...byLocalName(child, name));
  }
  return found;
}

function text(element: ParsedElement): string {
  return element.children.map((c) => (typeof c === 'string' ? c : text(c))).join('');
}
