import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  timeOf,
  zoned,
  type Format,
  type GoldenAnswer,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';
import { simpleEventParams, storeQuery } from './lightning-requests.js';

/**
 * Golden answers of storeevents on series (docs/wcap-protocol.md#storing-recurrence,
 * docs/wcap-protocol.md#storeevents-parameters, README store table): rules in Lightning's quoted,
 * encoded form and Sun's lower-case form, RDATE/EXDATE in the series' zone, one instance changed
 * twice (mod=1), the series split at an instance (mod=2 this and future, mod=3 this and prior) and
 * excludedtstart.
 */

const BERLIN = 'Europe/Berlin';

/** Mondays at 09:00 in Berlin from 23 March, five times; 13 April moved to 14:00. */
function weekly(uid: string): string[] {
  return foreignObject(uid, BERLIN, [
    ['DTSTART;TZID=Europe/Berlin:20260323T090000', 'DTEND;TZID=Europe/Berlin:20260323T100000', 'RRULE:FREQ=WEEKLY;COUNT=5', 'SUMMARY:Team meeting'],
    ['RECURRENCE-ID;TZID=Europe/Berlin:20260413T090000', 'DTSTART;TZID=Europe/Berlin:20260413T140000', 'DTEND;TZID=Europe/Berlin:20260413T150000', 'SUMMARY:Team meeting (afternoon)'],
  ]);
}

function itemsOf(answer: GoldenAnswer): ItemView[] {
  const blocks = componentsOf(answer);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.filter((c) => c.name !== 'VTIMEZONE');
}

/** A rule compared by its parts, not by the order ical.js writes them in. */
function ruleOf(text: string | undefined): { freq: string; count: number | null; until: string | undefined; parts: object } {
  const rule = ICAL.Recur.fromString(text ?? '');
  return { freq: rule.freq, count: rule.count ?? null, until: rule.until?.toString(), parts: rule.parts };
}

/** What the fields sent to a part of the series change (text only, so instances stay put). */
const CHANGES = `&summary=${enc('Team meeting (new room)')}&location=${enc('Room 2.17')}`;

