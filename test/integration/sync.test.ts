import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/model/errors.js';
import type { TombstoneStore } from '../../src/state/tombstone-store.js';
import { enc, startHarness, type Harness, type WcapAnswer } from '../support/gateway-harness.js';

/**
 * Lightning's offline sync (docs/lightning.md#offline-sync) over HTTP against real Radicale and
 * Redis: fetchcomponents_by_lastmod and fetch_deletedcomponents sent in parallel for a window,
 * deletions made through the gateway and directly on Radicale, and verify*_by_ids.
 *
 * The gateway's clock is moved a minute forward between phases, so every phase has a window of its
 * own: items stamped in an earlier phase fall before the next window's start.
 */
const USER = 'dave';
const SYNC = 'appid=mozilla-calendar&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';
const STORE_TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';

/** `YYYYMMDDTHHMMSSZ`, as Lightning sends sync bounds (whole seconds). */
const stamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
const utcText = (time: unknown) => (time as ICAL.Time).convertToZone(ICAL.Timezone.utcTimezone).toICALString();

/** The items of an answer as `uid` or `uid@rid`, sorted. */
function keysOf(answer: WcapAnswer): string[] {
  const components = [...answer.ical!.getAllSubcomponents('vevent'), ...answer.ical!.getAllSubcomponents('vtodo')];
  return components
    .map((c) => {
      const rid = c.getFirstPropertyValue('recurrence-id');
      return rid ? `${c.getFirstPropertyValue('uid')}@${utcText(rid)}` : String(c.getFirstPropertyValue('uid'));
    })
    .sort();
}

