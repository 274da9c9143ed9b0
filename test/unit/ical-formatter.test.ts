import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { icalFormatter } from '../../src/output/ical-formatter.js';
import { formatterFor, supportedFormats } from '../../src/output/index.js';
import { xmlFormatter } from '../../src/output/xml-formatter.js';
import { Errno, errnoMessage, isSuccessErrno } from '../../src/wcap/errno.js';
import type { WcapBlock, WcapProperty } from '../../src/wcap/result.js';

const PRODID = '-//wcap-gateway//WCAP 3.0//EN';

function blockOf(properties: WcapProperty[], components: ICAL.Component[] = [], errno = 0, errnoMessage?: string): WcapBlock {
  return errnoMessage === undefined ? { properties, components, errno } : { properties, components, errno, errnoMessage };
}

function render(...blocks: WcapBlock[]): string {
  const out = icalFormatter.render({ blocks });
  expect(out.contentType).toBe('text/calendar; charset=UTF-8');
  return out.body;
}

/** Parses the body the way a client does and returns every VCALENDAR. */
function parseCalendars(body: string): ICAL.Component[] {
  const parsed = ICAL.parse(body) as unknown[];
  const list = typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[][]);
  return list.map((jcal) => new ICAL.Component(jcal as unknown[]));
}

function parseOne(body: string): ICAL.Component {
  const calendars = parseCalendars(body);
  expect(calendars).toHaveLength(1);
  return calendars[0]!;
}

/** Lightning's stringToIcal: parseInt of the FIRST X-NSCP-WCAP-ERRNO of the root VCALENDAR. */
function lightningErrno(calendar: ICAL.Component): number {
  return Number.parseInt(String(calendar.getFirstPropertyValue('x-nscp-wcap-errno')), 10);
}

function event(summary: string, description = summary): ICAL.Component {
  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', 'uid-1');
  vevent.addPropertyWithValue('summary', summary);
  vevent.addPropertyWithValue('description', description);
  vevent.addPropertyWithValue('dtstart', ICAL.Time.fromDateTimeString('2024-01-15T09:00:00Z'));
  return vevent;
}

describe('icalFormatter envelope', () => {
  it('writes PRODID, METHOD, VERSION, then login properties in their order, then the errno', () => {
    const body = render(
      blockOf([
        { name: 'X-NSCP-WCAP-SESSION-ID', value: 'sid123' },
        { name: 'X-NSCP-WCAP-USER-ID', value: 'jdoe' },
        { name: 'X-NSCP-WCAP-CALENDAR-ID', value: 'jdoe' },
      ]),
    );
    const calendar = parseOne(body);
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getAllProperties().map((p) => [p.name, p.getFirstValue()])).toEqual([
      ['prodid', PRODID],
      ['method', 'PUBLISH'],
      ['version', '2.0'],
      ['x-nscp-wcap-session-id', 'sid123'],
      ['x-nscp-wcap-user-id', 'jdoe'],
      ['x-nscp-wcap-calendar-id', 'jdoe'],
      ['x-nscp-wcap-errno', '0'],
    ]);
    expect(lightningErrno(calendar)).toBe(0);
  });

  it('uses CRLF line endings only and ends with CRLF', () => {
    const body = render(blockOf([{ name: 'X-A', value: 'x' }], [event('s')]));
    expect(body.endsWith('END:VCALENDAR\r\n')).toBe(true);
    for (const line of body.slice(0, -2).split('\r\n')) expect(line).not.toMatch(/[\r\n]/);
  });

  it('renders an empty block as a valid calendar carrying only the errno', () => {
    const calendar = parseOne(render(blockOf([])));
    expect(calendar.getAllProperties().map((p) => p.name)).toEqual(['prodid', 'method', 'version', 'x-nscp-wcap-errno']);
    expect(calendar.getAllSubcomponents()).toEqual([]);
  });

  it('refuses a result without blocks (an empty body would make Lightning re-login)', () => {
    expect(() => icalFormatter.render({ blocks: [] })).toThrow(RangeError);
  });

  it.each(['X-BAD:NAME', 'X BAD', '', 'X-A;B', '1X'])('refuses the invalid property name %j', (name) => {
    expect(() => render(blockOf([{ name, value: 'v' }]))).toThrow(TypeError);
  });

  it('refuses an invalid parameter name', () => {
    expect(() => render(blockOf([{ name: 'X-A', value: 'v', params: { 'B:C': 'x' } }]))).toThrow(TypeError);
  });
});

