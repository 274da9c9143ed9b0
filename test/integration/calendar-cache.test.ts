import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeRedis, createRedis, waitUntilReady } from '../../src/state/redis/connection.js';
import { startHarness, type Harness, type WcapAnswer } from '../support/gateway-harness.js';

/**
 * The validated calendar cache against real Radicale and Redis: whatever happens directly on the
 * CalDAV server shows on the very next WCAP request, replicas sharing Redis see each other's writes
 * at once, and a sync token Radicale no longer accepts is recovered from cleanly.
 */
const USER = 'erin';
const calendarPath = `/${USER}/calendar/`;
const MONTH = 'dtstart=20280301T000000Z&dtend=20280401T000000Z';
const FETCH = `recurring=1&compressed=1&emailorcalid=1&component-type=event&fmt-out=text%2Fcalendar&calid=${USER}&${MONTH}`;

function summaries(answer: WcapAnswer): string[] {
  expect(answer.errno).toBe(0);
  return answer.ical!.getAllSubcomponents('vevent').map((e) => String(e.getFirstPropertyValue('summary'))).sort();
}

const eventBody = (uid: string, summary: string, day = '10') =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//phone//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20280101T000000Z',
    `DTSTART:202803${day}T090000Z`, `DTEND:202803${day}T100000Z`, `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

describe('calendar cache on Radicale and Redis', () => {
  let a: Harness;
  let b: Harness;
  let idA: string;
  let idB: string;
  beforeAll(async () => {
    a = await startHarness();
    b = await startHarness();
    idA = await a.login(USER);
    idB = await b.login(USER);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const fetchVia = (h: Harness, id: string) => h.wcap('fetchcomponents_by_range', `id=${id}&${FETCH}`);
  const put = async (name: string, body: string) => {
    const res = await a.radicale(USER, `${calendarPath}${name}`, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } });
    expect(res.status).toBeLessThan(300);
  };
  it('serves an unchanged month after one validation, and shows changes made directly on Radicale at once', async () => {
    const uid = `phone-${randomUUID()}`;
    await put(`${uid}.ics`, eventBody(uid, 'From the phone'));
    // Two plain queries (the second has a snapshot built in the background), then served from it.
    expect(summaries(await fetchVia(a, idA))).toContain('From the phone');
    expect(summaries(await fetchVia(a, idA))).toContain('From the phone');
    await a.settled();
    expect(await requestsDuring(a, async () => expect(summaries(await fetchVia(a, idA))).toContain('From the phone'))).toEqual(['PROPFIND 0']);

    await put(`${uid}.ics`, eventBody(uid, 'Moved by the phone', '11'));
    expect(summaries(await fetchVia(a, idA))).toContain('Moved by the phone');
    expect(summaries(await fetchVia(a, idA))).not.toContain('From the phone');

    expect((await a.radicale(USER, `${calendarPath}${uid}.ics`, { method: 'DELETE' })).status).toBe(200);
    expect(summaries(await fetchVia(a, idA))).not.toContain('Moved by the phone');
    // And the deletion is in the delete log for Lightning's next offline sync.
    const deleted = await a.wcap('fetch_deletedcomponents', `id=${idA}&calid=${USER}&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    expect(deleted.ical!.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'))).toContain(uid);
  });

  it("two replicas sharing Redis see each other's writes at once", async () => {
    const uid = `replica-${randomUUID()}`;
    await fetchVia(b, idB);
    await fetchVia(b, idB);
    await b.settled();
    const stored = await a.wcap(
      'storeevents',
      `id=${idA}&calid=${USER}&uid=${uid}&dtstart=20280312T090000Z&dtend=20280312T100000Z&summary=Stored%20via%20A&storetype=1&fmt-out=text%2Fcalendar`,
    );
    expect(stored.errno).toBe(0);
    expect(summaries(await fetchVia(b, idB))).toContain('Stored via A');
    const removed = await b.wcap('deleteevents_by_id', `id=${idB}&calid=${USER}&uid=${uid}&fmt-out=text%2Fcalendar`);
    expect(removed.errno).toBe(0);
    expect(summaries(await fetchVia(a, idA))).not.toContain('Stored via A');
  });

  it('recovers cleanly from a sync token Radicale no longer accepts', async () => {
    const uid = `pruned-${randomUUID()}`;
    await put(`${uid}.ics`, eventBody(uid, 'Soon gone'));
    await fetchVia(a, idA);
    await fetchVia(a, idA);
    await a.settled();
    // The shared snapshot now names a token Radicale never issued (as after its token pruning).
    const redis = createRedis(inject('redisUrl'));
    try {
      await waitUntilReady(redis);
      const url = new URL(calendarPath, inject('radicaleUrl')).href;
      const key = `wcap:snap:${createHash('sha256').update(url).digest('hex')}:meta`;
      const meta = JSON.parse((await redis.get(key))!) as { syncToken?: string };
      expect(meta.syncToken).toBeTruthy();
      await redis.set(key, JSON.stringify({ ...meta, syncToken: `http://radicale.org/ns/sync/${'0'.repeat(64)}` }));
    } finally {
      await closeRedis(redis);
    }
    expect((await a.radicale(USER, `${calendarPath}${uid}.ics`, { method: 'DELETE' })).status).toBe(200);
    // A fresh replica starts from the shared snapshot: its token is refused, a full listing follows.
    const c = await startHarness();
    try {
      const idC = await c.login(USER);
      const requests = await requestsDuring(c, async () => expect(summaries(await fetchVia(c, idC))).not.toContain('Soon gone'));
      expect(requests).toEqual(['PROPFIND 0', 'REPORT 0', 'REPORT 0']);
      const deleted = await c.wcap('fetch_deletedcomponents', `id=${idC}&calid=${USER}&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
      expect(deleted.ical!.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid'))).toContain(uid);
    } finally {
      await c.close();
    }
  });
});

describe('a permission changed directly on Radicale', () => {
  const rightsFile = () => inject('radicaleRightsFile');
  let original: string;
  let h: Harness;
  beforeAll(async () => {
    original = readFileSync(rightsFile(), 'utf8');
    h = await startHarness();
  });
  afterEach(() => writeFileSync(rightsFile(), original));
  afterAll(() => h.close());

  /** Puts a sharing rule above the owner rules (Radicale: the first matching section wins). */
  const share = (user: string, collection: string, permissions: string) =>
    writeFileSync(rightsFile(), [`[share-${user}]`, `user: ${user}`, `collection: ${collection}`, `permissions: ${permissions}`, '', original].join('\n'));

  it("shows at once: a colleague's calendar read through the cache becomes 28 when the share is revoked", async () => {
    const owner = await h.login(USER);
    const uid = `shared-${randomUUID()}`;
    const stored = await h.wcap('storeevents', `id=${owner}&calid=${USER}&uid=${uid}&dtstart=20280314T090000Z&dtend=20280314T100000Z&summary=Team%20lunch&storetype=1&fmt-out=text%2Fcalendar`);
    expect(stored.errno).toBe(0);
    const reader = await h.login('frank');
    const readShared = () => h.wcap('fetchcomponents_by_range', `id=${reader}&${FETCH}`);
    // Without a share frank may not see erin's calendar.
    expect((await readShared()).errno).toBe(28);
    share('frank', `${USER}/calendar`, 'r');
    expect(summaries(await readShared())).toContain('Team lunch');
    expect(summaries(await readShared())).toContain('Team lunch');
    await h.settled();
    expect(await requestsDuring(h, readShared)).toEqual(['PROPFIND 0']);
    writeFileSync(rightsFile(), original);
    expect((await readShared()).errno).toBe(28);
    expect((await h.wcap('get_calprops', `id=${reader}&calid=${USER}&fmt-out=text%2Fcalendar`)).errno).toBe(28);
    // The owner still reads it, from the same cached snapshot.
    expect(summaries(await h.wcap('fetchcomponents_by_range', `id=${owner}&${FETCH}`))).toContain('Team lunch');
  });
});

/** Requests harness `h` makes to Radicale while `action` runs, as `METHOD depth`. */
async function requestsDuring(h: Harness, action: () => Promise<unknown>): Promise<string[]> {
  const before = h.caldavRequests.length;
  await action();
  return h.caldavRequests.slice(before).map((r) => `${r.method} ${r.depth ?? ''}`.trim());
}

describe("calendar cache validated by Radicale's last-modified time (WCAP_CACHE_VALIDATION=last-modified)", () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness({ WCAP_CACHE_VALIDATION: 'last-modified' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  it('shows a change made on Radicale within the same second as the last read', async () => {
    const fetchMonth = () => h.wcap('fetchcomponents_by_range', `id=${id}&${FETCH}`);
    const uid = `same-second-${randomUUID()}`;
    await fetchMonth();
    await fetchMonth();
    await h.settled();
    const put = (summary: string) =>
      h.radicale(USER, `${calendarPath}${uid}.ics`, { method: 'PUT', body: eventBody(uid, summary), headers: { 'Content-Type': 'text/calendar' } });
    expect((await put('First version')).status).toBeLessThan(300);
    expect(summaries(await fetchMonth())).toContain('First version');
    // Changed again at once: the collection's last-modified second may not have moved, so the
    // gateway must not trust it yet (it checks getctag until the time has settled).
    expect((await put('Second version')).status).toBeLessThan(300);
    const before = h.caldavRequests.length;
    expect(summaries(await fetchMonth())).toContain('Second version');
    const methods = h.caldavRequests.slice(before).map((r) => r.method);
    expect(methods.slice(0, 2)).toEqual(['PROPFIND', 'PROPFIND']);
  });
});