describe('golden: storing series', () => {
  let g: GoldenGateway;
  let sid: string;
  /** [RECURRENCE-ID, DTSTART, SUMMARY] of every instance of `uid`, as text/calendar (recurring=0). */
  const instancesOf = async (uid: string) => {
    const answer = await g.get('fetchevents_by_id', `id=${sid}&recurring=0&fmt-out=text%2Fcalendar&uid=${enc(uid)}&calid=alice`);
    return itemsOf(answer).map((c) => [c.value('RECURRENCE-ID'), c.value('DTSTART'), c.value('SUMMARY')]);
  };
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
  });

  it.each(FORMATS)('storeevents.wcap ($ext) with a quoted, encoded rrule, rdates and exdates', async (f) => {
    const uid = `golden-last-friday-${f.ext}`;
    // Friday 27 March 14:00 in Berlin (13:00Z, winter time); the last Friday of four months, one
    // extra date (Wednesday 15 April 14:00 CEST = 12:00Z) and one left out (29 May, 12:00Z).
    const params = simpleEventParams({ start: '20260327T130000Z', end: '20260327T140000Z', summary: 'Month end' }).replace(
      '&rrules=&rdates=&exrules=&exdates=',
      `&rrules="${enc('FREQ=MONTHLY;BYDAY=-1FR;COUNT=4')}"&rdates=20260415T120000Z&exrules=&exdates=20260529T120000Z`,
    );
    const answer = await g.get('storeevents', storeQuery(sid, params, { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [series] = itemsOf(answer);
    expect(ruleOf(series!.value('RRULE'))).toEqual({ freq: 'MONTHLY', count: 4, until: undefined, parts: { BYDAY: ['-1FR'] } });
    expect(timeOf(series!, 'DTSTART')).toEqual(zoned(f, '20260327T140000', BERLIN, '20260327T130000Z'));
    expect(timeOf(series!, 'RDATE')).toEqual(zoned(f, '20260415T140000', BERLIN, '20260415T120000Z'));
    expect(timeOf(series!, 'EXDATE')).toEqual(zoned(f, '20260529T140000', BERLIN, '20260529T120000Z'));
    expect((await instancesOf(uid)).map(([rid]) => rid)).toEqual(['20260327T140000', '20260415T140000', '20260424T140000', '20260626T140000']);
    // Sun's form: the rule in lower case, quotes sent encoded
    // (docs/wcap-protocol.md#lists-and-quoting).
    const sun = `&rrules=%22${enc('freq=monthly;byday=-1fr;count=4')}%22`;
    const same = await g.get('storeevents', storeQuery(sid, params.replace(/&rrules=[^&]*/, sun), { tzid: BERLIN, uid: `${uid}-sun`, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    expect(ruleOf(itemsOf(same)[0]!.value('RRULE'))).toEqual(ruleOf(series!.value('RRULE')));
    await matchGolden(answer, `storeevents.rrules.${f.ext}`);
  });

  // Lightning (docs/lightning.md#modifying-occurrences): a new exception is stored without
  // storetype and every field, a known one with storetype=2 and the changed fields. Its
  // RECURRENCE-ID names the instance the rule makes, however often it moves (README store table,
  // `rid` + `mod`), and the answer is the whole series (docs/lightning.md#store-answer).
  it.each(FORMATS)('storeevents.wcap ($ext) mod=1 twice: the exception moves, its RECURRENCE-ID stays', async (f) => {
    const uid = `golden-moved-twice-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    // 6 April 09:00 CEST is 07:00Z; first to 12:00 (10:00Z), then to 14:00 (12:00Z).
    const first = simpleEventParams({ start: '20260406T100000Z', end: '20260406T110000Z', summary: 'Team meeting (moved)' }).replace('&rrules=&rdates=&exrules=&exdates=', '');
    checkAnswer(await g.get('storeevents', storeQuery(sid, first, { tzid: BERLIN, uid, rid: '20260406T070000Z', method: 1, fmtOut: 'text%2Fcalendar' })), FORMATS[0], 0);
    const second = '&dtstart=20260406T120000Z&dtend=20260406T130000Z';
    const answer = await g.get('storeevents', storeQuery(sid, second, { tzid: BERLIN, uid, storetype: 2, rid: '20260406T070000Z', method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items.map((c) => [c.value('UID'), c.value('RECURRENCE-ID') === undefined])).toEqual([[uid, true], [uid, false], [uid, false]]);
    const [master, ...exceptions] = items;
    expect(ruleOf(master!.value('RRULE'))).toEqual({ freq: 'WEEKLY', count: 5, until: undefined, parts: {} });
    expect(timeOf(master!, 'DTSTART')).toEqual(zoned(f, '20260323T090000', BERLIN, '20260323T080000Z'));
    const moved = exceptions.find((c) => c.value('SUMMARY') === 'Team meeting (moved)')!;
    expect(timeOf(moved, 'RECURRENCE-ID')).toEqual(zoned(f, '20260406T090000', BERLIN, '20260406T070000Z'));
    expect(timeOf(moved, 'DTSTART')).toEqual(zoned(f, '20260406T140000', BERLIN, '20260406T120000Z'));
    expect(timeOf(moved, 'DTEND')).toEqual(zoned(f, '20260406T150000', BERLIN, '20260406T130000Z'));
    const afternoon = exceptions.find((c) => c.value('SUMMARY') === 'Team meeting (afternoon)')!;
    expect(timeOf(afternoon, 'RECURRENCE-ID')).toEqual(zoned(f, '20260413T090000', BERLIN, '20260413T070000Z'));
    await matchGolden(answer, `storeevents.occurrence-moved-twice.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) mod=2: the future becomes series <uid>-R<rid> with the remaining count', async (f) => {
    const uid = `golden-split-future-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    const answer = await g.get('storeevents', storeQuery(sid, CHANGES, { tzid: BERLIN, uid, storetype: 2, rid: '20260406T070000Z', mod: 2, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    const newUid = `${uid}-R20260406T070000Z`;
    // One item for Lightning (docs/lightning.md#store-answer): the new master and the exception
    // that now belongs to it.
    expect(items.map((c) => [c.value('UID'), c.value('RECURRENCE-ID') === undefined])).toEqual([[newUid, true], [newUid, false]]);
    const [master, exception] = items;
    // Five Mondays, two before 6 April: three remain.
    expect(ruleOf(master!.value('RRULE'))).toEqual({ freq: 'WEEKLY', count: 3, until: undefined, parts: {} });
    expect(timeOf(master!, 'DTSTART')).toEqual(zoned(f, '20260406T090000', BERLIN, '20260406T070000Z'));
    expect(timeOf(master!, 'DTEND')).toEqual(zoned(f, '20260406T100000', BERLIN, '20260406T080000Z'));
    expect([master!.value('SUMMARY'), master!.value('LOCATION')]).toEqual(['Team meeting (new room)', 'Room 2.17']);
    expect(timeOf(exception!, 'RECURRENCE-ID')).toEqual(zoned(f, '20260413T090000', BERLIN, '20260413T070000Z'));
    expect(timeOf(exception!, 'DTSTART')).toEqual(zoned(f, '20260413T140000', BERLIN, '20260413T120000Z'));
    expect(await instancesOf(uid)).toEqual([
      ['20260323T090000', '20260323T090000', 'Team meeting'],
      ['20260330T090000', '20260330T090000', 'Team meeting'],
    ]);
    expect(await instancesOf(newUid)).toEqual([
      ['20260406T090000', '20260406T090000', 'Team meeting (new room)'],
      ['20260413T090000', '20260413T140000', 'Team meeting (afternoon)'],
      ['20260420T090000', '20260420T090000', 'Team meeting (new room)'],
    ]);
    await matchGolden(answer, `storeevents.this-and-future.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) mod=3: the past up to rid becomes a new series, the future keeps the uid', async (f) => {
    const uid = `golden-split-past-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    // 30 March 09:00 CEST is 07:00Z.
    const answer = await g.get('storeevents', storeQuery(sid, CHANGES, { tzid: BERLIN, uid, storetype: 2, rid: '20260330T070000Z', mod: 3, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items).toHaveLength(1);
    const [past] = items;
    const pastUid = past!.value('UID') ?? '';
    expect(pastUid.startsWith(`${uid}-R`) && pastUid !== uid).toBe(true);
    expect(timeOf(past!, 'DTSTART')).toEqual(zoned(f, '20260323T090000', BERLIN, '20260323T080000Z'));
    expect([past!.value('SUMMARY'), past!.value('LOCATION')]).toEqual(['Team meeting (new room)', 'Room 2.17']);
    expect(await instancesOf(pastUid)).toEqual([
      ['20260323T090000', '20260323T090000', 'Team meeting (new room)'],
      ['20260330T090000', '20260330T090000', 'Team meeting (new room)'],
    ]);
    expect(await instancesOf(uid)).toEqual([
      ['20260406T090000', '20260406T090000', 'Team meeting'],
      ['20260413T090000', '20260413T140000', 'Team meeting (afternoon)'],
      ['20260420T090000', '20260420T090000', 'Team meeting'],
    ]);
    await matchGolden(answer, `storeevents.this-and-prior.${f.ext}`);
  });

  // excludedtstart (WCAP 7.0 guide, docs/wcap-protocol.md#storing-recurrence): a Monday start for a
  // Wednesday rule. "A value of 0 indicates the dtstart date is included in the recurring series
  // and a value of 1 indicates the dtstart date is not included"; 0 is the default.
  const wednesdays = (uid: string, excluded: boolean, f: Format) => {
    // Monday 23 March 10:00 in Berlin (09:00Z), then Wednesdays until 8 April.
    const params = simpleEventParams({ start: '20260323T090000Z', end: '20260323T100000Z', summary: 'Wednesdays' }).replace(
      '&rrules=',
      `&rrules="${enc('FREQ=WEEKLY;BYDAY=WE;UNTIL=20260408T235959Z')}"`,
    );
    return g.get('storeevents', storeQuery(sid, `${params}${excluded ? '&excludedtstart=1' : ''}`, { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
  };

  it.each(FORMATS)('storeevents.wcap ($ext) excludedtstart=1: a start the rule does not produce is excluded', async (f) => {
    const uid = `golden-wednesdays-${f.ext}`;
    const answer = await wednesdays(uid, true, f);
    checkAnswer(answer, f, 0);
    const [series] = itemsOf(answer);
    expect(timeOf(series!, 'DTSTART')).toEqual(zoned(f, '20260323T100000', BERLIN, '20260323T090000Z'));
    expect(timeOf(series!, 'EXDATE')).toEqual(timeOf(series!, 'DTSTART'));
    // Wednesday 25 March 10:00 CET; 1 and 8 April 10:00 CEST.
    expect((await instancesOf(uid)).map(([rid]) => rid)).toEqual(['20260325T100000', '20260401T100000', '20260408T100000']);
    await matchGolden(answer, `storeevents.excludedtstart.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) excludedtstart=0 (default): the start is an instance of the series', async (f) => {
    const uid = `golden-monday-first-${f.ext}`;
    const answer = await wednesdays(uid, false, f);
    checkAnswer(answer, f, 0);
    const [series] = itemsOf(answer);
    expect(timeOf(series!, 'DTSTART')).toEqual(zoned(f, '20260323T100000', BERLIN, '20260323T090000Z'));
    expect(series!.value('EXDATE')).toBeUndefined();
    // The gateway's own expansion must show the Monday, and so must any RFC 5545 reader of the
    // stored series (an out-of-step DTSTART is "undefined" in RFC 5545 §3.8.5.3; an RDATE is not).
    expect((await instancesOf(uid)).map(([rid]) => rid)).toEqual(['20260323T100000', '20260325T100000', '20260401T100000', '20260408T100000']);
    await matchGolden(answer, `storeevents.excludedtstart-0.${f.ext}`);
  });
});
