import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer, startHarness, type Harness } from '../support/gateway-harness.js';
import { elementsByTagName } from '../support/parse-xml.js';
import { multipartBody, newCalendar, postWcap, storedComponents } from '../support/upload-requests.js';

/**
 * import.wcap and export.wcap against the real Radicale (docs/wcap-protocol.md#import,
 * docs/wcap-protocol.md#export): what is imported is read back straight from Radicale, and a
 * calendar exported, imported into an empty calendar and exported again gives the same items.
 */
const USER = 'erin';

function sampleFile(tag: string, summary = 'Planning, Q1; "draft"'): string {
  return [
    'BEGIN:VCALENDAR',
    'PRODID:-//test//import//EN',
    'VERSION:2.0',
    'BEGIN:VTIMEZONE',
    'TZID:Custom/Office',
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    'TZOFFSETFROM:+0300',
    'TZOFFSETTO:+0300',
    'TZNAME:OFF',
    'END:STANDARD',
    'END:VTIMEZONE',
    'BEGIN:VEVENT',
    `UID:${tag}-single`,
    'DTSTAMP:20260101T120000Z',
    'DTSTART;TZID=Europe/Berlin:20261201T090000',
    'DTEND;TZID=Europe/Berlin:20261201T100000',
    `SUMMARY:${summary.replace(/[,;]/g, (c) => `\\${c}`)}`,
    'DESCRIPTION:Line 1\\nLine 2',
    'CATEGORIES:Work,Fun',
    'END:VEVENT',
    'BEGIN:VEVENT',
    `UID:${tag}-series`,
    'DTSTAMP:20260101T120000Z',
    'DTSTART:20261207T080000Z',
    'DTEND:20261207T083000Z',
    'RRULE:FREQ=WEEKLY;COUNT=5',
    'SUMMARY:Weekly',
    'END:VEVENT',
    'BEGIN:VEVENT',
    `UID:${tag}-series`,
    'DTSTAMP:20260101T120000Z',
    'RECURRENCE-ID:20261214T080000Z',
    'DTSTART:20261214T100000Z',
    'DTEND:20261214T103000Z',
    'SUMMARY:Weekly (moved)',
    'END:VEVENT',
    'BEGIN:VTODO',
    `UID:${tag}-task`,
    'DTSTAMP:20260101T120000Z',
    'DUE;VALUE=DATE:20261220',
    'SUMMARY:File the report',
    'PRIORITY:1',
    'END:VTODO',
    'BEGIN:VEVENT',
    `UID:${tag}-office`,
    'DTSTAMP:20260101T120000Z',
    'DTSTART;TZID=Custom/Office:20270105T090000',
    'DURATION:PT1H',
    'SUMMARY:In the office zone',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

describe('import and export on Radicale', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness({ WCAP_MAX_UPLOAD_BYTES: '200000', WCAP_MAX_IMPORT_COMPONENTS: '50', WCAP_MAX_IMPORT_COMPONENT_BYTES: '8192' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  const importFile = async (calid: string, file: string, extra = '', contentIn = 'text/calendar') => {
    const { body, contentType } = multipartBody([{ name: 'Upload', filename: 'C:\\TEMP\\ical1.ics', contentType: contentIn, value: file }]);
    return parseAnswer(await postWcap(h, 'import', `id=${id}&calid=${encodeURIComponent(calid)}&dtstart=0&dtend=0&content-in=${encodeURIComponent(contentIn)}${extra}`, body, contentType));
  };
  const exportOf = async (calid: string, format = 'text/calendar', range = 'dtstart=0&dtend=0') => {
    const res = await fetch(`${h.gateway.url}export.wcap?id=${id}&calid=${encodeURIComponent(calid)}&${range}&content-out=${encodeURIComponent(format)}`, { method: 'POST' });
    return { disposition: res.headers.get('content-disposition'), answer: await parseAnswer(res) };
  };
  const byUid = (components: ICAL.Component[]) =>
    Object.fromEntries(components.map((c) => [`${c.getFirstPropertyValue('uid')}${c.hasProperty('recurrence-id') ? ' ' + c.getFirstProperty('recurrence-id')!.toICALString() : ''}`, c]));

  it('imports a multipart upload as Sun\'s import page posts it: UIDs kept, overrides with their master, zones defined', async () => {
    const calid = await newCalendar(h, USER, 'imp');
    const tag = randomUUID();
    const answer = await importFile(calid, sampleFile(tag));
    expect(answer.errno).toBe(0);
    expect(answer.ical!.getFirstPropertyValue('x-wcap-import-stored')).toBe('4');
    const stored = byUid(await storedComponents(h, calid));
    expect(Object.keys(stored).sort()).toEqual(
      [`${tag}-office`, `${tag}-series`, `${tag}-series RECURRENCE-ID:20261214T080000Z`, `${tag}-single`, `${tag}-task`].sort(),
    );
    const single = stored[`${tag}-single`]!;
    expect(single.getFirstPropertyValue('summary')).toBe('Planning, Q1; "draft"');
    expect(single.getFirstPropertyValue('description')).toBe('Line 1\nLine 2');
    expect(single.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Berlin');
    expect(stored[`${tag}-series RECURRENCE-ID:20261214T080000Z`]!.getFirstPropertyValue('summary')).toBe('Weekly (moved)');
    // The custom zone's definition went with the item that uses it.
    const [user, name] = calid.split(':');
    const office = await (await h.radicale(USER, `/${user}/${name}/`)).text();
    expect(office).toContain('TZID:Custom/Office');
    expect(h.logText()).toMatch(/"msg":"import progress"/);
  });

  it('replaces an existing item with the same UID instead of adding a second one', async () => {
    const calid = await newCalendar(h, USER, 'imp');
    const tag = randomUUID();
    expect((await importFile(calid, sampleFile(tag))).errno).toBe(0);
    const again = await importFile(calid, sampleFile(tag, 'Renamed'));
    expect(again.errno).toBe(0);
    const stored = await storedComponents(h, calid);
    const singles = stored.filter((c) => c.getFirstPropertyValue('uid') === `${tag}-single`);
    expect(singles.map((c) => c.getFirstPropertyValue('summary'))).toEqual(['Renamed']);
    expect(stored).toHaveLength(5);
  });

  it('replaces an item another CalDAV client stored under a name of its own, where it is', async () => {
    const calid = await newCalendar(h, USER, 'imp');
    const tag = randomUUID();
    const [user, name] = calid.split(':');
    const foreign = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN', 'BEGIN:VEVENT', `UID:${tag}-single`, 'DTSTAMP:20260101T120000Z', 'DTSTART:20261201T090000Z', 'SUMMARY:Old', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const put = await h.radicale(USER, `/${user}/${name}/from-another-client.ics`, { method: 'PUT', body: foreign, headers: { 'Content-Type': 'text/calendar' } });
    expect(put.status).toBe(201);
    expect((await importFile(calid, sampleFile(tag, 'New'))).errno).toBe(0);
    const res = await h.radicale(USER, `/${user}/${name}/from-another-client.ics`);
    expect(await res.text()).toContain('SUMMARY:New');
    expect((await storedComponents(h, calid)).filter((c) => c.getFirstPropertyValue('uid') === `${tag}-single`)).toHaveLength(1);
  });

  it('export of a calendar that does not exist: errno 29, nothing streamed', async () => {
    const { answer, disposition } = await exportOf(`${USER}:missing-${randomUUID().slice(0, 6)}`);
    expect(answer.errno).toBe(29);
    expect(disposition).toBeNull();
  });

  it('takes the file as a plain text/calendar body too, into several calendars', async () => {
    const first = await newCalendar(h, USER, 'imp');
    const second = await newCalendar(h, USER, 'imp');
    const tag = randomUUID();
    const res = await postWcap(h, 'import', `id=${id}&calid=${encodeURIComponent(first)};${encodeURIComponent(second)}&content-in=text%2Fcalendar`, sampleFile(tag), 'text/calendar');
    const answer = { body: await res.text() };
    // One VCALENDAR per calendar, each with its own errno.
    expect(answer.body.match(/X-NSCP-WCAP-ERRNO:0\r\n/g)).toHaveLength(2);
    expect(answer.body.match(/X-WCAP-IMPORT-STORED:4\r\n/g)).toHaveLength(2);
    expect(await storedComponents(h, first)).toHaveLength(5);
    expect(await storedComponents(h, second)).toHaveLength(5);
  });

  it('export → import into an empty calendar → export gives identical items (text/calendar)', async () => {
    const source = await newCalendar(h, USER, 'exp');
    const tag = randomUUID();
    expect((await importFile(source, sampleFile(tag))).errno).toBe(0);
    const first = await exportOf(source);
    expect(first.answer.errno).toBe(0);
    expect(first.disposition).toBe('attachment; filename="export.ics"');
    // One VCALENDAR with the zones the items use, before them.
    expect(first.answer.body.match(/BEGIN:VCALENDAR/g)).toHaveLength(1);
    const zones = first.answer.ical!.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'));
    expect(zones.sort()).toEqual(['Custom/Office', 'Europe/Berlin']);
    const target = await newCalendar(h, USER, 'exp');
    const imported = await importFile(target, first.answer.body);
    expect(imported.errno).toBe(0);
    const second = await exportOf(target);
    const items = (text: string) => text.slice(text.indexOf('BEGIN:VTIMEZONE'));
    expect(items(second.answer.body)).toBe(items(first.answer.body));
    expect(Object.keys(byUid(first.answer.ical!.getAllSubcomponents().filter((c) => c.name !== 'vtimezone')))).toHaveLength(5);
  });

  it('export → import → export gives identical items in text/xml (Zulu times)', async () => {
    const source = await newCalendar(h, USER, 'exp');
    const tag = randomUUID();
    expect((await importFile(source, sampleFile(tag))).errno).toBe(0);
    const first = await exportOf(source, 'text/xml');
    expect(first.answer.errno).toBe(0);
    expect(first.disposition).toBe('attachment; filename="export.xml"');
    expect(elementsByTagName(first.answer.xml!, 'EVENT')).toHaveLength(4);
    expect(elementsByTagName(first.answer.xml!, 'TODO')).toHaveLength(1);
    const target = await newCalendar(h, USER, 'exp');
    const imported = await importFile(target, first.answer.body, '', 'text/xml');
    expect(imported.errno).toBe(0);
    const second = await exportOf(target, 'text/xml');
    const items = (text: string) => text.slice(text.indexOf('<EVENT>'));
    expect(items(second.answer.body)).toBe(items(first.answer.body));
    const stored = byUid(await storedComponents(h, target));
    expect(stored[`${tag}-single`]!.getFirstPropertyValue('summary')).toBe('Planning, Q1; "draft"');
    expect(stored[`${tag}-single`]!.getFirstProperty('categories')!.getValues()).toEqual(['Work', 'Fun']);
  });

  it('exports only the items that overlap dtstart/dtend (a series by any of its instances)', async () => {
    const source = await newCalendar(h, USER, 'exp');
    const tag = randomUUID();
    expect((await importFile(source, sampleFile(tag))).errno).toBe(0);
    const { answer } = await exportOf(source, 'text/calendar', 'dtstart=20270104T090000Z&dtend=20270201T000000Z');
    expect(answer.errno).toBe(0);
    const uids = answer.ical!.getAllSubcomponents('vevent').map((c) => c.getFirstPropertyValue('uid'));
    expect(uids).toEqual([`${tag}-office`]);
    expect(answer.ical!.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Custom/Office']);
  });
});
