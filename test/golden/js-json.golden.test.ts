import { beforeAll, describe, expect, it } from 'vitest';
import { jsFormatter } from '../../src/output/js-formatter.js';
import { jsonFormatter } from '../../src/output/json-formatter.js';
import { xmlAsJson } from '../support/golden-formats.js';
import { GATEWAY_URL, buildGoldenGateway, enc, parseIcs, type GoldenAnswer, type GoldenGateway } from '../support/golden-gateway.js';
import { loadJsAnswer } from '../support/js-answer.js';
import { parseXml } from '../support/parse-xml.js';
import { meetingParams, storeQuery } from './lightning-requests.js';

/**
 * text/js and text/json on live requests (docs/wcap-protocol.md#output-formats,
 * docs/json-format.md): the answers the goldens derive are the gateway's real answers, hostile
 * calendar data stays inert and exact, `brief` and `content-out` shape the page, the callback
 * contract holds, and errors found before a command runs come in the asked format.
 */

/** Everything a JavaScript string inside an HTML page must survive. */
const HOSTILE = `</script><script>alert(1)</script> it's "quoted" \\back\\slash \u2028line\u2029para <!-- x --> &amp; end`;
const HOSTILE_WITH_NUL = `${HOSTILE}\u0000nul`;

describe('golden: text/js and text/json answers', () => {
  let g: GoldenGateway;
  let sid: string;
  const js = (command: string, query: string) => g.get(command, `${query}&fmt-out=text%2Fjs`);
  const json = (command: string, query: string) => g.get(command, `${query}&fmt-out=text%2Fjson`);
  const range = () => `id=${sid}&calid=alice&dtstart=20260301T000000Z&dtend=20260401T000000Z`;

  beforeAll(async () => {
    g = buildGoldenGateway({ WCAP_MAX_BODY_BYTES: '65536' });
    sid = await g.login('alice');
    // Stored by another CalDAV client, so the text reaches the gateway exactly as written.
    await g.putObject('alice', 'calendar', 'hostile-1', [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', 'BEGIN:VEVENT', 'UID:hostile-1', 'DTSTAMP:20260301T000000Z',
      'DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z',
      `SUMMARY:${HOSTILE_WITH_NUL.replace(/\\/g, '\\\\')}`,
      `LOCATION:${HOSTILE.replace(/\\/g, '\\\\')}`,
      'CATEGORIES:a</script>,b\\,c',
      'ATTENDEE;PARTSTAT=ACCEPTED;CN="</script>":mailto:bob@example.com',
      'END:VEVENT', 'END:VCALENDAR',
    ]);
    await g.putObject('alice', 'calendar', 'all-day-1', [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', 'BEGIN:VEVENT', 'UID:all-day-1', 'DTSTAMP:20260301T000000Z',
      'DTSTART;VALUE=DATE:20260312', 'DTEND;VALUE=DATE:20260313', 'SUMMARY:Holiday', 'END:VEVENT', 'END:VCALENDAR',
    ]);
  });

  const requests: Array<[string, () => string]> = [
    ['version', () => ''],
    ['gettime', () => `id=${sid}`],
    ['get_calprops', () => `id=${sid}&calid=alice;alice:nope;bob`],
    ['fetchcomponents_by_range', () => range()],
    ['fetchcomponents_by_range', () => `${range()}&brief=1`],
    ['fetchcomponents_by_range', () => `${range()}&content-out=text%2Fxml`],
    ['get_freebusy', () => `id=${sid}&calid=alice&dtstart=20260309T000000Z&dtend=20260316T000000Z`],
    ['frobnicate', () => `id=${sid}`],
    ['gettime', () => 'id=NoSuchSession00000000000000000'],
  ];

  it.each(requests)('%s: the live text/js and text/json answers are what the goldens derive from the same result', async (command, query) => {
    const ics = await g.get(command, `${query()}&fmt-out=text%2Fcalendar`);
    const live = await js(command, query());
    expect(live.contentType).toBe('text/html; charset=UTF-8');
    expect(live.body).toBe(jsFormatter.render(ics.rendering!.result, ics.rendering!.context).body);
    const xml = await g.get(command, `${query()}&fmt-out=text%2Fxml`);
    const liveJson = await json(command, query());
    expect(liveJson.contentType).toBe('text/json; charset=UTF-8');
    expect(liveJson.body).toBe(jsonFormatter.render(xml.rendering!.result).body);
    // XML cannot carry the NUL of the hostile event's summary; everything else is the same.
    expect(JSON.parse(liveJson.body.replaceAll('\\u0000', ''))).toEqual(xmlAsJson(xml.body));
  });

  it('text/js: hostile calendar text is inert in the page and reads back exactly', async () => {
    const answer = await js('fetchevents_by_id', `id=${sid}&calid=alice&uid=hostile-1`);
    // One script element only, and nothing in it the HTML parser or a line break could act on.
    expect(answer.body.match(/<\/?script/gi)).toEqual(['<script', '</script']);
    expect(answer.body).not.toMatch(/[\u2028\u2029\u0000]/);
    const { vars, callbacks } = loadJsAnswer(answer.body);
    expect(callbacks).toEqual([['Calfetchevents_by_idCallback', 'wcap-frame']]);
    expect(vars.errno).toEqual([0]);
    expect(vars.layer_errno).toEqual([0]);
    const [event] = vars.event as Array<Record<string, unknown>>;
    expect(event).toMatchObject({ uid: 'hostile-1', calid: 'alice', summary: HOSTILE_WITH_NUL, location: HOSTILE, categories: ['a</script>', 'b,c'] });
    // A local user's address is given as the calid (docs/wcap-protocol.md#attendees-in-stores).
    expect(event!.attendees).toEqual(['bob']);
    expect(event!.dtstart).toEqual(new Date(Date.UTC(2026, 2, 10, 9)));
    // data[0] is the text/calendar block; iCalendar cannot carry NUL, so it is dropped there.
    const [vcalendar] = parseIcs((vars.data as string[])[0]!);
    const vevent = vcalendar!.getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('summary')).toBe(HOSTILE_WITH_NUL.replace('\u0000', ''));
    expect(vevent.getFirstProperty('attendee')!.getParameter('cn')).toBe('</script>');
  });

  it('text/json: hostile calendar text reads back exactly, NUL included', async () => {
    const answer = await json('fetchevents_by_id', `id=${sid}&calid=alice&uid=hostile-1`);
    const doc = JSON.parse(answer.body) as { iCalendar: { iCal: Array<{ EVENT: Array<Record<string, Array<Record<string, string>>>> }> } };
    const event = doc.iCalendar.iCal[0]!.EVENT[0]!;
    expect(event.SUMMARY).toEqual([{ value: HOSTILE_WITH_NUL }]);
    expect(event.LOCATION).toEqual([{ value: HOSTILE }]);
    expect(event.ATTENDEE).toMatchObject([{ value: 'bob', PARTSTAT: 'ACCEPTED', CN: '</script>', 'X-S1CS-EMAIL': 'bob@example.com' }]);
    // The XML answer of the same request has the same values; XML cannot carry NUL.
    const xml = await g.get('fetchevents_by_id', `id=${sid}&calid=alice&uid=hostile-1&fmt-out=text%2Fxml`);
    expect(xmlAsJson(xml.body)).toEqual(JSON.parse(answer.body.replace('\\u0000', '')));
  });

  it('text/js: events and todos as E and T objects; all-day events in eventD, long ones too', async () => {
    const { vars } = loadJsAnswer((await js('fetchcomponents_by_range', range())).body);
    expect((vars.event as Array<{ uid: string }>).map((e) => e.uid)).toEqual(['hostile-1']);
    expect((vars.eventD as Array<{ uid: string; isAllDay: number }>).map((e) => [e.uid, e.isAllDay])).toEqual([['all-day-1', 1]]);
    expect([vars.size, vars.sizeD, vars.todosize]).toEqual([1, 1, 0]);
    expect(vars.calprops).toMatchObject([{ calid: 'alice', name: 'alice', tzid: 'UTC', primaryOwner: 'alice' }]);
    expect(vars.layerid).toEqual(['alice']);
  });

  it('text/js brief=1: only the brief fields of E, and the brief properties in data[]', async () => {
    const { vars } = loadJsAnswer((await js('fetchevents_by_id', `id=${sid}&calid=alice&uid=hostile-1&brief=1`)).body);
    const [event] = vars.event as Array<Record<string, unknown>>;
    expect(event).toMatchObject({ uid: 'hostile-1', summary: HOSTILE_WITH_NUL, location: HOSTILE, categories: null, attendees: null, status: null });
    const vevent = parseIcs((vars.data as string[])[0]!)[0]!.getFirstSubcomponent('vevent')!;
    expect(vevent.getAllProperties().map((p) => p.name)).toEqual(['uid', 'dtstart', 'dtend', 'summary', 'location']);
  });

  it('text/js content-out=text/xml: data[] holds the text/xml answer of each calendar', async () => {
    const query = `id=${sid}&calid=alice;alice:nope&uid=hostile-1`;
    const { vars } = loadJsAnswer((await js('fetchevents_by_id', `${query}&content-out=text%2Fxml`)).body);
    const xml = await g.get('fetchevents_by_id', `${query}&fmt-out=text%2Fxml`);
    const data = vars.data as string[];
    // Each block is one complete document; together they hold the XML answer's <iCal> elements.
    const blocks = data.map((text) => xmlAsJson(text) as { iCalendar: { iCal: unknown[] } });
    expect({ iCalendar: { iCal: blocks.flatMap((b) => b.iCalendar.iCal) } }).toEqual(xmlAsJson(xml.body));
    expect(parseXml(data[0]!).root.name).toBe('iCalendar');
  });

  it('an unknown command answers 52 in text/js with no callback and without its name', async () => {
    const answer = await js('frobnicate', `id=${sid}`);
    expect(answer.body).not.toContain('frobnicate');
    const { vars, callbacks } = loadJsAnswer(answer.body);
    expect(vars.errno).toEqual([52]);
    expect(callbacks).toEqual([]);
  });

  /** Errors found before a command runs, each in text/js and text/json. */
  const early: Array<[string, () => Promise<GoldenAnswer>, number]> = [
    ['expired session', () => g.get('fetchcomponents_by_range', 'id=Expired0000000000000000000000000'), 1],
    ['bad parameter', () => g.get('fetchcomponents_by_range', `id=${sid}&calid=alice&dtstart=2026-13-45`), 13],
    ['unknown command', () => g.get('frobnicate', 'x=1'), 52],
    ['store without session', () => g.get('storeevents', storeQuery('nope', meetingParams('20260310T090000Z', '20260310T100000Z'), { uid: 'u1', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' }).replace(/&fmt-out=[^&]*/, '')), 1],
  ];

  it.each(early)('%s: text/js and text/json answers carry the errno', async (_label, request, errno) => {
    for (const fmt of ['text/js', 'text/json']) {
      const answer = await withFormat(request, fmt);
      expect(answer.status).toBe(200);
      if (fmt === 'text/js') expect(loadJsAnswer(answer.body).vars.errno).toEqual([errno]);
      else expect(JSON.parse(answer.body).iCalendar.iCal[0]['X-NSCP-WCAP-ERRNO']).toEqual([{ value: String(errno) }]);
    }
  });

  it('an oversized POST body is refused in text/js and text/json', async () => {
    for (const fmt of ['text%2Fjs', 'text%2Fjson']) {
      const res = await g.app.request(`${GATEWAY_URL}storeevents.wcap?id=${sid}&fmt-out=${fmt}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `summary=${'x'.repeat(70_000)}`,
      });
      const body = await res.text();
      expect(res.headers.get('connection')).toBe('close');
      const errno = fmt === 'text%2Fjs' ? (loadJsAnswer(body).vars.errno as number[])[0] : Number(JSON.parse(body).iCalendar.iCal[0]['X-NSCP-WCAP-ERRNO'][0].value);
      expect(errno).toBe(14);
      expect(body).toContain('WCAP_MAX_BODY_BYTES');
    }
  });

  /** The request of `request()` again with fmt-out set to `fmt`. */
  async function withFormat(request: () => Promise<GoldenAnswer>, fmt: string): Promise<GoldenAnswer> {
    const original = g.get;
    g.get = (command, query) => original(command, `${query}&fmt-out=${enc(fmt)}`);
    try {
      return await request();
    } finally {
      g.get = original;
    }
  }
});

