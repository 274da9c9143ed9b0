import { describe, expect, it } from 'vitest';
import { calendarQueryBody, mkcalendarBody, utcStamp } from '../../src/backend/dav-bodies.js';
import { CALDAV_NS, DAV_NS, clark, parseMultistatus, propHref, propText } from '../../src/backend/multistatus.js';
import { parseXml } from '../../src/backend/xml-reader.js';
import { renderXml } from '../../src/backend/xml-writer.js';
import { GatewayError } from '../../src/model/errors.js';

describe('parseXml', () => {
  it('resolves default and prefixed namespaces, including redeclarations', () => {
    const root = parseXml(
      `<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
        `<C:calendar-data/><x:thing xmlns:x="urn:x"><inner/></x:thing><C:a xmlns:C="urn:other"/></multistatus>`,
    );
    expect(root).toMatchObject({ ns: 'DAV:', name: 'multistatus' });
    expect(root.children.map((c) => `{${c.ns}}${c.name}`)).toEqual([
      '{urn:ietf:params:xml:ns:caldav}calendar-data',
      '{urn:x}thing',
      '{urn:other}a',
    ]);
    expect(root.children[1]!.children[0]).toMatchObject({ ns: 'DAV:', name: 'inner' });
  });

  it('keeps text exactly: entities decoded, CDATA kept, CRLF and numbers-as-text untouched', () => {
    const root = parseXml(
      '<d xmlns="DAV:"><a>BEGIN:VCALENDAR\r\nX:&lt;&amp;&gt;&quot;&apos;&#233;&#x1F600;\r\n</a><b><![CDATA[<raw & stuff>]]></b><c>2024</c><e> </e></d>',
    );
    expect(root.children.map((c) => c.text)).toEqual(['BEGIN:VCALENDAR\r\nX:<&>"\'é😀\r\n', '<raw & stuff>', '2024', ' ']);
  });

  it('reads attributes in either quote style and skips comments', () => {
    const root = parseXml(`<r xmlns='DAV:'><!-- a <comment> --><comp name='VEVENT' other="x &amp; y"/></r>`);
    expect(root.children[0]?.attrs).toEqual({ name: 'VEVENT', other: 'x & y' });
  });

  it.each([
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed root', '<a><b/>'],
    ['undeclared prefix', '<x:a/>'],
    ['document type declarations', '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'],
    ['text outside the root', 'hello'],
    ['no root at all', '<?xml version="1.0"?>'],
  ])('rejects %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(Error);
  });
});

describe('parseMultistatus', () => {
  const body = `<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <response><href>/alice/work/gone.ics</href><status>HTTP/1.1 404 Not Found</status></response>
  <response>
    <href> /alice/work/a%20b.ics </href>
    <propstat><prop><getetag>"e1"</getetag><C:calendar-data>BEGIN:VCALENDAR&#13;
END:VCALENDAR&#13;
</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat>
    <propstat><prop><displayname/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
  </response>
  <response><href>/alice/</href><propstat><prop><current-user-principal><href>/alice/</href></current-user-principal></prop><status>HTTP/1.1 200 OK</status></propstat></response>
</multistatus>`;

  it('reads hrefs, response statuses and successful properties by namespace', () => {
    const [gone, item, principal] = parseMultistatus(body);
    expect(gone).toMatchObject({ href: '/alice/work/gone.ics', status: 404 });
    expect(item?.href).toBe('/alice/work/a%20b.ics');
    expect(item?.status).toBeUndefined();
    expect(propText(item!, DAV_NS, 'getetag')).toBe('"e1"');
    expect(propText(item!, CALDAV_NS, 'calendar-data')).toBe('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect(item?.props.has(clark(DAV_NS, 'displayname'))).toBe(false);
    expect(item?.failedProps.get(clark(DAV_NS, 'displayname'))).toBe(404);
    expect(propHref(principal!, DAV_NS, 'current-user-principal')).toBe('/alice/');
  });

  it('refuses documents that are not a DAV:multistatus', () => {
    expect(() => parseMultistatus('<error xmlns="DAV:"><resource-must-be-null/></error>')).toThrow(/multistatus/);
  });
});

describe('request bodies', () => {
  it('writes text and attributes through the shared writer so they parse back exactly, namespaces declared', () => {
    const body = renderXml(
      { name: 'C:text-match', attrs: { collation: 'i;"octet"' }, children: ['a<b>&"c"\r\n'] },
      { D: 'DAV:', C: 'urn:ietf:params:xml:ns:caldav' },
    );
    const root = parseXml(body);
    expect(root).toMatchObject({ ns: 'urn:ietf:params:xml:ns:caldav', name: 'text-match' });
    expect(root.attrs.collation).toBe('i;"octet"');
    expect(root.text).toBe('a<b>&"c"\r\n');
  });

  it('formats time-range bounds as UTC basic format and refuses unrepresentable dates', () => {
    expect(utcStamp(new Date('2024-07-10T08:30:05.999+02:00'))).toBe('20240710T063005Z');
    expect(utcStamp(new Date('2024-07-10T08:30:05.001+02:00'), 'up')).toBe('20240710T063006Z');
    expect(utcStamp(new Date('2024-12-31T23:59:59.500Z'), 'up')).toBe('20250101T000000Z');
    expect(utcStamp(new Date('2024-07-10T08:30:05Z'), 'up')).toBe('20240710T083005Z');
    expect(() => utcStamp(new Date('nope'))).toThrow(GatewayError);
    expect(() => utcStamp(new Date(Date.UTC(10000, 0, 1)))).toThrow(GatewayError);
  });

  it('puts the time-range first in the type comp-filter and leaves out open bounds', () => {
    const query = parseXml(calendarQueryBody('VTODO', { range: { end: new Date('2024-02-01T00:00:00Z') } }));
    const vcalendar = query.children[1]!.children[0]!;
    expect(vcalendar.attrs.name).toBe('VCALENDAR');
    const vtodo = vcalendar.children[0]!;
    expect(vtodo.attrs.name).toBe('VTODO');
    expect(vtodo.children[0]).toMatchObject({ ns: CALDAV_NS, name: 'time-range', attrs: { end: '20240201T000000Z' } });
    expect(vtodo.children[0]!.attrs.start).toBeUndefined();
  });

  it('omits the time-range when both bounds are open and filters only VCALENDAR without a type', () => {
    const query = parseXml(calendarQueryBody(undefined, { range: {} }));
    expect(query.children[1]!.children[0]).toMatchObject({ attrs: { name: 'VCALENDAR' }, children: [] });
    const typed = parseXml(calendarQueryBody('VEVENT', { range: {} }));
    expect(typed.children[1]!.children[0]!.children[0]).toMatchObject({ attrs: { name: 'VEVENT' }, children: [] });
  });

  it('sends the UID as an escaped text-match', () => {
    const query = parseXml(calendarQueryBody('VEVENT', { uid: 'a<b>&c' }));
    const propFilter = query.children[1]!.children[0]!.children[0]!.children[0]!;
    expect(propFilter).toMatchObject({ name: 'prop-filter', attrs: { name: 'UID' } });
    expect(propFilter.children[0]).toMatchObject({ name: 'text-match', text: 'a<b>&c', attrs: { collation: 'i;octet' } });
  });

  it('carries calendar properties through MKCALENDAR unchanged, CRLF included', () => {
    const body = parseXml(mkcalendarBody({ displayName: '&amp; 2024', timezoneCalendar: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' }));
    const prop = body.children[0]!.children[0]!;
    expect(prop.children.map((p) => [p.name, p.text])).toEqual([
      ['displayname', '&amp; 2024'],
      ['calendar-timezone', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'],
      ['supported-calendar-component-set', ''],
    ]);
    expect(prop.children[2]!.children.map((c) => c.attrs.name)).toEqual(['VEVENT', 'VTODO']);
  });
});