describe('offline sync: lastmod and deleted components', () => {
  let h: Harness;
  let id: string;
  let calid: string;
  let calendarPath: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());
  // Every test syncs a calendar of its own, so a first sync (dtstart=0) sees only its items and its
  // deletions, whatever ran before it (Radicale and Redis are shared by all tests).
  beforeEach(async () => {
    const name = `sync${randomUUID().slice(0, 8)}`;
    calid = `${USER}:${name}`;
    calendarPath = `/${USER}/${name}/`;
    const res = await h.radicale(USER, calendarPath, { method: 'MKCALENDAR' });
    expect(res.status).toBe(201);
  });
  afterEach(async () => {
    await h.radicale(USER, calendarPath, { method: 'DELETE' });
  });

  /**
   * Lightning's complete store of a new event (all fields,
   * docs/lightning.md#store-request-layout).
   */
  const eventParams = (uid: string, start: string, end: string, summary: string, extra = '') =>
    `&dtstart=${start}&dtend=${end}&isAllDay=0&summary=${enc(summary)}&desc=&location=&priority=null&icsClass=PUBLIC` +
    `&status=0&transparent=0&attendees=&alarmStart=&alarmPopup=&alarmEmails=&categories=${extra}&uid=${uid}&mod=4&method=1`;
  const storeEvent = (params: string) => h.wcap('storeevents', `appid=mozilla-calendar&id=${id}${params}&${STORE_TAIL}&calid=${calid}`);
  const create = async (uid: string, start: string, end: string, summary: string, extra = '') => {
    const answer = await storeEvent(`${eventParams(uid, start, end, summary, extra)}&storetype=1`);
    expect(answer.errno).toBe(0);
  };
  const lastmod = (from: string, to: string) => h.wcap('fetchcomponents_by_lastmod', `${SYNC}&id=${id}&dtstart=${from}&dtend=${to}&calid=${calid}`);
  const deleted = (from: string, to: string) => h.wcap('fetch_deletedcomponents', `${SYNC}&id=${id}&dtstart=${from}&dtend=${to}&calid=${calid}`);
  /** Both requests in parallel, as Lightning sends them: a little after the changes, up to "now". */
  async function sync(from: string): Promise<{ modified: WcapAnswer; removed: WcapAnswer; to: string }> {
    h.clock.advance(2);
    const to = stamp(h.clock.now());
    const [modified, removed] = await Promise.all([lastmod(from, to), deleted(from, to)]);
    expect(modified.errno).toBe(0);
    expect(removed.errno).toBe(0);
    return { modified, removed, to };
  }
  /** Starts a new phase: a minute later, returns its window start. */
  const nextPhase = () => {
    h.clock.advance(60);
    return stamp(h.clock.now());
  };
  /** Writes an object straight to Radicale, as another CalDAV client would (its own href). */
  async function putDirectly(name: string, lines: string[]): Promise<void> {
    const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', 'BEGIN:VEVENT', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const res = await h.radicale(USER, `${calendarPath}${name}`, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } });
    expect(res.status).toBe(201);
  }
  const deleteDirectly = async (name: string) => expect((await h.radicale(USER, `${calendarPath}${name}`, { method: 'DELETE' })).status).toBe(200);

  const single = randomUUID();
  const series = randomUUID();
  const task = randomUUID();

  it('first sync (dtstart=0) returns every item, series with their exceptions, with CREATED; nothing deleted', async () => {
    const before = stamp(h.clock.now());
    await create(single, '20270301T090000Z', '20270301T100000Z', 'Single');
    await create(series, '20270301T070000Z', '20270301T080000Z', 'Weekly', `&rrules="${enc('FREQ=WEEKLY;COUNT=6')}"`);
    const moved = await storeEvent(`&dtstart=20270308T100000Z&dtend=20270308T110000Z&summary=Weekly%20(moved)&uid=${series}&mod=1&rid=20270308T070000Z&method=1`);
    expect(moved.errno).toBe(0);
    const todo = await h.wcap('storetodos', `appid=mozilla-calendar&id=${id}&dtstart=0&due=20270305T170000Z&summary=Report&uid=${task}&storetype=1&mod=4&${STORE_TAIL}&calid=${calid}`);
    expect(todo.errno).toBe(0);

    const { modified, removed } = await sync('0');
    expect(keysOf(modified)).toEqual([single, series, `${series}@20270308T070000Z`, task].sort());
    const masters = [...modified.ical!.getAllSubcomponents('vevent'), ...modified.ical!.getAllSubcomponents('vtodo')].filter((c) => !c.hasProperty('recurrence-id'));
    for (const master of masters) {
      const created = utcText(master.getFirstPropertyValue('created'));
      expect(created >= before && created <= stamp(h.clock.now())).toBe(true);
      expect(master.hasProperty('last-modified')).toBe(true);
    }
    expect(modified.ical!.getAllSubcomponents('vevent').find((c) => c.hasProperty('rrule'))?.getFirstPropertyValue('uid')).toBe(series);
    expect(keysOf(removed)).toEqual([]);
  });

  it('a later window returns exactly the items changed in it; CREATED tells new from modified', async () => {
    const changedLater = randomUUID();
    const untouched = randomUUID();
    await create(changedLater, '20270310T090000Z', '20270310T100000Z', 'Before');
    await create(untouched, '20270311T090000Z', '20270311T100000Z', 'Untouched');
    const from = nextPhase();
    const edit = await storeEvent(`&summary=After&uid=${changedLater}&storetype=2&mod=4&method=1`);
    expect(edit.errno).toBe(0);
    const fresh = randomUUID();
    await create(fresh, '20270312T090000Z', '20270312T100000Z', 'Fresh');

    const { modified } = await sync(from);
    expect(keysOf(modified)).toEqual([changedLater, fresh].sort());
    const byUid = new Map(modified.ical!.getAllSubcomponents('vevent').map((c) => [c.getFirstPropertyValue('uid'), c]));
    // Lightning: CREATED before dtFrom → modified item, else new
    // (docs/lightning.md#offline-sync).
    expect(utcText(byUid.get(changedLater)!.getFirstPropertyValue('created')) < from).toBe(true);
    expect(utcText(byUid.get(fresh)!.getFirstPropertyValue('created')) >= from).toBe(true);
    expect(byUid.get(changedLater)!.getFirstPropertyValue('summary')).toBe('After');

    // Nothing changed since: the calendar cache answers after one validation (a Depth 0 PROPFIND).
    // Snapshot builds of earlier reads must not show up among this request's CalDAV requests.
    await h.settled();
    const before = h.caldavRequests.length;
    const again = await lastmod(from, stamp(h.clock.now()));
    expect(again.errno).toBe(0);
    expect(keysOf(again)).toEqual([changedLater, fresh].sort());
    expect(h.caldavRequests.slice(before)).toEqual([{ method: 'PROPFIND', url: expect.stringMatching(new RegExp(`${calendarPath}$`)), depth: '0' }]);
  });

  it('the store echo of an unchanged item (Lightning sync bug) does not bump LAST-MODIFIED', async () => {
    const uid = randomUUID();
    const params = eventParams(uid, '20270315T090000Z', '20270315T100000Z', 'Echoed');
    await storeEvent(`${params}&storetype=1`);
    const stored = (await lastmod('0', stamp(h.clock.now()))).ical!.getAllSubcomponents('vevent').find((c) => c.getFirstPropertyValue('uid') === uid)!;
    const from = nextPhase();
    // docs/lightning.md#offline-sync: modifyItem(item, null) re-sends the whole item without
    // storetype.
    const echo = await storeEvent(params);
    expect(echo.errno).toBe(0);
    const { modified } = await sync(from);
    expect(keysOf(modified)).not.toContain(uid);
    const again = (await lastmod('0', stamp(h.clock.now()))).ical!.getAllSubcomponents('vevent').find((c) => c.getFirstPropertyValue('uid') === uid)!;
    expect(utcText(again.getFirstPropertyValue('last-modified'))).toBe(utcText(stored.getFirstPropertyValue('last-modified')));
  });

  it('deletions through the gateway (item, one instance, task) are reported once with UID, RECURRENCE-ID and DTSTART', async () => {
    const item = randomUUID();
    const weekly = randomUUID();
    const chore = randomUUID();
    await create(item, '20270401T090000Z', '20270401T100000Z', 'Gone soon');
    await create(weekly, '20270401T070000Z', '20270401T080000Z', 'Weekly', `&rrules="${enc('FREQ=WEEKLY;COUNT=4')}"&tzid=${enc('Europe/Berlin')}`);
    await h.wcap('storetodos', `appid=mozilla-calendar&id=${id}&dtstart=0&due=20270405T170000Z&summary=Chore&uid=${chore}&storetype=1&mod=4&${STORE_TAIL}&calid=${calid}`);
    // A sync in between: deletion detection now knows the three objects.
    await sync(stamp(h.clock.now()));
    const from = nextPhase();
    const byId = (cmd: string, q: string) => h.wcap(cmd, `appid=mozilla-calendar&id=${id}${q}&fmt-out=text%2Fxml&calid=${calid}`);
    expect((await byId('deleteevents_by_id', `&uid=${item}&mod=4&rid=0`)).errno).toBe(0);
    expect((await byId('deleteevents_by_id', `&uid=${weekly}&mod=1&rid=20270415T070000Z`)).errno).toBe(0);
    expect((await byId('deletetodos_by_id', `&uid=${chore}&mod=4&rid=0`)).errno).toBe(0);

    const { modified, removed, to } = await sync(from);
    expect(keysOf(removed)).toEqual([item, `${weekly}@20270415T070000Z`, chore].sort());
    const stubs = new Map([...removed.ical!.getAllSubcomponents('vevent'), ...removed.ical!.getAllSubcomponents('vtodo')].map((c) => [c.getFirstPropertyValue('uid'), c]));
    expect(utcText(stubs.get(item)!.getFirstPropertyValue('dtstart'))).toBe('20270401T090000Z');
    expect(utcText(stubs.get(weekly)!.getFirstPropertyValue('dtstart'))).toBe('20270415T070000Z');
    expect(stubs.get(chore)!.name).toBe('vtodo');
    // The master with its new EXDATE is in the same window; Lightning then skips the stub
    // (docs/lightning.md#offline-sync).
    const master = modified.ical!.getAllSubcomponents('vevent').find((c) => c.getFirstPropertyValue('uid') === weekly)!;
    expect(master.getAllProperties('exdate').flatMap((p) => (p.getValues() as ICAL.Time[]).map(utcText))).toEqual(['20270415T070000Z']);

    // That sync's deletion detection saw the two objects gone; the next window (Lightning's next
    // dtstart is this dtend) must not report them again.
    h.clock.advance(60);
    expect(keysOf((await sync(to)).removed)).toEqual([]);
  });

  it('a deletion made directly on Radicale is found by sync-collection and reported with UID and DTSTART', async () => {
    const uid = `foreign-${randomUUID()}`;
    const name = `other-client-${randomUUID().slice(0, 8)}.ics`;
    // Another client's object: its own href, no LAST-MODIFIED (lastmod falls back to DTSTAMP).
    await putDirectly(name, [`UID:${uid}`, `DTSTAMP:${stamp(h.clock.now())}`, 'DTSTART;TZID=Europe/Berlin:20270501T100000', 'DTEND;TZID=Europe/Berlin:20270501T110000', 'SUMMARY:From the phone']);
    const seen = await sync(stamp(h.clock.now() - 5000));
    expect(keysOf(seen.modified)).toContain(uid);
    expect(keysOf(seen.removed)).toEqual([]);
    // A deletion by another client is seen by comparing with the snapshot of the calendar, which the
    // gateway builds in the background after a calendar's second read: it must hold the object
    // before the object goes, whatever the earlier tests read.
    await sync(stamp(h.clock.now() - 5000));
    await h.settled();

    const from = nextPhase();
    await deleteDirectly(name);
    const { removed } = await sync(from);
    expect(keysOf(removed)).toEqual([uid]);
    // 10:00 Berlin summer time is 08:00Z.
    expect(utcText(removed.ical!.getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstart'))).toBe('20270501T080000Z');

    // Nothing changed since: detection is one validation of the calendar cache, and the deletion is
    // not recorded a second time.
    h.clock.advance(2);
    // Snapshot builds of earlier reads must not show up among this request's CalDAV requests.
    await h.settled();
    const before = h.caldavRequests.length;
    const again = await deleted(from, stamp(h.clock.now()));
    expect(h.caldavRequests.slice(before)).toEqual([{ method: 'PROPFIND', url: expect.stringMatching(new RegExp(`${calendarPath}$`)), depth: '0' }]);
    expect(keysOf(again)).toEqual([uid]);
    expect(keysOf((await sync(nextPhase())).removed)).toEqual([]);
  });

  it('a delete log that cannot be written does not fail the delete; a delete log that cannot be read fails the sync', async () => {
    let down = false;
    const failing = (store: TombstoneStore): TombstoneStore => ({
      record: (url, tombstones) => (down ? unavailable() : store.record(url, tombstones)),
      list: (url, from, to) => (down ? unavailable() : store.list(url, from, to)),
      close: () => store.close(),
    });
    const g = await startHarness({}, { wrapTombstones: failing });
    try {
      const session = await g.login(USER);
      const uid = randomUUID();
      const stored = await g.wcap('storeevents', `appid=mozilla-calendar&id=${session}${eventParams(uid, '20270601T090000Z', '20270601T100000Z', 'Doomed')}&storetype=1&${STORE_TAIL}&calid=${calid}`);
      expect(stored.errno).toBe(0);
      down = true;
      const answer = await g.wcap('deleteevents_by_id', `appid=mozilla-calendar&id=${session}&uid=${uid}&mod=4&rid=0&fmt-out=text%2Fxml&calid=${calid}`);
      expect(answer.errno).toBe(0);
      expect((await g.radicale(USER, `${calendarPath}${uid}.ics`)).status).toBe(404);
      expect(g.logText()).toContain('deletion not recorded in the delete log');
      // A short list would make Lightning move its sync stamp past deletions it never saw.
      const sync = await g.wcap('fetch_deletedcomponents', `${SYNC}&id=${session}&dtstart=0&dtend=${stamp(g.clock.now())}&calid=${calid}`);
      expect(sync.errno).toBe(11001);
    } finally {
      await g.close();
    }
  });
});

async function unavailable(): Promise<never> {
  throw new GatewayError('unavailable', 'Redis unavailable while recording deletions: connect ECONNREFUSED');
}

describe('verifyevents_by_ids / verifytodos_by_ids', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  const verify = (cmd: string, query: string) => h.wcap(cmd, `appid=test&id=${id}${query}&emailorcalid=1&fmt-out=text%2Fcalendar&calid=${USER}`);
  const store = (cmd: string, params: string) =>
    h.wcap(cmd, `appid=mozilla-calendar&id=${id}${params}&fetch=1&fmt-out=text%2Fcalendar&calid=${USER}`);

  it('answers found items in full, missing ones as UID (+ RECURRENCE-ID) stubs, per uid/rid pair', async () => {
    const weekly = randomUUID();
    const missing = randomUUID();
    await store('storeevents', `&dtstart=20270601T070000Z&dtend=20270601T080000Z&summary=Weekly&rrules="${enc('FREQ=WEEKLY;COUNT=5')}"&uid=${weekly}&storetype=1`);
    await store('storeevents', `&dtstart=20270608T090000Z&dtend=20270608T100000Z&summary=Moved&uid=${weekly}&mod=1&rid=20270608T070000Z`);
    await h.wcap('deleteevents_by_id', `id=${id}&uid=${weekly}&mod=1&rid=20270615T070000Z&fmt-out=text%2Fxml&calid=${USER}`);

    // Snapshot builds of earlier reads must not show up among this request's CalDAV requests.
    await h.settled();
    const before = h.caldavRequests.length;
    const answer = await verify(
      'verifyevents_by_ids',
      `&uid=${weekly};${missing};${weekly};${weekly};${weekly}&rid=0;0;20270608T070000Z;20270622T070000Z;20270615T070000Z`,
    );
    expect(answer.errno).toBe(0);
    // One lookup per distinct UID: a GET for the known one, GET + UID REPORT for the unknown one.
    expect(h.caldavRequests.slice(before).map((r) => r.method).sort()).toEqual(['GET', 'GET', 'REPORT']);
    const events = answer.ical!.getAllSubcomponents('vevent');
    const describeEvent = (c: ICAL.Component) =>
      [c.getFirstPropertyValue('uid'), c.hasProperty('recurrence-id') ? utcText(c.getFirstPropertyValue('recurrence-id')) : '-', c.getFirstPropertyValue('summary') ?? '(stub)'].join(' ');
    expect(events.map(describeEvent)).toEqual([
      `${weekly} - Weekly`, // rid 0: master …
      `${weekly} 20270608T070000Z Moved`, // … and its exception
      `${missing} - (stub)`,
      `${weekly} 20270608T070000Z Moved`, // the override of that instance
      `${weekly} - Weekly`, // a plain instance: the master
      `${weekly} 20270615T070000Z (stub)`, // a deleted instance: not found
    ]);
    expect(events[2]!.getAllProperties().map((p) => p.name)).toEqual(['uid']);
  });

  it('verifytodos_by_ids finds tasks only; uid and rid lists of different lengths → errno 46', async () => {
    const task = randomUUID();
    const event = randomUUID();
    await store('storetodos', `&due=20270601T170000Z&summary=Task&uid=${task}&storetype=1`);
    await store('storeevents', `&dtstart=20270601T070000Z&dtend=20270601T080000Z&summary=Event&uid=${event}&storetype=1`);
    const answer = await verify('verifytodos_by_ids', `&uid=${task};${event}&rid=0;0`);
    expect(answer.errno).toBe(0);
    const todos = answer.ical!.getAllSubcomponents('vtodo');
    expect(todos.map((t) => [t.getFirstPropertyValue('uid'), t.getFirstPropertyValue('summary')])).toEqual([
      [task, 'Task'],
      [event, null],
    ]);
    expect(answer.ical!.getAllSubcomponents('vevent')).toEqual([]);
    expect((await verify('verifyevents_by_ids', `&uid=${event};${task}&rid=0`)).errno).toBe(46);
    expect((await verify('verifyevents_by_ids', `&rid=0`)).errno).toBe(46);
  });
});