describe('icalFormatter errno and message', () => {
  it.each([
    { errno: 0, message: undefined, expected: undefined },
    { errno: 0, message: 'ignored on success', expected: undefined },
    { errno: -1, message: 'ignored on logout', expected: undefined },
    { errno: 28, message: undefined, expected: undefined },
    { errno: 28, message: '', expected: undefined },
    { errno: 28, message: 'Access denied to jdoe:work', expected: 'Access denied to jdoe:work' },
    { errno: 11001, message: 'CalDAV server unreachable', expected: 'CalDAV server unreachable' },
  ])('errno $errno with message $message', ({ errno, message, expected }) => {
    const calendar = parseOne(render(blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'jdoe' }], [event('e')], errno, message)));
    expect(lightningErrno(calendar)).toBe(errno);
    expect(calendar.getAllProperties('x-nscp-wcap-errno')).toHaveLength(1);
    const names = calendar.getAllProperties().map((p) => p.name);
    expect(names.indexOf('x-nscp-wcap-errno')).toBeGreaterThan(names.indexOf('x-nscp-calprops-relative-calid'));
    const messages = calendar.getAllProperties('x-nscp-wcap-errno-message').map((p) => p.getFirstValue());
    expect(messages).toEqual(expected === undefined ? [] : [expected]);
    if (expected !== undefined) expect(names.indexOf('x-nscp-wcap-errno-message')).toBe(names.indexOf('x-nscp-wcap-errno') + 1);
  });

  it('keeps the block errno first even when a component carries an errno-like property', () => {
    const vevent = event('e');
    vevent.addPropertyWithValue('x-nscp-wcap-errno', '1');
    const calendar = parseOne(render(blockOf([], [vevent], 0)));
    expect(lightningErrno(calendar)).toBe(0);
  });
});

describe('icalFormatter raw X-token values', () => {
  it.each([
    ['comma and semicolon', 'a,b;c'],
    ['backslashes', 'C:\\dir\\n'],
    ['colon', 'mailto:jdoe@example.com'],
    ['quotes and markup', `<&>"'`],
    ['non-ASCII', 'ä 日本 😀'],
    ['ACE list', '@@o^a^r^g;jdoe^a^rsf^g'],
    ['caret', 'a^b^^c'],
  ])('%s are written verbatim and read back unchanged', (_label, value) => {
    const body = render(blockOf([{ name: 'X-NSCP-TEST', value }]));
    expect(body).toContain(`\r\nX-NSCP-TEST:${value}\r\n`);
    expect(parseOne(body).getFirstPropertyValue('x-nscp-test')).toBe(value);
  });

  it.each([
    ['CRLF with an injected errno', 'evil\r\nX-NSCP-WCAP-ERRNO:1', 'evil X-NSCP-WCAP-ERRNO:1'],
    ['LF', 'a\nb', 'a b'],
    ['CR', 'a\rb', 'a b'],
    ['two CRLFs', 'a\r\n\r\nb', 'a  b'],
    ['injected END', 'x\nEND:VCALENDAR\nBEGIN:VCALENDAR', 'x END:VCALENDAR BEGIN:VCALENDAR'],
    ['other control characters', 'a\u0000b\u0007c\u001Bd\u007Fe\tf', 'abcde\tf'],
  ])('%s cannot start a new content line', (_label, value, expected) => {
    const body = render(blockOf([{ name: 'X-NSCP-TEST', value }, { name: 'X-NSCP-AFTER', value: 'after' }]));
    const calendar = parseOne(body);
    expect(calendar.getAllProperties().map((p) => p.name)).toEqual([
      'prodid', 'method', 'version', 'x-nscp-test', 'x-nscp-after', 'x-nscp-wcap-errno',
    ]);
    expect(calendar.getFirstPropertyValue('x-nscp-test')).toBe(expected);
    expect(lightningErrno(calendar)).toBe(0);
  });

  it('cleans CR/LF in the error message and in parameters as well', () => {
    const body = render(
      blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'c', params: { 'X-S1CS-EMAIL': 'a\r\nX-NSCP-WCAP-ERRNO:0' } }], [], 14, 'failed\r\nX-NSCP-WCAP-ERRNO:0'),
    );
    const calendar = parseOne(body);
    expect(calendar.getAllProperties('x-nscp-wcap-errno')).toHaveLength(1);
    expect(lightningErrno(calendar)).toBe(14);
    expect(calendar.getFirstPropertyValue('x-nscp-wcap-errno-message')).toBe('failed X-NSCP-WCAP-ERRNO:0');
    expect(calendar.getFirstProperty('x-nscp-calprops-relative-calid')?.getParameter('x-s1cs-email')).toBe('a X-NSCP-WCAP-ERRNO:0');
  });

  it.each([
    ['plain e-mail', 'jdoe@example.com'],
    ['punctuation that needs quoting', 'Doe, John; Jr: the 2nd'],
    ['double quotes', 'say "hi"'],
    ['non-ASCII', 'Jürgen 日本'],
  ])('parameter value with %s round-trips', (_label, value) => {
    const calendar = parseOne(render(blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'jdoe', params: { 'X-S1CS-EMAIL': value } }])));
    const property = calendar.getFirstProperty('x-nscp-calprops-relative-calid');
    expect(property?.getParameter('x-s1cs-email')).toBe(value);
    expect(property?.getFirstValue()).toBe('jdoe');
  });

  it('writes a calendar-level property known to iCalendar raw, without a VALUE parameter', () => {
    const body = render(blockOf([{ name: 'REQUEST-STATUS', value: '2.0;Success' }]));
    expect(body).toContain('\r\nREQUEST-STATUS:2.0;Success\r\n');
  });
});

