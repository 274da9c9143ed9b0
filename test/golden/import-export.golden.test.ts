import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  GATEWAY_URL,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  normalise,
  tokenOf,
  tokensOf,
  type Format,
  type GoldenAnswer,
  type GoldenGateway,
} from '../support/golden-gateway.js';
import { xmlAsJson } from '../support/golden-formats.js';
import { loadJsAnswer } from '../support/js-answer.js';
import { multipartBody } from '../support/upload-requests.js';
import { meetingParams, storeQuery, taskParams } from './lightning-requests.js';

/**
 * Golden answers of import, export and fetchattachment, and of a store carrying a file
 * (docs/wcap-protocol.md#import, #export, #attachments), in text/calendar and text/xml, each
 * parsed back (ical.js, the strict XML parser). Export answers are the files themselves.
 */
const FILE = [
  'BEGIN:VCALENDAR',
  'PRODID:-//golden//import//EN',
  'VERSION:2.0',
  'BEGIN:VEVENT',
  'UID:golden-import-1',
  'DTSTAMP:20260301T090000Z',
  'DTSTART;TZID=Europe/Berlin:20260316T090000',
  'DTEND;TZID=Europe/Berlin:20260316T100000',
  'SUMMARY:Review\\, draft; <b>',
  'END:VEVENT',
  'BEGIN:VTODO',
  'UID:golden-import-2',
  'DTSTAMP:20260301T090000Z',
  'DUE;VALUE=DATE:20260320',
  'SUMMARY:Send minutes',
  'END:VTODO',
  'BEGIN:VEVENT',
  'DTSTART:20260317T090000Z',
  'SUMMARY:Without a UID',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

describe('golden: import, export, attachments', () => {
  let g: GoldenGateway;
  let sid: string;
  const post = async (command: string, query: string, body: { body: Uint8Array<ArrayBuffer>; contentType: string } | undefined): Promise<GoldenAnswer> => {
    const init = body ? { method: 'POST', body: body.body, headers: { 'Content-Type': body.contentType } } : { method: 'POST' };
    return g.send(command, query, init);
  };
  const upload = (name: string, value: string | Uint8Array, contentType: string) => multipartBody([{ name, filename: 'file', contentType, value }], 'golden-boundary');
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.createCalendar('alice', 'archive', { displayName: 'Archive' });
  });

  it.each(FORMATS)('import.wcap ($ext): the items stored, the one without UID listed with errno 35', async (f) => {
    const answer = await post('import', `id=${sid}&calid=alice:archive&content-in=text%2Fcalendar&fmt-out=${f.fmtOut}`, upload('Upload', FILE, 'text/calendar'));
    checkAnswer(answer, f, 35);
    expect(tokenOf(answer, 'X-WCAP-IMPORT-STORED')).toBe('2');
    expect(tokenOf(answer, 'X-WCAP-IMPORT-FAILED')).toBe('The component has no UID');
    await matchGolden(answer, `import.errno-35.${f.ext}`);
  });

  it.each(FORMATS)('export.wcap ($ext): one calendar file with the zones used, as stored', async (f: Format) => {
    await post('import', `id=${sid}&calid=alice:archive&content-in=text%2Fcalendar`, upload('Upload', FILE, 'text/calendar'));
    const answer = await post('export', `id=${sid}&calid=alice:archive&dtstart=0&dtend=0&content-out=${f.fmtOut}`, multipartBody([{ name: 'Download', value: '' }], 'golden-boundary'));
    checkAnswer(answer, f, 0);
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="export.${f.ext}"`);
    const [components] = componentsOf(answer);
    expect(components!.map((c) => `${c.name} ${c.value(c.name === 'VTIMEZONE' ? 'TZID' : 'UID')}`)).toEqual([
      ...(f.ext === 'ics' ? ['VTIMEZONE Europe/Berlin'] : []),
      'VEVENT golden-import-1',
      'VTODO golden-import-2',
    ]);
    expect(components!.find((c) => c.name === 'VEVENT')!.value('SUMMARY')).toBe('Review, draft; <b>');
    await expect(normalise(answer.body)).toMatchFileSnapshot(`./__golden__/export.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) with a file part: X-S1CS-ATTACH-ID in the answer, the file inline', async (f) => {
    const query = `id=${sid}&calid=alice&uid=golden-attach-${f.ext}&dtstart=20260318T090000Z&dtend=20260318T093000Z&summary=With%20notes&fetch=1&fmt-out=${f.fmtOut}`;
    const answer = await post('storeevents', query, upload('attach', 'Notes, line 1\n', 'text/plain'));
    checkAnswer(answer, f, 0);
    const [id] = tokensOf(answer, 'X-S1CS-ATTACH-ID');
    expect(id).toMatch(new RegExp(`^/alice/golden-attach-${f.ext}/[0-9a-f-]{36}/file$`));
    // The answer names the file (7.0's form); its bytes stay on the server.
    const [event] = componentsOf(answer)[0]!.filter((c) => c.name === 'VEVENT');
    expect(event!.value('ATTACH')).toBeUndefined();
    expect(event!.value('X-S1CS-ATTACH-ID')).toBe(id);
    expect(event!.param('X-S1CS-ATTACH-ID', 'X-S1CS-FILENAME')).toBe('file');
    expect(event!.param('X-S1CS-ATTACH-ID', 'FMTTYPE')).toBe('text/plain');
    // fetchattach=1 asks for the bytes inline.
    const withBodies = await g.get('fetchevents_by_id', `id=${sid}&calid=alice&uid=golden-attach-${f.ext}&fetchattach=1&fmt-out=${f.fmtOut}`);
    const [full] = componentsOf(withBodies)[0]!.filter((c) => c.name === 'VEVENT');
    expect(full!.param('ATTACH', 'X-S1CS-ATTACH-ID')).toBe(id);
    expect(full!.param('ATTACH', 'FMTTYPE')).toBe('text/plain');
    expect(Buffer.from(full!.value('ATTACH')!, 'base64').toString()).toBe('Notes, line 1\n');
    // Unfolded first: a fold may cut the random part of the id, which normalise must find whole.
    await expect(normalise(answer.body.replace(/\r\n[ \t]/g, ''))).toMatchFileSnapshot(`./__golden__/storeevents.attachment.${f.ext}`);
    const file = await g.app.request(`${GATEWAY_URL}fetchattachment.wcap?id=${sid}&attachid=${enc(id!)}&fmt-out=${f.fmtOut}`);
    expect(file.headers.get('content-type')).toBe('text/plain');
    expect(await file.text()).toBe('Notes, line 1\n');
  });

  it('storeevents.wcap with a file part in text/js and text/json: the file named by its X-S1CS-ATTACH-ID, as in text/xml', async () => {
    const store = (uid: string, fmtOut: string) =>
      post('storeevents', `id=${sid}&calid=alice&uid=${uid}&dtstart=20260319T090000Z&dtend=20260319T093000Z&summary=With%20notes&fetch=1&fmt-out=${fmtOut}`, upload('attach', 'Notes\n', 'text/plain'));
    const js = await store('golden-attach-js', 'text%2Fjs');
    const { vars, callbacks } = loadJsAnswer(js.body);
    expect(vars.errno).toEqual([0]);
    expect(callbacks).toEqual([['CalstoreeventsCallback', 'wcap-frame']]);
    expect((vars.data as string[])[0]!.replace(/\r\n[ \t]/g, '')).toMatch(/X-S1CS-ATTACH-ID;X-S1CS-FILENAME=file;FMTTYPE=text\/plain:\/alice\/golden-attach-js\/[0-9a-f-]{36}\/file\r\n/);
    const json = await store('golden-attach-json', 'text%2Fjson');
    const doc = JSON.parse(json.body) as { iCalendar: { iCal: Array<{ EVENT: Array<Record<string, Array<Record<string, string>>>> }> } };
    const [attached] = doc.iCalendar.iCal[0]!.EVENT[0]!['X-S1CS-ATTACH-ID']!;
    expect(attached).toMatchObject({ 'X-S1CS-FILENAME': 'file', FMTTYPE: 'text/plain' });
    expect(attached!.value).toMatch(/^\/alice\/golden-attach-json\/[0-9a-f-]{36}\/file$/);
    // The stored item read back in both formats: the JSON is the XML, element for element.
    const read = (fmtOut: string) => g.get('fetchevents_by_id', `id=${sid}&calid=alice&uid=golden-attach-json&fmt-out=${fmtOut}`);
    expect(JSON.parse((await read('text%2Fjson')).body)).toEqual(xmlAsJson((await read('text%2Fxml')).body));
  });

  it.each(FORMATS)('export → import → export ($ext) keeps what Lightning stores: attendees, alarms, series, exceptions, tasks', async (f) => {
    const source = `rt-src-${f.ext}`;
    const target = `rt-dst-${f.ext}`;
    await g.createCalendar('alice', source, {});
    await g.createCalendar('alice', target, {});
    const calid = `alice:${source}`;
    const series = `${meetingParams('20260317T130000Z', '20260317T143000Z')}`.replace('rrules=&', `rrules=${enc('"FREQ=WEEKLY;COUNT=6"')}&`).replace('exdates=&', 'exdates=20260331T130000Z&');
    for (const [uid, params, tzid] of [
      ['rt-meeting', series, 'Europe/Berlin'],
      ['rt-task', taskParams('Slides; „Q2“ <draft>'), undefined],
    ] as const) {
      const stored = await g.get(uid === 'rt-task' ? 'storetodos' : 'storeevents', storeQuery(sid, params, { uid, storetype: 1, method: 2, fmtOut: f.fmtOut, calid, ...(tzid ? { tzid } : {}) }));
      checkAnswer(stored, f, 0);
    }
    // An exception moved by an hour.
    const moved = await g.get('storeevents', storeQuery(sid, '&dtstart=20260324T140000Z&dtend=20260324T153000Z&summary=Moved', { uid: 'rt-meeting', rid: '20260324T130000Z', mod: 1, method: 2, fmtOut: f.fmtOut, calid, tzid: 'Europe/Berlin' }));
    checkAnswer(moved, f, 0);
    const exportOf = (cal: string) => post('export', `id=${sid}&calid=alice:${cal}&content-out=${f.fmtOut}`, undefined);
    const first = await exportOf(source);
    checkAnswer(first, f, 0);
    const imported = await post('import', `id=${sid}&calid=alice:${target}&content-in=${f.fmtOut}&fmt-out=${f.fmtOut}`, upload('Upload', first.body, decodeURIComponent(f.fmtOut)));
    checkAnswer(imported, f, 0);
    expect(tokenOf(imported, 'X-WCAP-IMPORT-STORED')).toBe('2');
    const second = await exportOf(target);
    const items = (body: string) => body.slice(body.indexOf(f.ext === 'ics' ? 'BEGIN:VTIMEZONE' : '<EVENT>'));
    expect(items(second.body)).toBe(items(first.body));
    const [components] = componentsOf(second);
    expect(components!.filter((c) => c.name === 'VEVENT').map((c) => c.value('RECURRENCE-ID') ?? 'master')).toEqual(['master', f.ext === 'ics' ? '20260324T140000' : '20260324T130000Z']);
  });

  it('import.wcap with dtstart/dtend imports only the items overlapping the range; the others are counted as skipped', async () => {
    await g.createCalendar('alice', 'ranged', {});
    const answer = await post('import', `id=${sid}&calid=alice:ranged&content-in=text%2Fcalendar&dtstart=20260316T000000Z&dtend=20260317T000000Z`, upload('Upload', FILE, 'text/calendar'));
    checkAnswer(answer, FORMATS[0], 35);
    expect([tokenOf(answer, 'X-WCAP-IMPORT-STORED'), tokenOf(answer, 'X-WCAP-IMPORT-SKIPPED')]).toEqual(['1', '1']);
    const exported = await post('export', `id=${sid}&calid=alice:ranged`, undefined);
    expect(componentsOf(exported)[0]!.filter((c) => c.name !== 'VTIMEZONE').map((c) => c.value('UID'))).toEqual(['golden-import-1']);
  });

  it('export.wcap without content-out answers in fmt-out; a content-out other than text/calendar or text/xml is 58', async () => {
    const xml = await post('export', `id=${sid}&calid=alice:archive&fmt-out=text%2Fxml`, undefined);
    checkAnswer(xml, FORMATS[1], 0);
    const refused = await post('export', `id=${sid}&calid=alice:archive&content-out=text%2Fhtml`, undefined);
    checkAnswer(refused, FORMATS[0], 58);
  });

  it.each(FORMATS)('fetchattachment.wcap ($ext) for an unknown attachid: errno 87', async (f) => {
    const answer = await g.get('fetchattachment', `id=${sid}&attachid=${enc('/alice/nothing/00000000-0000-4000-8000-000000000000/x.png')}&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 87);
    await matchGolden(answer, `fetchattachment.errno-87.${f.ext}`);
  });

  it.each(FORMATS)('import.wcap ($ext) of a file that is not iCalendar: errno 77', async (f) => {
    const answer = await post('import', `id=${sid}&calid=alice:archive&content-in=text%2Fcalendar&fmt-out=${f.fmtOut}`, upload('Upload', 'not a calendar', 'text/calendar'));
    checkAnswer(answer, f, 77);
    await matchGolden(answer, `import.errno-77.${f.ext}`);
  });
});
