import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { loadJsAnswer } from '../support/js-answer.js';

/**
 * text/js and text/json answers, and item bodies, over HTTP against the real Radicale
 * (docs/wcap-protocol.md#output-formats, docs/json-format.md, docs/wcap-protocol.md#request-bodies).
 * What another CalDAV client wrote reads back exactly; what a body stores is read back from Radicale.
 */
const USER = 'alice';
const HOSTILE = `</script><script>alert(1)</script> it's "x" \\ \u2028 \u2029 <!--`;

describe('text/js, text/json and item bodies against Radicale', () => {
  let h: Harness;
  let id: string;
  const put = async (uid: string, lines: string[]) => {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`, { method: 'PUT', headers: { 'Content-Type': 'text/calendar' }, body: `${lines.join('\r\n')}\r\n` });
    expect(res.status).toBeLessThan(300);
  };
  const stored = async (uid: string) => {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
    expect(res.status).toBe(200);
    return new ICAL.Component(ICAL.parse(await res.text()) as unknown[]).getFirstSubcomponent('vevent')!;
  };
  const post = async (query: string, contentType: string, body: string) => {
    const res = await fetch(`${h.gateway.url}storeevents.wcap?id=${id}&calid=${USER}&${query}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
    return { contentType: res.headers.get('content-type'), body: await res.text() };
  };

  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  it('hostile text written by another CalDAV client is inert in text/js and exact in text/js and text/json', async () => {
    const uid = randomUUID();
    await put(uid, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261101T000000Z',
      'DTSTART:20261110T090000Z', 'DTEND:20261110T100000Z', `SUMMARY:${HOSTILE.replace(/\\/g, '\\\\')}`, 'END:VEVENT', 'END:VCALENDAR']);
    const js = await h.wcap('fetchevents_by_id', `id=${id}&calid=${USER}&uid=${uid}&fmt-out=text%2Fjs`);
    expect(js.contentType).toBe('text/html; charset=UTF-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(js.body.match(/<\/?script/gi)).toEqual(['<script', '</script']);
    const { vars, callbacks } = loadJsAnswer(js.body);
    expect(vars.errno).toEqual([0]);
    expect((vars.event as Array<{ summary: string }>)[0]!.summary).toBe(HOSTILE);
    expect(callbacks).toEqual([['Calfetchevents_by_idCallback', 'wcap-frame']]);
    const json = await h.wcap('fetchevents_by_id', `id=${id}&calid=${USER}&uid=${uid}&fmt-out=text%2Fjson`);
    expect(json.contentType).toBe('text/json; charset=UTF-8');
    const doc = JSON.parse(json.body);
    expect(doc.iCalendar.iCal[0].EVENT[0].SUMMARY).toEqual([{ value: HOSTILE }]);
    expect(doc.iCalendar.iCal[0]['X-NSCP-WCAP-ERRNO']).toEqual([{ value: '0' }]);
  });

  it('an expired session answers errno 1 in text/js and text/json', async () => {
    const js = await h.wcap('fetchcomponents_by_range', 'id=Expired000000000000000000000000&fmt-out=text%2Fjs');
    expect(loadJsAnswer(js.body).vars.errno).toEqual([1]);
    const json = await h.wcap('fetchcomponents_by_range', 'id=Expired000000000000000000000000&fmt-out=text%2Fjson');
    expect(JSON.parse(json.body).iCalendar.iCal[0]['X-NSCP-WCAP-ERRNO']).toEqual([{ value: '1' }]);
  });

  it('a text/calendar body posted to storeevents is stored on Radicale as its fields say', async () => {
    const uid = randomUUID();
    const answer = await post('fmt-out=text%2Fjson', 'text/calendar; charset=UTF-8', [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//form//EN', 'BEGIN:VEVENT', `UID:${uid}`,
      'DTSTART;TZID=Europe/Berlin:20261112T140000', 'DTEND;TZID=Europe/Berlin:20261112T150000',
      'SUMMARY:Review\\, final', 'CATEGORIES:A,B', 'RRULE:FREQ=DAILY;COUNT=2',
      'ATTENDEE;PARTSTAT=ACCEPTED;CN=Bob:mailto:bob@example.org', 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n'));
    expect(JSON.parse(answer.body).iCalendar.iCal[0]['X-NSCP-WCAP-ERRNO']).toEqual([{ value: '0' }]);
    const event = await stored(uid);
    expect(event.getFirstPropertyValue('summary')).toBe('Review, final');
    expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Berlin');
    expect(String(event.getFirstPropertyValue('dtstart'))).toBe('2026-11-12T14:00:00');
    expect(event.getFirstProperty('categories')!.getValues()).toEqual(['A', 'B']);
    expect(String(event.getFirstPropertyValue('rrule'))).toBe('FREQ=DAILY;COUNT=2');
    expect(event.getFirstProperty('attendee')!.getParameter('cn')).toBe('Bob');
  });

  it('a text/xml body that cannot be mapped is refused with errno 14 and nothing reaches Radicale', async () => {
    const uid = randomUUID();
    const xml = `<iCalendar><iCal><EVENT><UID>${uid}</UID><START>20261112T140000Z</START><COMMENT>x</COMMENT></EVENT></iCal></iCalendar>`;
    const before = h.caldavRequests.filter((r) => r.method === 'PUT').length;
    const answer = await post('fmt-out=text%2Fjs', 'text/xml', xml);
    const { vars } = loadJsAnswer(answer.body);
    expect(vars.errno).toEqual([14]);
    expect(vars.errstr).toContain('COMMENT');
    expect(h.caldavRequests.filter((r) => r.method === 'PUT').length).toBe(before);
    expect((await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).status).toBe(404);
  });
});