describe('icalFormatter components', () => {
  it.each([
    ['markup', `Lunch <&> "quoted" 'single'`],
    ['commas and semicolons', 'a, b; c,d;e'],
    ['backslash', 'C:\\temp\\new'],
    ['newline', 'line 1\nline 2\n\nline 4'],
    ['non-ASCII', 'Besprechung ä ö ü ß 日本語 😀👍🏽'],
  ])('SUMMARY and DESCRIPTION with %s round-trip', (_label, text) => {
    const calendar = parseOne(render(blockOf([], [event(text, `${text}\n-- ${text}`)])));
    const vevent = calendar.getFirstSubcomponent('vevent');
    expect(vevent?.getFirstPropertyValue('summary')).toBe(text);
    expect(vevent?.getFirstPropertyValue('description')).toBe(`${text}\n-- ${text}`);
    expect(vevent?.getFirstPropertyValue('uid')).toBe('uid-1');
    expect(String(vevent?.getFirstPropertyValue('dtstart'))).toBe('2024-01-15T09:00:00Z');
  });

  it('turns CRLF in text into a newline and keeps a raw component X-token on one line', () => {
    const vevent = event('a\r\nb');
    vevent.addProperty(new ICAL.Property(['x-nscp-raw', {}, 'unknown', 'v\r\nEND:VEVENT']));
    const before = structuredClone(vevent.toJSON());
    const calendar = parseOne(render(blockOf([], [vevent])));
    const parsed = calendar.getFirstSubcomponent('vevent');
    expect(parsed?.getFirstPropertyValue('summary')).toBe('a\nb');
    expect(parsed?.getFirstPropertyValue('x-nscp-raw')).toBe('v END:VEVENT');
    expect(parsed?.getFirstPropertyValue('uid')).toBe('uid-1');
    expect(vevent.toJSON()).toEqual(before); // the caller's component is not modified
  });

  it('keeps nested components (VALARM inside VEVENT) and several components in order', () => {
    const first = event('first');
    const alarm = new ICAL.Component('valarm');
    alarm.addPropertyWithValue('action', 'DISPLAY');
    alarm.addPropertyWithValue('trigger', ICAL.Duration.fromString('-PT15M'));
    first.addSubcomponent(alarm);
    const todo = new ICAL.Component('vtodo');
    todo.addPropertyWithValue('uid', 'todo-1');
    const calendar = parseOne(render(blockOf([], [first, todo])));
    expect(calendar.getAllSubcomponents().map((c) => c.name)).toEqual(['vevent', 'vtodo']);
    const parsedAlarm = calendar.getFirstSubcomponent('vevent')?.getFirstSubcomponent('valarm');
    expect(parsedAlarm?.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect(String(parsedAlarm?.getFirstPropertyValue('trigger'))).toBe('-PT15M');
  });
});

describe('icalFormatter line folding', () => {
  const longToken = `${'calendar-'.repeat(20)}ä日本😀`.repeat(3);
  const longSummary = 'Quarterly planning, budget; review — Grüße 日本語 😀 '.repeat(12);

  it('folds long lines, never inside a UTF-8 sequence, and the parser unfolds them', () => {
    const body = render(blockOf([{ name: 'X-NSCP-CALPROPS-DESCRIPTION', value: longToken }], [event(longSummary)]));
    const lines = body.slice(0, -2).split('\r\n');
    expect(lines.filter((line) => line.startsWith(' ')).length).toBeGreaterThan(10);
    for (const line of lines) {
      // ical.js folds content at 75 octets; a continuation line adds its leading space (76).
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(line.startsWith(' ') ? 76 : 75);
      expect(line).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
    const calendar = parseOne(body);
    expect(calendar.getFirstPropertyValue('x-nscp-calprops-description')).toBe(longToken);
    expect(calendar.getFirstSubcomponent('vevent')?.getFirstPropertyValue('summary')).toBe(longSummary);
  });
});

describe('icalFormatter with several blocks', () => {
  it('writes one VCALENDAR per block, each with its own properties and errno', () => {
    const body = render(
      blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'jdoe' }], [event('mine')], 0),
      blockOf([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: 'boss' }], [], 28, 'Access denied'),
    );
    expect(body.match(/^BEGIN:VCALENDAR\r$/gm)).toHaveLength(2);
    const calendars = parseCalendars(body);
    expect(calendars.map((c) => c.getFirstPropertyValue('x-nscp-calprops-relative-calid'))).toEqual(['jdoe', 'boss']);
    expect(calendars.map(lightningErrno)).toEqual([0, 28]);
    expect(calendars.map((c) => c.getFirstPropertyValue('prodid'))).toEqual([PRODID, PRODID]);
    expect(calendars[0]?.getFirstSubcomponent('vevent')?.getFirstPropertyValue('summary')).toBe('mine');
    expect(calendars[1]?.getFirstPropertyValue('x-nscp-wcap-errno-message')).toBe('Access denied');
  });
});

