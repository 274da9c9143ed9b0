import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  errnoOf,
  timeOf,
  tokenOf,
  zoned,
  type GoldenAnswer,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';
import { deleteQuery, simpleEventParams, storeQuery } from './lightning-requests.js';

/**
 * Golden answers of the change-log commands (docs/lightning.md#offline-sync;
 * docs/wcap-protocol.md#fetchcomponents_by_lastmod, docs/wcap-protocol.md#fetch_deletedcomponents,
 * docs/wcap-protocol.md#verifyevents_by_ids-and-verifytodos_by_ids): windows before, up to and
 * after the fixed clock (2 March 10:00Z), a whole item and two instances deleted, and the verify
 * answers for found, missing and deleted items.
 */

const BERLIN = 'Europe/Berlin';
const NOW = '20260302T100000Z';

/** An item another client last changed at `lastModified`. */
function changedAt(uid: string, lastModified: string, day: string): string[] {
  return foreignObject(uid, BERLIN, [
    ['CREATED:20260101T080000Z', `LAST-MODIFIED:${lastModified}`, `DTSTART;TZID=Europe/Berlin:202603${day}T100000`, `DTEND;TZID=Europe/Berlin:202603${day}T110000`, `SUMMARY:${uid}`],
  ]);
}

/** Daily stand-up 16–20 March 09:00 in Berlin; 18 March moved to 10:00. */
const STANDUP = foreignObject('golden-standup', BERLIN, [
  ['CREATED:20260101T080000Z', 'LAST-MODIFIED:20260101T080000Z', 'DTSTART;TZID=Europe/Berlin:20260316T090000', 'DTEND;TZID=Europe/Berlin:20260316T091500', 'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:Stand-up'],
  ['LAST-MODIFIED:20260101T080000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20260318T090000', 'DTSTART;TZID=Europe/Berlin:20260318T100000', 'DTEND;TZID=Europe/Berlin:20260318T101500', 'SUMMARY:Stand-up (late)'],
]);

function itemsOf(answer: GoldenAnswer): ItemView[] {
  const blocks = componentsOf(answer);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.filter((c) => c.name !== 'VTIMEZONE');
}

