import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { xmlFormatter } from '../../src/output/xml-formatter.js';
import type { WcapBlock, WcapProperty } from '../../src/wcap/result.js';
import { type ParsedElement, childElements, elementsByTagName, parseXml, textContent } from '../support/parse-xml.js';

const PRODID = '-//wcap-gateway//WCAP 3.0//EN';

function blockOf(properties: WcapProperty[], components: ICAL.Component[] = [], errno = 0, errnoMessage?: string): WcapBlock {
  return errnoMessage === undefined ? { properties, components, errno } : { properties, components, errno, errnoMessage };
}

function render(...blocks: WcapBlock[]): string {
  const out = xmlFormatter.render({ blocks });
  expect(out.contentType).toBe('text/xml; charset=UTF-8');
  return out.body;
}

/** Parses the body and returns its `<iCal>` elements (checking the envelope on the way). */
function icals(body: string): ParsedElement[] {
  const doc = parseXml(body);
  expect(doc.declaration).toBe('<?xml version="1.0" encoding="UTF-8"?>');
  expect(doc.root.name).toBe('iCalendar');
  const list = childElements(doc.root);
  for (const ical of list) {
    expect(ical.name).toBe('iCal');
    expect(ical.attributes).toEqual({ version: '2.0', prodid: PRODID, METHOD: 'PUBLISH' });
  }
  return list;
}

function onlyIcal(body: string): ParsedElement {
  const list = icals(body);
  expect(list).toHaveLength(1);
  return list[0]!;
}

/** Lightning's stringToXml: parseInt of the first X-NSCP-WCAP-ERRNO element in document order. */
function lightningErrno(root: ParsedElement): number {
  const first = elementsByTagName(root, 'X-NSCP-WCAP-ERRNO')[0];
  return first === undefined ? Number.NaN : Number.parseInt(textContent(first).trim(), 10);
}

/**
 * `[element name, attributes, text]` of each child, the shape the tables below are written in;
 * the text of a child that holds elements is given as '(elements)'.
 */
function shape(element: ParsedElement | undefined): Array<[string, Record<string, string>, string]> {
  return childElements(element!).map((child) => [
    child.name,
    child.attributes,
    childElements(child).length > 0 ? '(elements)' : textContent(child),
  ]);
}

function component(ics: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(`${ics.trim().split('\n').join('\r\n')}\r\n`) as unknown[]);
}

describe('xmlFormatter envelope and errno', () => {
  it('writes login properties as elements in order, then the errno', () => {
    const ical = onlyIcal(
      render(
        blockOf([
          { name: 'X-NSCP-WCAP-SESSION-ID', value: 'sid123' },
          { name: 'X-NSCP-WCAP-USER-ID', value: 'jdoe' },
          { name: 'X-NSCP-WCAP-CALENDAR-ID', value: 'jdoe' },
        ]),
      ),
    );
    expect(shape(ical)).toEqual([
      ['X-NSCP-WCAP-SESSION-ID', {}, 'sid123'],
      ['X-NSCP-WCAP-USER-ID', {}, 'jdoe'],
      ['X-NSCP-WCAP-CALENDAR-ID', {}, 'jdoe'],
      ['X-NSCP-WCAP-ERRNO', {}, '0'],
    ]);
  });

  it.each([
    { errno: 0, message: 'ignored', expected: [] },
    { errno: -1, message: 'ignored', expected: [] },
    { errno: 28, message: undefined, expected: [] },
    { errno: 28, message: 'Access denied', expected: ['Access denied'] },
    { errno: 11001, message: 'CalDAV <server> & "co" unreachable', expected: ['CalDAV <server> & "co" unreachable'] },
  ])('errno $errno with message $message comes after properties and components', ({ errno, message, expected }) => {
    const vevent = component('BEGIN:VEVENT\nUID:u1\nEND:VEVENT');
    const ical = onlyIcal(render(blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'jdoe' }], [vevent], errno, message)));
    const names = childElements(ical).map((c) => c.name);
    expect(names).toEqual(['X-NSCP-CALPROPS-RELATIVE-CALID', 'EVENT', 'X-NSCP-WCAP-ERRNO', ...expected.map(() => 'X-NSCP-WCAP-ERRNO-MESSAGE')]);
    expect(lightningErrno(ical)).toBe(errno);
    expect(childElements(ical, 'X-NSCP-WCAP-ERRNO-MESSAGE').map(textContent)).toEqual(expected);
  });

  it('never writes an errno-like property of a component, so Lightning reads the block errno', () => {
    const vevent = component('BEGIN:VEVENT\nUID:u1\nX-NSCP-WCAP-ERRNO:1\nX-NSCP-WCAP-ERRNO-MESSAGE:fake\nEND:VEVENT');
    const body = render(blockOf([], [vevent], 0));
    const doc = parseXml(body);
    expect(lightningErrno(doc.root)).toBe(0);
    expect(elementsByTagName(doc.root, 'X-NSCP-WCAP-ERRNO')).toHaveLength(1);
    expect(elementsByTagName(doc.root, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toHaveLength(0);
  });

  it('renders an empty block as an <iCal> holding only the errno', () => {
    expect(shape(onlyIcal(render(blockOf([]))))).toEqual([['X-NSCP-WCAP-ERRNO', {}, '0']]);
  });

  it('refuses a result without blocks and invalid property names', () => {
    expect(() => xmlFormatter.render({ blocks: [] })).toThrow(RangeError);
    expect(() => render(blockOf([{ name: 'X A', value: 'v' }]))).toThrow(TypeError);
    expect(() => render(blockOf([{ name: 'X-A', value: 'v', params: { '1P': 'v' } }]))).toThrow(TypeError);
  });

  it('writes one <iCal> per block, each with its own errno, first errno = first block', () => {
    const list = icals(
      render(
        blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'jdoe' }], [], 0),
        blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'boss' }], [], 28, 'Access denied'),
      ),
    );
    expect(list.map((ical) => textContent(childElements(ical, 'X-NSCP-CALPROPS-RELATIVE-CALID')[0]!))).toEqual(['jdoe', 'boss']);
    expect(list.map(lightningErrno)).toEqual([0, 28]);
    expect(childElements(list[1]!, 'X-NSCP-WCAP-ERRNO-MESSAGE').map(textContent)).toEqual(['Access denied']);
  });
});

