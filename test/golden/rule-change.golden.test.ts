import { beforeAll, describe, expect, it } from 'vitest';
import { FORMATS, buildGoldenGateway, matchGolden, checkAnswer, componentsOf, enc, type GoldenGateway } from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';
import { storeQuery } from './lightning-requests.js';

/**
 * Golden answer of a store that shortens a series (docs/wcap-protocol.md#rule-changes-and-exceptions):
 * Mondays 09:00Z from 2 March 2026, COUNT=10, with exceptions on 9 March (instance 2) and 13 April
 * (instance 7); the store sets COUNT=5 with mod=4 and fetch=1. The answer is the whole series as
 * stored afterwards: instance 7's exception is gone, instance 2's kept.
 */
function series(uid: string): string[] {
  return foreignObject(uid, undefined, [
    ['DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=10', 'SUMMARY:Series'],
    ['RECURRENCE-ID:20260309T090000Z', 'DTSTART:20260309T110000Z', 'DTEND:20260309T120000Z', 'SUMMARY:Second, later'],
    ['RECURRENCE-ID:20260413T090000Z', 'DTSTART:20260413T110000Z', 'DTEND:20260413T120000Z', 'SUMMARY:Seventh, later'],
  ]);
}

describe('golden: a rule change drops the exceptions outside the new rule', () => {
  let g: GoldenGateway;
  let sid: string;
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    for (const f of FORMATS) await g.putObject('alice', 'calendar', `golden-shortened-${f.ext}`, series(`golden-shortened-${f.ext}`));
  });

  it.each(FORMATS)('storeevents.wcap ($ext): COUNT=10 → COUNT=5 with mod=4', async (f) => {
    const uid = `golden-shortened-${f.ext}`;
    const rules = `&rrules=${enc('"FREQ=WEEKLY;COUNT=5"')}`;
    const answer = await g.get('storeevents', storeQuery(sid, rules, { uid, storetype: 2, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const items = componentsOf(answer)[0]!.filter((c) => c.name !== 'VTIMEZONE');
    expect(items.map((c) => [c.value('RECURRENCE-ID'), c.value('SUMMARY')])).toEqual([
      [undefined, 'Series'],
      ['20260309T090000Z', 'Second, later'],
    ]);
    expect(items[0]!.value('RRULE')).toMatch(/COUNT=5/);
    await matchGolden(answer, `storeevents.rule-change.${f.ext}`);
    const log = await g.get('fetch_deletedcomponents', `id=${sid}&calid=alice&dtstart=0&dtend=0&fmt-out=${f.fmtOut}`);
    const gone = componentsOf(log)[0]!.filter((c) => c.value('UID') === uid);
    expect(gone.map((c) => [c.value('RECURRENCE-ID'), c.value('DTSTART')])).toEqual([['20260413T090000Z', '20260413T110000Z']]);
  });
});
