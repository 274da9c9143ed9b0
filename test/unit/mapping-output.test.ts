import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { parseObject } from '../../src/calendars/object-codec.js';
import { Directory } from '../../src/mapping/directory.js';
import { itemsForOutput } from '../../src/mapping/item-output.js';
import { vtimezone } from '../../src/mapping/timezones.js';

const directory = new Directory('example.com');

/** The items of a stored object, parsed as the fetch commands parse what the server returns. */
function storedItems(body: string[], zones: string[] = ['Europe/Berlin', 'America/New_York']): ICAL.Component[] {
  const tz = zones.map((z) => vtimezone(z)!.toString());
  const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', ...tz, ...body, 'END:VCALENDAR'].join('\r\n');
  return itemComponents(parseObject(text));
}

const linesOf = (c: ICAL.Component) => c.toString().replace(/\r\n /g, '').split('\r\n');
const items = (out: ICAL.Component[]) => out.filter((c) => c.name !== 'vtimezone');
const zoneIds = (out: ICAL.Component[]) => out.filter((c) => c.name === 'vtimezone').map((c) => c.getFirstPropertyValue('tzid'));

const MEETING = [
  'BEGIN:VEVENT', 'UID:m1', 'DTSTART;TZID=Europe/Berlin:20240115T090000', 'DTEND;TZID=America/New_York:20240115T050000',
  'SUMMARY:Call', 'ORGANIZER;CN=Jane Doe;X-S1CS-CALID=jdoe:mailto:jdoe@example.com',
  'ATTENDEE;PARTSTAT=ACCEPTED:mailto:asmith@example.com', 'ATTENDEE;PARTSTAT=NEEDS-ACTION;X-S1CS-CALID="bwayne:work":mailto:bwayne@example.com',
  'ATTENDEE;PARTSTAT=DECLINED:mailto:ext@other.org', 'END:VEVENT',
];

describe('itemsForOutput: time zone hints and VTIMEZONEs', () => {
  it.each<[string, string[], string[]]>([
    ['event in two zones', MEETING, ['X-NSCP-DTSTART-TZID:Europe/Berlin', 'X-NSCP-DTEND-TZID:America/New_York']],
    ['todo with DUE', ['BEGIN:VTODO', 'UID:t1', 'DUE;TZID=Europe/Berlin:20240115T170000', 'END:VTODO'], ['X-NSCP-DUE-TZID:Europe/Berlin']],
    ['UTC event: no hint', ['BEGIN:VEVENT', 'UID:u', 'DTSTART:20240115T090000Z', 'DTEND:20240115T100000Z', 'END:VEVENT'], []],
    ['all-day event: no hint', ['BEGIN:VEVENT', 'UID:d', 'DTSTART;VALUE=DATE:20240115', 'DTEND;VALUE=DATE:20240116', 'END:VEVENT'], []],
    [
      'a stale hint in the stored data is replaced',
      ['BEGIN:VEVENT', 'UID:s', 'DTSTART;TZID=Europe/Berlin:20240115T090000', 'X-NSCP-DTSTART-TZID:Asia/Tokyo', 'END:VEVENT'],
      ['X-NSCP-DTSTART-TZID:Europe/Berlin'],
    ],
  ])('%s', (_label, body, hints) => {
    const [item] = items(itemsForOutput(storedItems(body), { emailOrCalid: true, directory }));
    expect(linesOf(item!).filter((l) => l.startsWith('X-NSCP-'))).toEqual(hints);
    // The standard form stays: local times with TZID are not rewritten to UTC.
    const stored = storedItems(body)[0]!;
    for (const name of ['dtstart', 'dtend', 'due']) {
      expect(item!.getFirstProperty(name)?.toICALString()).toBe(stored.getFirstProperty(name)?.toICALString());
    }
  });

  it('puts one VTIMEZONE per used zone before the items', () => {
    const body = [
      ...MEETING,
      'BEGIN:VEVENT', 'UID:m2', 'DTSTART;TZID=Europe/Berlin:20240116T090000', 'RRULE:FREQ=DAILY;COUNT=3',
      'EXDATE;TZID=Asia/Tokyo:20240117T170000', 'END:VEVENT',
    ];
    const out = itemsForOutput(storedItems(body), { emailOrCalid: true, directory });
    expect(out.map((c) => c.name)).toEqual(['vtimezone', 'vtimezone', 'vtimezone', 'vevent', 'vevent']);
    expect(new Set(zoneIds(out))).toEqual(new Set(['Europe/Berlin', 'America/New_York', 'Asia/Tokyo']));
  });

  it('includes no VTIMEZONE for items without zones', () => {
    const out = itemsForOutput(storedItems(['BEGIN:VEVENT', 'UID:u', 'DTSTART:20240115T090000Z', 'END:VEVENT']), { emailOrCalid: true, directory });
    expect(out.map((c) => c.name)).toEqual(['vevent']);
  });

  it('keeps the VTIMEZONE stored with an item whose zone the gateway does not know (RFC 5545 §3.2.19)', () => {
    const custom = [
      'BEGIN:VTIMEZONE', 'TZID:/freeassociation.sourceforge.net/Europe/Berlin', 'BEGIN:STANDARD', 'DTSTART:19701025T030000',
      'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD', 'BEGIN:DAYLIGHT',
      'DTSTART:19700329T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
      'END:VTIMEZONE',
    ];
    const body = [...custom, 'BEGIN:VEVENT', 'UID:e', 'DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:20240115T090000', 'END:VEVENT'];
    const out = itemsForOutput(storedItems(body, []), { emailOrCalid: true, directory });
    expect(zoneIds(out)).toEqual(['/freeassociation.sourceforge.net/Europe/Berlin']);
    expect(out[0]?.name).toBe('vtimezone');
  });
});