describe('golden: change log', () => {
  let g: GoldenGateway;
  let sid: string;
  /** Lightning's sync request (docs/lightning.md#offline-sync) for the window [from, to]. */
  const syncQuery = (fmtOut: string, from: string, to: string) =>
    `appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=${fmtOut}&dtstart=${from}&dtend=${to}&calid=alice`;
  const uidsOf = (answer: GoldenAnswer) => itemsOf(answer).map((c) => c.value('UID'));
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    const fresh = simpleEventParams({ start: '20260310T090000Z', end: '20260310T100000Z', summary: 'Fresh' });
    expect(errnoOf(await g.get('storeevents', storeQuery(sid, fresh, { tzid: BERLIN, uid: 'golden-fresh', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })))).toBe(0);
    await g.putObject('alice', 'calendar', 'golden-january', changedAt('golden-january', '20260115T080000Z', '11'));
    await g.putObject('alice', 'calendar', 'golden-february', changedAt('golden-february', '20260215T080000Z', '11'));
    await g.putObject('alice', 'calendar', 'golden-doomed', changedAt('golden-doomed', '20260101T080000Z', '12'));
    await g.putObject('alice', 'calendar', 'golden-standup', STANDUP);
    await g.putObject('alice', 'calendar', 'golden-report', foreignObject('golden-report', undefined, [['CREATED:20251215T080000Z', 'LAST-MODIFIED:20251215T080000Z', 'DUE;VALUE=DATE:20260320', 'SUMMARY:Report']], 'VTODO'));
    // The first sync: nothing deleted yet.
    const first = await g.get('fetch_deletedcomponents', syncQuery('text%2Fcalendar', '0', NOW));
    expect([errnoOf(first), itemsOf(first)]).toEqual([0, []]);
    // Deleted at the fixed clock: a whole item, and two stand-ups (18 March had been moved) the way
    // Lightning deletes occurrences (docs/lightning.md#deleting-occurrences): 09:00 CET is 08:00Z.
    expect(errnoOf(await g.get('deleteevents_by_id', deleteQuery(sid, 'golden-doomed', 'text%2Fxml')))).toBe(0);
    expect(errnoOf(await g.get('deleteevents_by_id', deleteQuery(sid, 'golden-standup', 'text%2Fxml', ['20260318T080000Z', '20260319T080000Z'])))).toBe(0);
  });

  it.each(FORMATS)('fetchcomponents_by_lastmod.wcap ($ext) up to now: new and changed items, CREATED telling them apart', async (f) => {
    const answer = await g.get('fetchcomponents_by_lastmod', syncQuery(f.fmtOut, '20260302T000000Z', NOW));
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice');
    const items = itemsOf(answer);
    expect(items.map((c) => c.value('UID')).sort()).toEqual(['golden-fresh', 'golden-standup']);
    const fresh = items.find((c) => c.value('UID') === 'golden-fresh')!;
    expect([fresh.value('CREATED'), fresh.value('LAST-MODIFIED')]).toEqual([NOW, NOW]);
    // Changed by the instance deletion: the whole series comes, EXDATEs in its zone, the moved
    // instance's exception gone with it.
    const standup = items.filter((c) => c.value('UID') === 'golden-standup');
    expect(standup.map((c) => c.value('RECURRENCE-ID'))).toEqual([undefined]);
    expect([standup[0]!.value('CREATED'), standup[0]!.value('LAST-MODIFIED')]).toEqual(['20260101T080000Z', NOW]);
    expect([0, 1].map((i) => timeOf(standup[0]!, 'EXDATE', i))).toEqual([
      zoned(f, '20260318T090000', BERLIN, '20260318T080000Z'),
      zoned(f, '20260319T090000', BERLIN, '20260319T080000Z'),
    ]);
    await matchGolden(answer, `fetchcomponents_by_lastmod.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_lastmod.wcap ($ext) in the past, the future and from the beginning', async (f) => {
    const answer = await g.get('fetchcomponents_by_lastmod', syncQuery(f.fmtOut, '20260201T000000Z', '20260301T000000Z'));
    checkAnswer(answer, f, 0);
    expect(uidsOf(answer)).toEqual(['golden-february']);
    expect([itemsOf(answer)[0]!.value('LAST-MODIFIED'), itemsOf(answer)[0]!.value('CREATED')]).toEqual(['20260215T080000Z', '20260101T080000Z']);
    // After the clock: nothing changed yet.
    const future = await g.get('fetchcomponents_by_lastmod', syncQuery(f.fmtOut, '20260302T100001Z', '0'));
    checkAnswer(future, f, 0);
    expect(itemsOf(future)).toEqual([]);
    // A first sync (dtstart=0): every item there is, tasks too, oldest change first (the last two
    // both changed at the clock).
    const all = uidsOf(await g.get('fetchcomponents_by_lastmod', syncQuery(f.fmtOut, '0', NOW)));
    expect([...all.slice(0, 3), ...all.slice(3).sort()]).toEqual(['golden-report', 'golden-january', 'golden-february', 'golden-fresh', 'golden-standup']);
    await matchGolden(answer, `fetchcomponents_by_lastmod.past.${f.ext}`);
  });

  it.each(FORMATS)('fetch_deletedcomponents.wcap ($ext): the whole item (UID, DTSTART) and each instance (+ RECURRENCE-ID)', async (f) => {
    const answer = await g.get('fetch_deletedcomponents', syncQuery(f.fmtOut, '20260302T000000Z', NOW));
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    // Deletion stubs carry UTC times (Lightning re-zones RECURRENCE-ID into DTSTART's zone,
    // docs/lightning.md#parsing-returned-components).
    expect(items.map((c) => [c.name, c.value('UID'), c.value('RECURRENCE-ID'), c.value('DTSTART')])).toEqual([
      // 12 March 10:00 CET.
      ['VEVENT', 'golden-doomed', undefined, '20260312T090000Z'],
      // The moved instance: its RECURRENCE-ID and where it had been moved to (10:00 CET).
      ['VEVENT', 'golden-standup', '20260318T080000Z', '20260318T090000Z'],
      ['VEVENT', 'golden-standup', '20260319T080000Z', '20260319T080000Z'],
    ]);
    // Deleted at the clock: a window that ended before holds nothing.
    const before = await g.get('fetch_deletedcomponents', syncQuery(f.fmtOut, '20260201T000000Z', '20260301T000000Z'));
    checkAnswer(before, f, 0);
    expect(itemsOf(before)).toEqual([]);
    await matchGolden(answer, `fetch_deletedcomponents.${f.ext}`);
  });

  // Found → the data; not found → the uid (and rid) echoed
  // (docs/wcap-protocol.md#verifyevents_by_ids-and-verifytodos_by_ids).
  it.each(FORMATS)('verifyevents_by_ids.wcap ($ext): found items, stubs for missing and deleted ones', async (f) => {
    const uids = ['golden-fresh', 'golden-never', 'golden-standup', 'golden-standup', 'golden-doomed'];
    const rids = ['0', '0', '20260317T080000Z', '20260318T080000Z', '0'];
    const answer = await g.get('verifyevents_by_ids', `id=${sid}&emailorcalid=1&fmt-out=${f.fmtOut}&uid=${uids.join(';')}&rid=${rids.join(';')}&calid=alice`);
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items.map((c) => [c.value('UID'), c.value('RECURRENCE-ID'), c.value('SUMMARY')])).toEqual([
      ['golden-fresh', undefined, 'Fresh'],
      ['golden-never', undefined, undefined],
      // 17 March is an instance of the series: the series answers for it.
      ['golden-standup', undefined, 'Stand-up'],
      // 18 March was deleted: a stub echoing the rid as sent.
      ['golden-standup', '20260318T080000Z', undefined],
      ['golden-doomed', undefined, undefined],
    ]);
    expect(timeOf(items[0]!, 'DTSTART')).toEqual(zoned(f, '20260310T100000', BERLIN, '20260310T090000Z'));
    expect([items[1]!.value('DTSTART'), items[4]!.value('DTSTART')]).toEqual([undefined, undefined]);
    await matchGolden(answer, `verifyevents_by_ids.${f.ext}`);
  });

  it.each(FORMATS)('verifytodos_by_ids.wcap ($ext): a task found, stubs for a missing uid and for an event', async (f) => {
    const answer = await g.get('verifytodos_by_ids', `id=${sid}&fmt-out=${f.fmtOut}&uid=golden-report;golden-never;golden-fresh&rid=0;0;0&calid=alice`);
    checkAnswer(answer, f, 0);
    const todos = componentsOf(answer)[0]!.filter((c) => c.name === 'VTODO');
    // A task is found with its data; a uid that is no task (missing, or an event) comes back as a stub.
    expect(todos.map((c) => [c.value('UID'), c.value('SUMMARY')])).toEqual([
      ['golden-report', 'Report'],
      ['golden-never', undefined],
      ['golden-fresh', undefined],
    ]);
    expect(componentsOf(answer)[0]!.filter((c) => c.name === 'VEVENT')).toEqual([]);
    await matchGolden(answer, `verifytodos_by_ids.${f.ext}`);
  });

  it.each(FORMATS)('verifyevents_by_ids.wcap ($ext) with two uids and one rid: errno 46', async (f) => {
    const answer = await g.get('verifyevents_by_ids', `id=${sid}&fmt-out=${f.fmtOut}&uid=golden-fresh;golden-standup&rid=0&calid=alice`);
    checkAnswer(answer, f, 46);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    expect(componentsOf(answer)[0]).toEqual([]);
    await matchGolden(answer, `verifyevents_by_ids.errno-46.${f.ext}`);
  });
});
