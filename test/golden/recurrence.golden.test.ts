import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FORMATS,
  PASSWORDS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  timeOf,
  tokenOf,
  zoned,
  type Format,
  type GoldenAnswer,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';
import { simpleEventParams, storeQuery } from './lightning-requests.js';

/**
 * Golden answers for recurring items outside Lightning's master-plus-exceptions view
 * (docs/wcap-protocol.md#recurring-and-compressed, docs/wcap-protocol.md#rid-and-mod):
 * recurring=0 expansion with RECURRENCE-IDs across a DST change and capped by the recurrence bound,
 * fetchevents_by_id of single instances, deleteevents_by_id with mod=2 (this and future) and mod=3
 * (this and prior), and mismatched uid/rid lists.
 */

const BERLIN = 'Europe/Berlin';

/** Daily at 09:00 in Berlin, 26–31 March: 28 March excluded, 30 March moved to 11:30. */
const DAILY = foreignObject('golden-daily', BERLIN, [
  [
    'DTSTART;TZID=Europe/Berlin:20260326T090000',
    'DTEND;TZID=Europe/Berlin:20260326T093000',
    'RRULE:FREQ=DAILY;COUNT=6',
    'EXDATE;TZID=Europe/Berlin:20260328T090000',
    'SUMMARY:Daily check-in',
  ],
  [
    'RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000',
    'DTSTART;TZID=Europe/Berlin:20260330T113000',
    'DTEND;TZID=Europe/Berlin:20260330T120000',
    'SUMMARY:Daily check-in (late)',
  ],
]);

/** Mondays at 09:00 in Berlin from 23 March, five times; 13 April moved to 14:00. */
function weekly(uid: string): string[] {
  return foreignObject(uid, BERLIN, [
    ['DTSTART;TZID=Europe/Berlin:20260323T090000', 'DTEND;TZID=Europe/Berlin:20260323T100000', 'RRULE:FREQ=WEEKLY;COUNT=5', 'SUMMARY:Team meeting'],
    ['RECURRENCE-ID;TZID=Europe/Berlin:20260413T090000', 'DTSTART;TZID=Europe/Berlin:20260413T140000', 'DTEND;TZID=Europe/Berlin:20260413T150000', 'SUMMARY:Team meeting (afternoon)'],
  ]);
}

/** Items (not VTIMEZONEs) of the only block. */
function itemsOf(answer: GoldenAnswer): ItemView[] {
  const blocks = componentsOf(answer);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.filter((c) => c.name !== 'VTIMEZONE');
}

/** [RECURRENCE-ID, DTSTART, SUMMARY] of each instance, in the answer's own form. */
const instances = (items: ItemView[]) => items.map((c) => [c.value('RECURRENCE-ID'), c.value('DTSTART'), c.value('SUMMARY')]);

/**
 * An instance as `format` must show it: the RECURRENCE-ID and DTSTART, each [local Berlin, UTC]
 * worked out by hand (UTC+1 until 29 March 02:00, UTC+2 after).
 */
function expectInstance(item: ItemView, format: Format, rid: [string, string], start: [string, string], summary: string): void {
  expect(item.value('UID')).toBe('golden-daily');
  expect(timeOf(item, 'RECURRENCE-ID')).toEqual(zoned(format, rid[0], BERLIN, rid[1]));
  expect(timeOf(item, 'DTSTART')).toEqual(zoned(format, start[0], BERLIN, start[1]));
  expect(item.value('X-NSCP-DTSTART-TZID')).toBe(BERLIN);
  expect(item.value('SUMMARY')).toBe(summary);
  // compressed=0 (the default): an instance carries no series properties
  // (docs/wcap-protocol.md#recurring-and-compressed).
  expect(['RRULE', 'EXDATE'].map((name) => item.value(name))).toEqual([undefined, undefined]);
}

