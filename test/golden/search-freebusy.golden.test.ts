import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  errnoOf,
  tokenOf,
  type Format,
  type GoldenAnswer,
  type GoldenGateway,
} from '../support/golden-gateway.js';
import { childElements, elementsByTagName, parseXml, textContent } from '../support/parse-xml.js';
import { foreignObject } from './foreign-objects.js';
import { simpleEventParams, storeQuery } from './lightning-requests.js';

/**
 * Golden answers of get_freebusy beyond the busy-only view (docs/lightning.md#free-busy;
 * docs/wcap-protocol.md#get_freebusy) and of search_calprops with every searchOpts (0 contains,
 * 1 begins with, 2 ends with, 3 exact: docs/wcap-protocol.md#search_calprops;
 * docs/lightning.md#calendar-search).
 */

const BERLIN = 'Europe/Berlin';

/** An invitation from carol for 10 March 15:00–16:00 in Berlin (14:00–15:00Z). */
function invitation(uid: string, partstat: string): string[] {
  return foreignObject(uid, BERLIN, [
    [
      'DTSTART;TZID=Europe/Berlin:20260310T150000',
      'DTEND;TZID=Europe/Berlin:20260310T160000',
      'SUMMARY:Partner review',
      'ORGANIZER;CN=Carol:mailto:carol@partner.org',
      'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
      `ATTENDEE;PARTSTAT=${partstat};CN=Alice:mailto:alice@example.com`,
    ],
  ]);
}

/**
 * [FBTYPE, start/end] of every period of block `index`, as Lightning reads them
 * (docs/lightning.md#free-busy-request-and-answer).
 */
function periodsOf(answer: GoldenAnswer, format: Format, index = 0): string[][] {
  if (format.ext === 'xml') {
    const ical = childElements(parseXml(answer.body).root)[index]!;
    return elementsByTagName(ical, 'FB').map((fb) => [fb.attributes.FBTYPE ?? '', textContent(fb)]);
  }
  const freebusy = componentsOf(answer)[index]!.find((c) => c.name === 'VFREEBUSY');
  return freebusy ? freebusy.values('FREEBUSY').map((period, i) => [freebusy.param('FREEBUSY', 'FBTYPE', i) ?? '', period]) : [];
}