describe('itemsForOutput: calendar users (emailorcalid)', () => {
  type Shape = [value: string, calid: string | undefined, email: string | undefined];
  const shapeOf = (p: ICAL.Property): Shape => [
    String(p.getFirstValue()),
    p.getParameter('x-s1cs-calid') as string | undefined,
    p.getParameter('x-s1cs-email') as string | undefined,
  ];
  const users = (emailOrCalid: boolean) => {
    const [item] = items(itemsForOutput(storedItems(MEETING), { emailOrCalid, directory }));
    return [...item!.getAllProperties('organizer'), ...item!.getAllProperties('attendee')].map(shapeOf);
  };

  it('emailorcalid=1 (Lightning): mailto: values with X-S1CS-CALID for local users', () => {
    expect(users(true)).toEqual<Shape[]>([
      ['mailto:jdoe@example.com', 'jdoe', undefined],
      // Stored by another client without the calid: found through the directory.
      ['mailto:asmith@example.com', 'asmith', undefined],
      ['mailto:bwayne@example.com', 'bwayne:work', undefined],
      ['mailto:ext@other.org', undefined, undefined],
    ]);
  });

  it('emailorcalid=0 (WCAP default): calid values with X-S1CS-EMAIL', () => {
    expect(users(false)).toEqual<Shape[]>([
      ['jdoe', undefined, 'jdoe@example.com'],
      ['asmith', undefined, 'asmith@example.com'],
      ['bwayne:work', undefined, 'bwayne@example.com'],
      // Nobody here: stays an address.
      ['mailto:ext@other.org', undefined, undefined],
    ]);
  });

  it('keeps the other parameters (CN, PARTSTAT)', () => {
    const [item] = items(itemsForOutput(storedItems(MEETING), { emailOrCalid: false, directory }));
    expect(item!.getFirstProperty('organizer')!.getParameter('cn')).toBe('Jane Doe');
    expect(item!.getAllProperties('attendee').map((p) => p.getParameter('partstat'))).toEqual(['ACCEPTED', 'NEEDS-ACTION', 'DECLINED']);
  });
});

describe('itemsForOutput leaves the stored components alone', () => {
  it.each([true, false])('emailorcalid=%s', (emailOrCalid) => {
    const stored = storedItems([
      ...MEETING,
      'BEGIN:VTODO', 'UID:t1', 'DUE;TZID=Europe/Berlin:20240115T170000', 'ATTENDEE:mailto:asmith@example.com', 'END:VTODO',
    ]);
    const before = stored.map((c) => c.toString());
    const out = itemsForOutput(stored, { emailOrCalid, directory });
    expect(stored.map((c) => c.toString())).toEqual(before);
    // Mutating the answer does not reach the stored data either.
    items(out)[0]!.updatePropertyWithValue('summary', 'changed');
    expect(stored[0]!.getFirstPropertyValue('summary')).toBe('Call');
  });
});