describe('golden: recurring items expanded and cut', () => {
  let g: GoldenGateway;
  let sid: string;
  /**
   * Every instance of `uid` as text/calendar gives it: recurring=0 without rid
   * (docs/wcap-protocol.md#recurring-and-compressed).
   */
  const allInstances = async (uid: string) =>
    itemsOf(await g.get('fetchevents_by_id', `id=${sid}&recurring=0&fmt-out=text%2Fcalendar&uid=${uid}&calid=alice`));
  // A fresh calendar for every test: the range goldens hold exactly these two items, whatever the
  // other tests (which add series of their own) ran before.
  beforeEach(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.putObject('alice', 'calendar', 'golden-daily', DAILY);
    const single = simpleEventParams({ start: '20260327T110000Z', end: '20260327T120000Z', summary: 'Lunch' });
    const stored = await g.get('storeevents', storeQuery(sid, single, { tzid: BERLIN, uid: 'golden-single', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' }));
    checkAnswer(stored, FORMATS[0], 0);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) recurring=0: one component per instance, RECURRENCE-ID across the DST change', async (f) => {
    const query = `appid=mozilla-calendar&id=${sid}&recurring=0&emailorcalid=1&fmt-out=${f.fmtOut}&dtstart=20260326T000000Z&dtend=20260401T000000Z&calid=alice`;
    const answer = await g.get('fetchcomponents_by_range', query);
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    // A non-recurring item is itself its only instance: no RECURRENCE-ID.
    const lunch = items.filter((c) => c.value('UID') === 'golden-single');
    expect(lunch.map((c) => [c.value('RECURRENCE-ID'), ...timeOf(c, 'DTSTART')])).toEqual([[undefined, ...zoned(f, '20260327T120000', BERLIN, '20260327T110000Z')]]);
    const daily = items.filter((c) => c.value('UID') === 'golden-daily');
    // No master record, 28 March excluded; Berlin changes to summer time on 29 March.
    expect(daily).toHaveLength(5);
    expectInstance(daily[0]!, f, ['20260326T090000', '20260326T080000Z'], ['20260326T090000', '20260326T080000Z'], 'Daily check-in');
    expectInstance(daily[1]!, f, ['20260327T090000', '20260327T080000Z'], ['20260327T090000', '20260327T080000Z'], 'Daily check-in');
    expectInstance(daily[2]!, f, ['20260329T090000', '20260329T070000Z'], ['20260329T090000', '20260329T070000Z'], 'Daily check-in');
    // The moved instance keeps the RECURRENCE-ID the rule gives it.
    expectInstance(daily[3]!, f, ['20260330T090000', '20260330T070000Z'], ['20260330T113000', '20260330T093000Z'], 'Daily check-in (late)');
    expectInstance(daily[4]!, f, ['20260331T090000', '20260331T070000Z'], ['20260331T090000', '20260331T070000Z'], 'Daily check-in');
    expect(timeOf(daily[3]!, 'DTEND')).toEqual(zoned(f, '20260330T120000', BERLIN, '20260330T100000Z'));
    await matchGolden(answer, `fetchcomponents_by_range.expanded.${f.ext}`);
  });

  it.each(FORMATS)('fetchevents_by_id.wcap ($ext) recurring=0 with rids: exactly those instances', async (f) => {
    // 29 March 09:00 CEST is 07:00Z; the rid of the moved 30 March instance is its rule time.
    const query = `appid=mozilla-calendar&id=${sid}&recurring=0&emailorcalid=1&fmt-out=${f.fmtOut}&uid=golden-daily;golden-daily&rid=20260329T070000Z;20260330T070000Z&calid=alice`;
    const answer = await g.get('fetchevents_by_id', query);
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items).toHaveLength(2);
    expectInstance(items[0]!, f, ['20260329T090000', '20260329T070000Z'], ['20260329T090000', '20260329T070000Z'], 'Daily check-in');
    expectInstance(items[1]!, f, ['20260330T090000', '20260330T070000Z'], ['20260330T113000', '20260330T093000Z'], 'Daily check-in (late)');
    // With rids the expanded form is the default for *_by_id
    // (docs/wcap-protocol.md#recurring-and-compressed).
    const implicit = await g.get('fetchevents_by_id', query.replace('&recurring=0', ''));
    expect(implicit.body).toBe(answer.body);
    // A rid the series does not have (28 March is excluded): nothing to return.
    const excluded = await g.get('fetchevents_by_id', `id=${sid}&recurring=0&fmt-out=${f.fmtOut}&uid=golden-daily&rid=20260328T080000Z&calid=alice`);
    checkAnswer(excluded, f, 59);
    await matchGolden(answer, `fetchevents_by_id.instances.${f.ext}`);
  });

  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) mod=2 with a rid: that instance and all later ones are gone', async (f) => {
    const uid = `golden-cut-future-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    // 6 April 09:00 CEST is 07:00Z.
    const answer = await g.get('deleteevents_by_id', `appid=mozilla-calendar&id=${sid}&uid=${uid}&mod=2&rid=20260406T070000Z&fmt-out=${f.fmtOut}&calid=alice`);
    checkAnswer(answer, f, 0);
    expect(componentsOf(answer)[0]).toEqual([]);
    // Left: 23 and 30 March; the moved 13 April instance went with the rest.
    expect(instances(await allInstances(uid))).toEqual([
      ['20260323T090000', '20260323T090000', 'Team meeting'],
      ['20260330T090000', '20260330T090000', 'Team meeting'],
    ]);
    await matchGolden(answer, `deleteevents_by_id.this-and-future.${f.ext}`);
  });

  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) mod=3 with a rid: that instance and all earlier ones are gone', async (f) => {
    const uid = `golden-cut-past-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    // 30 March 09:00 CEST is 07:00Z.
    const answer = await g.get('deleteevents_by_id', `appid=mozilla-calendar&id=${sid}&uid=${uid}&mod=3&rid=20260330T070000Z&fmt-out=${f.fmtOut}&calid=alice`);
    checkAnswer(answer, f, 0);
    expect(instances(await allInstances(uid))).toEqual([
      ['20260406T090000', '20260406T090000', 'Team meeting'],
      ['20260413T090000', '20260413T140000', 'Team meeting (afternoon)'],
      ['20260420T090000', '20260420T090000', 'Team meeting'],
    ]);
    await matchGolden(answer, `deleteevents_by_id.this-and-prior.${f.ext}`);
  });

  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) with three uids and two rids: errno 46, nothing deleted', async (f) => {
    const uid = `golden-mismatch-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    const answer = await g.get('deleteevents_by_id', `appid=mozilla-calendar&id=${sid}&uid=${uid};${uid};${uid}&mod=1;1;1&rid=20260323T080000Z;20260330T070000Z&fmt-out=${f.fmtOut}&calid=alice`);
    checkAnswer(answer, f, 46);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    expect(await allInstances(uid)).toHaveLength(5);
    await matchGolden(answer, `deleteevents_by_id.errno-46.${f.ext}`);
  });

  // The WCAP 7.0 guide's X-token table: X-NSCP-CALPROPS-RELATIVE-CALID is returned by all fetch,
  // create and delete commands (docs/wcap-protocol.md#which-answers-carry-calendar-properties);
  // store answers carry it, delete answers must as well.
  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) names the calendar: X-NSCP-CALPROPS-RELATIVE-CALID', async (f) => {
    const uid = `golden-delete-calid-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, weekly(uid));
    const answer = await g.get('deleteevents_by_id', `appid=mozilla-calendar&id=${sid}&uid=${uid}&mod=4&rid=0&fmt-out=${f.fmtOut}&calid=alice`);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice');
    await matchGolden(answer, `deleteevents_by_id.relative-calid.${f.ext}`);
  });
});

