import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer, startHarness, type Harness } from '../support/gateway-harness.js';
import { multipartBody, newCalendar, postWcap, storedComponents } from '../support/upload-requests.js';

/**
 * import.wcap with bad input against the real Radicale (docs/wcap-protocol.md#import): a file that
 * cannot be used changes nothing (77), items that cannot be stored are listed by UID (35) while
 * the others are stored, and every check is read back straight from Radicale.
 */
const USER = 'erin';

describe('import refuses bad input without writing half of it', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness({ WCAP_MAX_UPLOAD_BYTES: '100000', WCAP_MAX_IMPORT_COMPONENTS: '20', WCAP_MAX_IMPORT_COMPONENT_BYTES: '4096' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  const event = (uid: string, extra: string[] = []) =>
    ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T120000Z', 'DTSTART:20261201T090000Z', 'DURATION:PT1H', 'SUMMARY:ok', ...extra, 'END:VEVENT'];
  const file = (...components: string[][]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...components.flat(), 'END:VCALENDAR', ''].join('\r\n');
  const upload = async (calid: string, text: string | Uint8Array, query = '&content-in=text%2Fcalendar') => {
    const { body, contentType } = multipartBody([{ name: 'Upload', filename: 'cal.ics', contentType: 'text/calendar', value: text }]);
    return postWcap(h, 'import', `id=${id}&calid=${encodeURIComponent(calid)}${query}`, body, contentType);
  };

  it('an oversized file: errno 77 naming the limit, the connection closed, nothing stored', async () => {
    const calid = await newCalendar(h, USER, 'bad');
    const events = Array.from({ length: 400 }, (_, i) => event(`big-${i}`, [`DESCRIPTION:${'x'.repeat(200)}`]));
    const res = await upload(calid, file(...events));
    expect(res.headers.get('connection')).toBe('close');
    const answer = await parseAnswer(res);
    expect(answer.errno).toBe(77);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message')).toContain('WCAP_MAX_UPLOAD_BYTES');
    expect(await storedComponents(h, calid)).toEqual([]);
  });

  it.each([
    ['END lines that do not nest', file(event('a').slice(0, -1), ['END:VTODO'])],
    ['a file ending inside a component', file(event('a')).replace('END:VCALENDAR\r\n', '')],
    ['text that is not iCalendar', 'Hello, this is a letter.\r\n'],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(file(event('a'))), Buffer.from([0xff, 0xfe])])],
  ])('broken iCalendar (%s): errno 77, nothing stored', async (_label, text) => {
    const calid = await newCalendar(h, USER, 'bad');
    // A good event first: the check reads the whole file before anything is written.
    const answer = await parseAnswer(await upload(calid, typeof text === 'string' ? file(event(`good-${randomUUID()}`)) + text : text));
    expect(answer.errno).toBe(77);
    expect(answer.body).toContain('X-NSCP-WCAP-ERRNO-MESSAGE');
    expect(await storedComponents(h, calid)).toEqual([]);
  });

  it('more components than WCAP_MAX_IMPORT_COMPONENTS: errno 77, nothing stored', async () => {
    const calid = await newCalendar(h, USER, 'bad');
    const answer = await parseAnswer(await upload(calid, file(...Array.from({ length: 21 }, (_, i) => event(`many-${i}`)))));
    expect(answer.errno).toBe(77);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message')).toContain('WCAP_MAX_IMPORT_COMPONENTS');
    expect(await storedComponents(h, calid)).toEqual([]);
  });

  it('components that cannot be stored are listed by UID with the reason (errno 35); the others are stored', async () => {
    const calid = await newCalendar(h, USER, 'bad');
    const tag = randomUUID();
    const text = file(
      event(`${tag}-good`),
      event(`${tag}-huge`, [`DESCRIPTION:${'y'.repeat(5000)}`]),
      ['BEGIN:VEVENT', 'DTSTART:20261201T090000Z', 'SUMMARY:no uid', 'END:VEVENT'],
      event(`${tag}-zone`, ['RDATE;TZID=Nowhere/Land:20261202T090000']),
      event(`${tag}-broken`, ['DTEND:not-a-date;;;']),
      ['BEGIN:VJOURNAL', `UID:${tag}-journal`, 'END:VJOURNAL'],
    );
    const answer = await parseAnswer(await upload(calid, text));
    expect(answer.errno).toBe(35);
    // Listed as the writes finish (several run at once): compared in UID order.
    const failed = answer.ical!.getAllProperties('x-wcap-import-failed').map((p) => [p.getParameter('uid'), String(p.getFirstValue())]);
    failed.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(failed).toEqual([
      ['', 'The component has no UID'],
      // Radicale refuses the unreadable DTEND; the reason names no URL.
      [`${tag}-broken`, 'The calendar server refused to store it (HTTP 400)'],
      [`${tag}-huge`, 'The component is larger than WCAP_MAX_IMPORT_COMPONENT_BYTES'],
      [`${tag}-journal`, 'Only events and tasks are imported, not VJOURNAL'],
      [`${tag}-zone`, 'It uses the time zone "Nowhere/Land", which the file does not define'],
    ]);
    expect(answer.ical!.getFirstPropertyValue('x-wcap-import-failed-count')).toBe('5');
    expect(answer.ical!.getFirstPropertyValue('x-wcap-import-stored')).toBe('1');
    expect((await storedComponents(h, calid)).map((c) => c.getFirstPropertyValue('uid'))).toEqual([`${tag}-good`]);
  });

  it('no file, or no usable content-in: errno 77', async () => {
    const calid = await newCalendar(h, USER, 'bad');
    const noFile = await parseAnswer(await postWcap(h, 'import', `id=${id}&calid=${encodeURIComponent(calid)}&content-in=text%2Fcalendar`, '', 'application/x-www-form-urlencoded'));
    expect(noFile.errno).toBe(77);
    const badType = await parseAnswer(await upload(calid, file(event('x')), '&content-in=text%2Fplain'));
    expect(badType.errno).toBe(77);
  });

  it('a calid naming no calendar: errno 54; another user\'s calendar: errno 28', async () => {
    const missing = await parseAnswer(await upload(`${USER}:does-not-exist-${randomUUID().slice(0, 6)}`, file(event('x'))));
    expect(missing.errno).toBe(54);
    const foreign = await parseAnswer(await upload('frank', file(event('x'))));
    expect(foreign.errno).toBe(28);
  });
});
