import { describe, expect, it } from 'vitest';
import type { DirectObject } from '../../proof/radicale-objects.js';
import { expandDaily, Ledger } from '../../proof/soak-ledger.js';

/** The soak's verdict comes from Ledger.compare: it must see every kind of loss and duplication. */

const series = (uid: string, rrule: string, extra: Partial<DirectObject['components'][number]> = {}, overrides: string[] = []): DirectObject => ({
  href: `/u/calendar/${uid}.ics`,
  collection: '/u/calendar/',
  uid,
  components: [
    { type: 'VEVENT', dtstart: '20270101T100000Z', rrule, exdates: [], ...extra },
    ...overrides.map((rid) => ({ type: 'VEVENT', rid, exdates: [] })),
  ],
});
const single = (uid: string): DirectObject => ({ href: `/u/calendar/${uid}.ics`, collection: '/u/calendar/', uid, components: [{ type: 'VEVENT', dtstart: '20270101T090000Z', exdates: [] }] });

function ledgerWithSeries(): Ledger {
  const ledger = new Ledger();
  ledger.singles.add('a');
  ledger.series.set('s', { uid: 's', instances: ['20270101T100000Z', '20270102T100000Z', '20270103T100000Z'], overrides: new Set(['20270102T100000Z']), exdates: new Set(['20270103T100000Z']) });
  return ledger;
}

describe('expandDaily', () => {
  it('lists the instances of COUNT and UNTIL rules, and refuses any other rule', () => {
    expect(expandDaily('20270101T100000Z', 'FREQ=DAILY;COUNT=3')).toEqual(['20270101T100000Z', '20270102T100000Z', '20270103T100000Z']);
    expect(expandDaily('20270101T100000Z', 'FREQ=DAILY;UNTIL=20270102T095959Z')).toEqual(['20270101T100000Z']);
    expect(expandDaily('20270101T100000Z', 'FREQ=DAILY;UNTIL=20270102')).toEqual(['20270101T100000Z', '20270102T100000Z']);
    expect(expandDaily('20270101T100000Z', 'FREQ=WEEKLY;COUNT=3')).toBeUndefined();
    expect(expandDaily('20270101T100000Z', 'FREQ=DAILY')).toBeUndefined();
  });
});

describe('Ledger.compare', () => {
  const exact = () => [single('a'), series('s', 'FREQ=DAILY;COUNT=3', { exdates: ['20270103T100000Z'] }, ['20270102T100000Z'])];

  it('finds nothing when Radicale holds exactly the acknowledged state', () => {
    expect(ledgerWithSeries().compare(exact())).toEqual({ lost: [], unexpected: [], duplicated: [], seriesMismatch: [] });
  });

  it('reports a lost item, an item that should be gone and a UID stored twice', () => {
    const diff = ledgerWithSeries().compare([...exact().slice(1), single('deleted'), single('deleted')]);
    expect(diff.lost).toEqual(['a']);
    expect(diff.unexpected).toEqual(['deleted']);
    expect(diff.duplicated).toEqual(['deleted']);
  });

  it('reports a series whose instances, EXDATEs or overrides differ', () => {
    const untruncated = ledgerWithSeries().compare([single('a'), series('s', 'FREQ=DAILY;COUNT=4', { exdates: ['20270103T100000Z'] }, ['20270102T100000Z'])]);
    expect(untruncated.seriesMismatch).toEqual([expect.stringContaining('instances')]);
    const noExdate = ledgerWithSeries().compare([single('a'), series('s', 'FREQ=DAILY;COUNT=3', {}, ['20270102T100000Z'])]);
    expect(noExdate.seriesMismatch).toEqual([expect.stringContaining('EXDATEs')]);
    const lostOverride = ledgerWithSeries().compare([single('a'), series('s', 'FREQ=DAILY;COUNT=3', { exdates: ['20270103T100000Z'] })]);
    expect(lostOverride.seriesMismatch).toEqual([expect.stringContaining('overrides')]);
  });
});