// The cap keeps an open rule from filling an answer: at most X-NSCP-RECURRENCE-BOUND instances per
// series (README "Compatibility"), the same bound login announces and Lightning applies
// (docs/lightning.md#client-side-expansion).
describe('golden: expansion capped by the recurrence bound', () => {
  let g: GoldenGateway;
  let sid: string;
  beforeAll(async () => {
    g = buildGoldenGateway({ WCAP_RECURRENCE_BOUND: '3' });
    sid = await g.login('alice');
    await g.putObject('alice', 'calendar', 'golden-forever', foreignObject('golden-forever', 'America/New_York', [
      ['DTSTART;TZID=America/New_York:20260306T080000', 'DTEND;TZID=America/New_York:20260306T083000', 'RRULE:FREQ=DAILY', 'SUMMARY:Forever'],
    ]));
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) recurring=0 of an open rule over an open range: the first 3 instances', async (f) => {
    const login = await g.get('login', `fmt-out=text%2Fcalendar&user=alice&password=${enc(PASSWORDS.alice)}`);
    expect(tokenOf(login, 'X-NSCP-RECURRENCE-BOUND')).toBe('3');
    const answer = await g.get('fetchcomponents_by_range', `id=${sid}&recurring=0&fmt-out=${f.fmtOut}&dtstart=0&dtend=0&calid=alice`);
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    // New York changes to EDT on 8 March: 08:00 is 13:00Z before, 12:00Z from then on.
    const ny = 'America/New_York';
    expect(items.map((c) => timeOf(c, 'RECURRENCE-ID'))).toEqual([
      zoned(f, '20260306T080000', ny, '20260306T130000Z'),
      zoned(f, '20260307T080000', ny, '20260307T130000Z'),
      zoned(f, '20260308T080000', ny, '20260308T120000Z'),
    ]);
    expect(items.map((c) => timeOf(c, 'DTEND'))).toEqual([
      zoned(f, '20260306T083000', ny, '20260306T133000Z'),
      zoned(f, '20260307T083000', ny, '20260307T133000Z'),
      zoned(f, '20260308T083000', ny, '20260308T123000Z'),
    ]);
    await matchGolden(answer, `fetchcomponents_by_range.expanded-capped.${f.ext}`);
  });
});