describe('golden: free/busy and calendar search', () => {
  let g: GoldenGateway;
  let sid: string;
  /**
   * Lightning's free/busy request (docs/lightning.md#free-busy-request-and-answer) for 10 March,
   * with `fmt-out` last.
   */
  const freebusy = (f: Format, calids: string, busyonly: 0 | 1) =>
    g.get('get_freebusy', `appid=mozilla-calendar&id=${sid}&calid=${calids}&busyonly=${busyonly}&dtstart=20260310T000000Z&dtend=20260311T000000Z&fmt-out=${f.fmtOut}`);
  /** Lightning's search request (docs/lightning.md#calendar-search), with Sun's searchOpts. */
  const search = (f: Format, text: string, searchOpts: number, maxResults?: number) =>
    g.get(
      'search_calprops',
      `appid=mozilla-calendar&id=${sid}&fmt-out=${f.fmtOut}&search-string=${enc(text)}${maxResults ? `&maxResults=${maxResults}` : ''}&name=1&calid=1&primaryOwner=1&searchOpts=${searchOpts}`,
    );
  /** The RELATIVE-CALID and errno of each block of a search answer. */
  const found = (answer: GoldenAnswer, count: number) =>
    Array.from({ length: count }, (_, i) => [tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID', i), Number(tokenOf(answer, 'X-NSCP-WCAP-ERRNO', i))]);
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.createCalendar('alice', 'work', { displayName: 'Work Projects', description: 'Everything billable', timezone: BERLIN });
    await g.createCalendar('alice', 'homework', { displayName: 'Kids', timezone: BERLIN });
    const events: Array<[string, string]> = [
      ['golden-busy', simpleEventParams({ start: '20260310T090000Z', end: '20260310T100000Z', summary: 'Busy' })],
      ['golden-overlap', simpleEventParams({ start: '20260310T093000Z', end: '20260310T103000Z', summary: 'Overlapping' })],
      ['golden-tentative', simpleEventParams({ start: '20260310T120000Z', end: '20260310T130000Z', summary: 'Maybe', status: 2 })],
      ['golden-free', simpleEventParams({ start: '20260310T160000Z', end: '20260310T170000Z', summary: 'Transparent', transparent: 1 })],
    ];
    for (const [uid, params] of events) {
      expect(errnoOf(await g.get('storeevents', storeQuery(sid, params, { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })))).toBe(0);
    }
    await g.putObject('alice', 'calendar', 'golden-declined', invitation('golden-declined', 'DECLINED'));
    // Daily 08:00–08:15 in Berlin (07:00Z in March).
    await g.putObject('alice', 'calendar', 'golden-daily', foreignObject('golden-daily', BERLIN, [
      ['DTSTART;TZID=Europe/Berlin:20260309T080000', 'DTEND;TZID=Europe/Berlin:20260309T081500', 'RRULE:FREQ=DAILY;COUNT=3', 'SUMMARY:Daily'],
    ]));
  });

  // busyonly=0 adds the FREE gaps; TENTATIVE is BUSY-TENTATIVE; a declined invitation and a
  // transparent event take no time (docs/wcap-protocol.md#get_freebusy).
  it.each(FORMATS)('get_freebusy.wcap ($ext) busyonly=0: free gaps, tentative, declined and transparent as free', async (f) => {
    const answer = await freebusy(f, enc('mailto:alice@example.com'), 0);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('mailto:alice@example.com');
    expect(periodsOf(answer, f)).toEqual([
      ['FREE', '20260310T000000Z/20260310T070000Z'],
      ['BUSY', '20260310T070000Z/20260310T071500Z'],
      ['FREE', '20260310T071500Z/20260310T090000Z'],
      // 09:00–10:00 and 09:30–10:30: one busy time.
      ['BUSY', '20260310T090000Z/20260310T103000Z'],
      ['FREE', '20260310T103000Z/20260310T120000Z'],
      ['BUSY-TENTATIVE', '20260310T120000Z/20260310T130000Z'],
      ['FREE', '20260310T130000Z/20260311T000000Z'],
    ]);
    await matchGolden(answer, `get_freebusy.attendance.${f.ext}`);
  });

  it.each(FORMATS)('get_freebusy.wcap ($ext) for two addresses, one unknown: errno 0 and 29, each in its block', async (f) => {
    const calids = ['mailto:alice@example.com', 'mailto:jane@example.org'];
    const answer = await freebusy(f, calids.map(enc).join(';'), 1);
    checkAnswer(answer, f, 0, 2);
    expect(found(answer, 2)).toEqual([
      ['mailto:alice@example.com', 0],
      ['mailto:jane@example.org', 29],
    ]);
    expect(periodsOf(answer, f, 0)).toEqual([
      ['BUSY', '20260310T070000Z/20260310T071500Z'],
      ['BUSY', '20260310T090000Z/20260310T103000Z'],
      ['BUSY-TENTATIVE', '20260310T120000Z/20260310T130000Z'],
    ]);
    expect(periodsOf(answer, f, 1)).toEqual([]);
    await matchGolden(answer, `get_freebusy.calids.${f.ext}`);
  });

  it.each(FORMATS)('search_calprops.wcap ($ext) searchOpts=0 (contains): calid, name and owner, default calendar first', async (f) => {
    const answer = await search(f, 'WORK', 0);
    checkAnswer(answer, f, 0, 2);
    expect(found(answer, 2)).toEqual([['alice:homework', 0], ['alice:work', 0]]);
    expect([tokenOf(answer, 'X-NSCP-CALPROPS-NAME', 1), tokenOf(answer, 'X-NSCP-CALPROPS-PRIMARY-OWNER', 1)]).toEqual(['Work Projects', 'alice']);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-DESCRIPTION', 1)).toBe('Everything billable');
    // 'alice' is every calendar's owner.
    expect(found(await search(f, 'lic', 0), 3).map(([calid]) => calid)).toEqual(['alice', 'alice:homework', 'alice:work']);
    await matchGolden(answer, `search_calprops.contains.${f.ext}`);
  });

  it.each(FORMATS)('search_calprops.wcap ($ext) searchOpts=1 (begins with)', async (f) => {
    // "Work Projects" begins with it; "alice:homework" and "alice:work" only contain it.
    const answer = await search(f, 'work', 1);
    checkAnswer(answer, f, 0, 1);
    expect(found(answer, 1)).toEqual([['alice:work', 0]]);
    await matchGolden(answer, `search_calprops.begins-with.${f.ext}`);
  });

  it.each(FORMATS)('search_calprops.wcap ($ext) searchOpts=2 (ends with)', async (f) => {
    const answer = await search(f, 'projects', 2);
    checkAnswer(answer, f, 0, 1);
    expect(found(answer, 1)).toEqual([['alice:work', 0]]);
    expect(found(await search(f, 'work', 2), 2).map(([calid]) => calid)).toEqual(['alice:homework', 'alice:work']);
    await matchGolden(answer, `search_calprops.ends-with.${f.ext}`);
  });

  it.each(FORMATS)('search_calprops.wcap ($ext) searchOpts=3 (exact), as Lightning asks when subscribing', async (f) => {
    const answer = await search(f, 'kids', 3);
    checkAnswer(answer, f, 0, 1);
    expect(found(answer, 1)).toEqual([['alice:homework', 0]]);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-NAME')).toBe('Kids');
    // Part of a name is no exact match: one block, errno 0, no calendar (Lightning skips it).
    const none = await search(f, 'kid', 3);
    checkAnswer(none, f, 0, 1);
    expect(tokenOf(none, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBeUndefined();
    await matchGolden(answer, `search_calprops.exact.${f.ext}`);
  });

  it.each(FORMATS)('search_calprops.wcap ($ext) maxResults=2: the first two matches', async (f) => {
    const answer = await search(f, 'alice', 0, 2);
    checkAnswer(answer, f, 0, 2);
    expect(found(answer, 2)).toEqual([['alice', 0], ['alice:homework', 0]]);
    await matchGolden(answer, `search_calprops.max-results.${f.ext}`);
  });

  it.each(FORMATS)('search_calprops.wcap ($ext) with an empty search string: errno 19, no calendars', async (f) => {
    const answer = await search(f, '', 0);
    checkAnswer(answer, f, 19);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBeUndefined();
    // Blanks are no search string either.
    checkAnswer(await search(f, '   ', 0), f, 19);
    await matchGolden(answer, `search_calprops.errno-19.${f.ext}`);
  });
});