describe('formatterFor (fmt-out registry)', () => {
  it.each([
    [undefined, 'text/calendar'],
    ['', 'text/calendar'],
    ['   ', 'text/calendar'],
    ['text/calendar', 'text/calendar'],
    ['TEXT/Calendar', 'text/calendar'],
    [' text/calendar\t', 'text/calendar'],
    ['text/xml', 'text/xml'],
    ['Text/XML ', 'text/xml'],
    ['text/json', 'text/json'],
    ['TEXT/JS', 'text/js'],
  ])('%j selects %s', (fmtOut, name) => {
    expect(formatterFor(fmtOut)?.name).toBe(name);
  });

  it('returns the formatter objects themselves', () => {
    expect(formatterFor('text/calendar')).toBe(icalFormatter);
    expect(formatterFor('text/xml')).toBe(xmlFormatter);
    expect(supportedFormats()).toEqual(['text/calendar', 'text/xml', 'text/json', 'text/js']);
  });

  it.each(['text/html', 'text/jsonp', 'text/javascript', 'xml', 'text/calendar;charset=utf-8', 'text/xml2', '<script>'])(
    'does not know %j (the caller answers errno 58)',
    (fmtOut) => {
      expect(formatterFor(fmtOut)).toBeUndefined();
    },
  );
});

describe('errno table', () => {
  it.each([
    ['LOGOUT', -1],
    ['OK', 0],
    ['LOGIN_FAILED', 1],
    ['ACCESS_DENIED_TO_CALENDAR', 28],
    ['BAD_COMMAND', 52],
    ['WCAP_NO_SUCH_FORMAT', 58],
    ['COMPONENT_NOT_FOUND', 59],
    ['RECURRING_COMPONENT_NOT_FOUND', 81],
    ['ATTACHMENT_NOT_FOUND', 87],
    ['READONLY_DATABASE', 78],
    ['IMPORT_FAILURE', 78],
    ['BAD_SEARCH_STRING_LENGTH', 88],
    ['VIRUS_DETECTION_SERVICE_FAILURE', 101],
    ['CDWP_ERR_MAX_CONNECTION_REACHED', 11000],
    ['CDWP_ERR_CANNOT_CONNECT', 11001],
    ['CDWP_ERR_CHECKVERSION_FAILED', 11008],
  ] as const)('Errno.%s is %i', (name, value) => {
    expect(Errno[name]).toBe(value);
  });

  it('has a specific message for every listed errno and a generic one otherwise', () => {
    expect(errnoMessage(0)).toBe('Command successful');
    expect(errnoMessage(-1)).toBe('Logout successful');
    expect(errnoMessage(1)).toBe('Login failed, session ID timed out or invalid');
    expect(errnoMessage(58)).toBe('No such output format');
    const values = [...new Set(Object.values(Errno))];
    expect(values).toHaveLength(104); // −1, 0–2, 6, 8–94, 99–101, 11000–11008
    for (const value of values) expect(errnoMessage(value)).not.toMatch(/^Unknown error/);
    for (const unassigned of [3, 4, 5, 7, 95, 98, 102, 10999, 11009]) expect(errnoMessage(unassigned)).toBe(`Unknown error ${unassigned}`);
  });

  it('treats only 0 and −1 as success', () => {
    expect([-2, -1, 0, 1, 2, 58, 11001].filter(isSuccessErrno)).toEqual([-1, 0]);
  });
});