describe('xmlFormatter values', () => {
  it.each([
    ['markup', `<b>Lunch</b> & "tea" 'n' biscuits`],
    ['commas and semicolons', 'a,b;c'],
    ['backslashes', 'C:\\temp\\new'],
    ['newlines', 'line 1\nline 2\n\nline 4'],
    ['non-ASCII', 'Grüße ä 日本語 😀👍🏽'],
    ['CDATA end and entity-like text', ']]> &amp; &#60;'],
  ])('block property with %s round-trips as text and attribute', (_label, value) => {
    const ical = onlyIcal(render(blockOf([{ name: 'X-NSCP-CALPROPS-NAME', value, params: { 'X-S1CS-EMAIL': value } }])));
    expect(shape(ical)[0]).toEqual(['X-NSCP-CALPROPS-NAME', { 'X-S1CS-EMAIL': value }, value]);
  });

  it.each([
    ['markup', `Lunch <&> "quoted" 'single'`],
    ['commas and semicolons', 'a, b; c,d;e'],
    ['newline', 'line 1\nline 2'],
    ['non-ASCII', 'Besprechung ä ö ü ß 日本語 😀'],
  ])('SUMMARY and DESCRIPTION with %s are unescaped iCalendar text', (_label, text) => {
    const vevent = new ICAL.Component('vevent');
    vevent.addPropertyWithValue('summary', text);
    vevent.addPropertyWithValue('description', `${text}\n${text}`);
    const [ev] = childElements(onlyIcal(render(blockOf([], [vevent]))), 'EVENT');
    expect(shape(ev)).toEqual([
      ['SUMMARY', {}, text],
      ['DESC', {}, `${text}\n${text}`],
    ]);
  });

  it('drops characters XML cannot carry instead of producing an unparsable document', () => {
    const vevent = new ICAL.Component('vevent');
    vevent.addPropertyWithValue('summary', 'a\u0000b\u000Bc\uFFFEd');
    const ical = onlyIcal(render(blockOf([{ name: 'X-A', value: 'x\u0001y' }], [vevent])));
    expect(textContent(childElements(ical, 'X-A')[0]!)).toBe('xy');
    expect(shape(childElements(ical, 'EVENT')[0])).toEqual([['SUMMARY', {}, 'abcd']]);
  });
});

