import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshCalendarPerTest } from '../support/fresh-calendar.js';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * A store that changes a series' rules drops the exceptions the new rules no longer produce
 * (docs/wcap-protocol.md#rule-changes-and-exceptions), on the CalDAV server too (read back
 * directly from Radicale), and fetch_deletedcomponents reports the instances that went.
 * The series: weekly on Monday 09:00 Berlin (08:00Z) from 4 January 2027; instance 7 is 15 February.
 */
const USER = 'erin';
const TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';
const BERLIN = enc('Europe/Berlin');
const rule = (text: string) => `${enc('"')}${enc(text)}${enc('"')}`;

describe('rule changes and exceptions', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());
  const fresh = freshCalendarPerTest(() => h, USER, 'rules');

  const store = (params: string) => h.wcap('storeevents', `appid=mozilla-calendar&id=${id}${params}&${TAIL}&calid=${fresh.calid}`);
  const stored = async (uid: string) => new ICAL.Component(ICAL.parse(await (await h.radicale(USER, `${fresh.path}${uid}.ics`)).text()) as unknown[]);
  const overrides = (vcal: ICAL.Component) =>
    vcal
      .getAllSubcomponents('vevent')
      .filter((e) => e.hasProperty('recurrence-id'))
      .map((e) => (e.getFirstPropertyValue('recurrence-id') as ICAL.Time).convertToZone(ICAL.Timezone.utcTimezone).toICALString())
      .sort();
  async function seriesWithOverrides(): Promise<string> {
    const uid = randomUUID();
    const created = await store(`&dtstart=20270104T080000Z&dtend=20270104T090000Z&summary=Weekly&rrules=${rule('FREQ=WEEKLY;COUNT=10')}&tzid=${BERLIN}&uid=${uid}&storetype=1&mod=4`);
    expect(created.errno).toBe(0);
    for (const rid of ['20270111T080000Z', '20270215T080000Z']) {
      expect((await store(`&summary=Special&uid=${uid}&mod=1&rid=${rid}&storetype=2`)).errno).toBe(0);
    }
    expect(overrides(await stored(uid))).toEqual(['20270111T080000Z', '20270215T080000Z']);
    return uid;
  }

  it('COUNT=10 → COUNT=5 with mod=4 removes the override of instance 7 from the CalDAV object, and the delete log reports it', async () => {
    const uid = await seriesWithOverrides();
    const changed = await store(`&uid=${uid}&mod=4&rid=20270104T080000Z&rrules=${rule('FREQ=WEEKLY;COUNT=5')}&storetype=2`);
    expect(changed.errno).toBe(0);
    // The answer (fetch=1) and the server agree: only the override of 11 January is left.
    expect(changed.ical!.getAllSubcomponents('vevent').filter((e) => e.hasProperty('recurrence-id'))).toHaveLength(1);
    const vcal = await stored(uid);
    expect(overrides(vcal)).toEqual(['20270111T080000Z']);
    expect(String(vcal.getAllSubcomponents('vevent').find((e) => !e.hasProperty('recurrence-id'))!.getFirstPropertyValue('rrule'))).toContain('COUNT=5');
    const gone = await h.wcap('fetch_deletedcomponents', `id=${id}&calid=${fresh.calid}&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    const rids = gone.ical!.getAllSubcomponents('vevent').map((c) => `${c.getFirstPropertyValue('uid')}@${(c.getFirstPropertyValue('recurrence-id') as ICAL.Time).toICALString()}`);
    expect(rids).toEqual([`${uid}@20270215T080000Z`]);
  });

  it('a plain store of the master (no rid, no mod) that shortens the rule does the same', async () => {
    const uid = await seriesWithOverrides();
    expect((await store(`&uid=${uid}&rrules=${rule('FREQ=WEEKLY;UNTIL=20270201T000000Z')}`)).errno).toBe(0);
    expect(overrides(await stored(uid))).toEqual(['20270111T080000Z']);
  });

  it('EXDATEs sent for overridden instances remove those overrides; an EXDATE outside the new rule goes too', async () => {
    const uid = await seriesWithOverrides();
    expect((await store(`&uid=${uid}&exdates=20270111T080000Z;20270301T080000Z&tzid=${BERLIN}`)).errno).toBe(0);
    expect(overrides(await stored(uid))).toEqual(['20270215T080000Z']);
    expect((await store(`&uid=${uid}&rrules=${rule('FREQ=WEEKLY;COUNT=4')}&mod=4`)).errno).toBe(0);
    const vcal = await stored(uid);
    expect(overrides(vcal)).toEqual([]);
    const master = vcal.getAllSubcomponents('vevent').find((e) => !e.hasProperty('recurrence-id'))!;
    const exdates = master.getAllProperties('exdate').flatMap((p) => p.getValues() as ICAL.Time[]).map((t) => t.convertToZone(ICAL.Timezone.utcTimezone).toICALString());
    // 11 January (instance 2) is still excluded; 1 March lies outside COUNT=4 and is dropped.
    expect(exdates).toEqual(['20270111T080000Z']);
  });

  it('a store that does not touch the rules leaves every exception alone', async () => {
    const uid = await seriesWithOverrides();
    expect((await store(`&uid=${uid}&summary=Renamed&mod=4&rid=20270104T080000Z`)).errno).toBe(0);
    expect(overrides(await stored(uid))).toEqual(['20270111T080000Z', '20270215T080000Z']);
  });
});