describe('xmlFormatter component mapping', () => {
  it('maps VEVENT properties to the Sun element names with parameters as attributes', () => {
    const vevent = component(`
BEGIN:VEVENT
UID:evt-1@example.com
RECURRENCE-ID:20240122T090000Z
DTSTART;TZID=Europe/Berlin:20240115T090000
DTEND;TZID=Europe/Berlin:20240115T100000
SUMMARY:Team\\, weekly\\; standup
DESCRIPTION:Agenda:\\n1. news
LOCATION:Room <1>
CLASS:PUBLIC
TRANSP:OPAQUE
STATUS:CONFIRMED
PRIORITY:5
CATEGORIES:Work,Meeting
CREATED:20240101T120000Z
LAST-MODIFIED:20240102T130000Z
DTSTAMP:20240103T140000Z
SEQUENCE:2
RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO
EXDATE:20240129T080000Z,20240205T080000Z
ORGANIZER;CN="Doe, John";X-S1CS-CALID=jdoe:mailto:jdoe@example.com
ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:amy@example.com
URL:http://example.com/x?a=1&b=2
GEO:48.1;11.5
RELATED-TO:parent-1
REQUEST-STATUS:2.0;Success
X-NSCP-DTSTART-TZID:Europe/Berlin
END:VEVENT`);
    const [ev] = childElements(onlyIcal(render(blockOf([], [vevent]))), 'EVENT');
    expect(shape(ev)).toEqual([
      ['UID', {}, 'evt-1@example.com'],
      ['RECURID', {}, '20240122T090000Z'],
      ['START', { TZID: 'Europe/Berlin' }, '20240115T090000'],
      ['END', { TZID: 'Europe/Berlin' }, '20240115T100000'],
      ['SUMMARY', {}, 'Team, weekly; standup'],
      ['DESC', {}, 'Agenda:\n1. news'],
      ['LOCATION', {}, 'Room <1>'],
      ['CLASS', {}, 'PUBLIC'],
      ['TRANSP', {}, 'OPAQUE'],
      ['STATUS', {}, 'CONFIRMED'],
      ['PRIORITY', {}, '5'],
      ['CATEGORIES', {}, 'Work,Meeting'],
      ['CREATED', {}, '20240101T120000Z'],
      ['LAST-MOD', {}, '20240102T130000Z'],
      ['DTSTAMP', {}, '20240103T140000Z'],
      ['SEQUENCE', {}, '2'],
      ['RRULE', {}, 'FREQ=WEEKLY;COUNT=10;BYDAY=MO'],
      ['EXDATE', {}, '20240129T080000Z,20240205T080000Z'],
      ['ORGANIZER', { CN: 'Doe, John', 'X-S1CS-CALID': 'jdoe' }, 'mailto:jdoe@example.com'],
      ['ATTENDEE', { PARTSTAT: 'NEEDS-ACTION', RSVP: 'TRUE', ROLE: 'REQ-PARTICIPANT' }, 'mailto:amy@example.com'],
      ['URL', {}, 'http://example.com/x?a=1&b=2'],
      ['GEO', {}, '48.1;11.5'],
      ['RELATED', {}, 'parent-1'],
      ['RSTATUS', {}, '2.0;Success'],
      ['X-NSCP-DTSTART-TZID', {}, 'Europe/Berlin'],
    ]);
  });

  it('maps VTODO with all-day dates (VALUE attribute), PERCENT, DUE, COMPLETED and a nested ALARM', () => {
    const vtodo = component(`
BEGIN:VTODO
UID:todo-1
DTSTART;VALUE=DATE:20240115
DUE;VALUE=DATE:20240120
COMPLETED:20240119T170000Z
PERCENT-COMPLETE:100
SUMMARY:File taxes
BEGIN:VALARM
ACTION:EMAIL
TRIGGER;RELATED=END:-PT30M
ATTENDEE:mailto:jdoe@example.com
DESCRIPTION:Reminder
END:VALARM
END:VTODO`);
    const [todo] = childElements(onlyIcal(render(blockOf([], [vtodo]))), 'TODO');
    expect(shape(todo)).toEqual([
      ['UID', {}, 'todo-1'],
      ['START', { VALUE: 'DATE' }, '20240115'],
      ['DUE', { VALUE: 'DATE' }, '20240120'],
      ['COMPLETED', {}, '20240119T170000Z'],
      ['PERCENT', {}, '100'],
      ['SUMMARY', {}, 'File taxes'],
      ['ALARM', {}, '(elements)'],
    ]);
    expect(shape(childElements(todo!, 'ALARM')[0])).toEqual([
      ['ACTION', {}, 'EMAIL'],
      ['TRIGGER', { RELATED: 'END' }, '-PT30M'],
      ['ATTENDEE', {}, 'mailto:jdoe@example.com'],
      ['DESC', {}, 'Reminder'],
    ]);
  });

  it('maps VTIMEZONE with nested STANDARD and DAYLIGHT elements', () => {
    const vtimezone = component(`
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE`);
    const [tz] = childElements(onlyIcal(render(blockOf([], [vtimezone]))), 'TIMEZONE');
    expect(childElements(tz!).map((c) => c.name)).toEqual(['TZID', 'DAYLIGHT', 'STANDARD']);
    expect(shape(childElements(tz!, 'STANDARD')[0])).toEqual([
      ['TZOFFSETFROM', {}, '+0200'],
      ['TZOFFSETTO', {}, '+0100'],
      ['TZNAME', {}, 'CET'],
      ['START', {}, '19701025T030000'],
      ['RRULE', {}, 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU'],
    ]);
  });
});

describe('xmlFormatter free/busy', () => {
  const vfreebusy = (): ICAL.Component =>
    component(`
BEGIN:VFREEBUSY
DTSTART:20240115T000000Z
DTEND:20240116T000000Z
FREEBUSY:20240115T090000Z/20240115T100000Z,20240115T110000Z/PT1H30M
FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240115T140000Z/20240115T150000Z
FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240115T160000Z/P1D
FREEBUSY;FBTYPE=FREE:20240115T200000Z/20240115T210000Z
END:VFREEBUSY`);

  it('writes START, END and one <FB FBTYPE> per period with explicit ends', () => {
    const ical = onlyIcal(render(blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'jdoe' }], [vfreebusy()])));
    expect(childElements(ical).map((c) => c.name)).toEqual(['X-NSCP-CALPROPS-RELATIVE-CALID', 'FREEBUSY', 'X-NSCP-WCAP-ERRNO']);
    expect(shape(childElements(ical, 'FREEBUSY')[0])).toEqual([
      ['START', {}, '20240115T000000Z'],
      ['END', {}, '20240116T000000Z'],
      ['FB', { FBTYPE: 'BUSY' }, '20240115T090000Z/20240115T100000Z'],
      ['FB', { FBTYPE: 'BUSY' }, '20240115T110000Z/20240115T123000Z'],
      ['FB', { FBTYPE: 'BUSY-TENTATIVE' }, '20240115T140000Z/20240115T150000Z'],
      ['FB', { FBTYPE: 'BUSY-UNAVAILABLE' }, '20240115T160000Z/20240116T160000Z'],
      ['FB', { FBTYPE: 'FREE' }, '20240115T200000Z/20240115T210000Z'],
    ]);
  });

  it('puts no whitespace inside <FB> (Lightning does not trim it)', () => {
    const body = render(blockOf([], [vfreebusy()]));
    const fbs = body.match(/<FB\b[^>]*>[^<]*<\/FB>/g) ?? [];
    expect(fbs).toHaveLength(5);
    for (const fb of fbs) expect(fb).toMatch(/^<FB FBTYPE="[A-Z-]+">\d{8}T\d{6}Z\/\d{8}T\d{6}Z<\/FB>$/);
    // Every FB element text, as Lightning reads it (untrimmed), is exactly start/end.
    for (const fb of elementsByTagName(parseXml(body).root, 'FB')) expect(textContent(fb)).toMatch(/^\d{8}T\d{6}Z\/\d{8}T\d{6}Z$/);
  });

  it('converts FREEBUSY periods built with ical.js objects the same way', () => {
    const fb = new ICAL.Component('vfreebusy');
    const property = new ICAL.Property('freebusy', fb);
    property.setValues([ICAL.Period.fromData({
      start: ICAL.Time.fromDateTimeString('2024-03-31T00:30:00Z'),
      duration: ICAL.Duration.fromString('PT2H'),
    })]);
    fb.addProperty(property);
    const freebusy = childElements(onlyIcal(render(blockOf([], [fb]))), 'FREEBUSY')[0];
    expect(shape(freebusy)).toEqual([['FB', { FBTYPE: 'BUSY' }, '20240331T003000Z/20240331T023000Z']]);
  });
});
