import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';
import { startLocalRadicale, startLocalRedis, TEST_USERS, type LocalService } from '../support/services.js';

/**
 * Radicale and Redis stopped, or hung (SIGSTOP), while clients store and fetch, then brought back:
 * every answer during the outage is errno 11001 within the configured time-outs, the same gateway
 * serves again once the service is back (no restart), and Radicale holds no half-written item:
 * every acknowledged store is there whole, and a store that failed is there whole or not at all.
 * Services of this file's own, so the outages disturb no other test.
 */
/** Far above what a healthy exchange takes on a loaded machine, so only the outage times out. */
const CALDAV_TIMEOUT_MS = 2000;
/** ioredis gives up on a hung Redis after 2 s (state/redis/connection.ts). */
const REDIS_TIMEOUT_MS = 2000;
const CLIENTS = ['alice', 'bob', 'carol'];

interface Outcome {
  uid: string;
  user: string;
  errno: number;
  ms: number;
}

describe('outages under load', () => {
  let dir: string;
  let redis: LocalService;
  let radicale: LocalService;
  let h: Harness;
  const outcomes: Outcome[] = [];
  let round = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wcap-outages-'));
    mkdirSync(join(dir, 'redis'));
    mkdirSync(join(dir, 'radicale'));
    [redis, radicale] = await Promise.all([startLocalRedis(join(dir, 'redis')), startLocalRadicale(join(dir, 'radicale'))]);
    h = await startHarness({ WCAP_REDIS_URL: redis.url, WCAP_CALDAV_URL: radicale.url, WCAP_CALDAV_TIMEOUT_MS: String(CALDAV_TIMEOUT_MS) });
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([redis?.stop(), radicale?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const sessions = new Map<string, string>();
  const loginAll = async () => {
    for (const user of CLIENTS) sessions.set(user, await h.login(user));
  };

  /** Each client stores a new event and fetches its month, `times` times; every answer is recorded. */
  async function load(times: number, phase: string): Promise<Outcome[]> {
    const results = await Promise.all(
      CLIENTS.map(async (user) => {
        const mine: Outcome[] = [];
        for (let i = 0; i < times; i++) {
          const uid = `${phase}-${++round}-${user}`;
          const id = sessions.get(user)!;
          let started = performance.now();
          const stored = await h.wcap('storeevents', `id=${id}&calid=${user}&uid=${uid}&dtstart=20310105T090000Z&dtend=20310105T100000Z&summary=${enc(uid)}&storetype=1&fmt-out=text%2Fxml`);
          mine.push({ uid, user, errno: stored.errno, ms: performance.now() - started });
          started = performance.now();
          const fetched = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=${user}&dtstart=20310101T000000Z&dtend=20310201T000000Z&fmt-out=text%2Fxml`);
          mine.push({ uid: '', user, errno: fetched.errno, ms: performance.now() - started });
        }
        return mine;
      }),
    );
    const flat = results.flat();
    outcomes.push(...flat.filter((o) => o.uid));
    return flat;
  }

  /** Every acknowledged store is on Radicale whole; every failed one is there whole or not at all. */
  async function expectNothingHalfWritten(): Promise<void> {
    for (const { uid, user, errno } of outcomes.splice(0)) {
      const res = await fetch(new URL(`/${user}/calendar/${uid}.ics`, radicale.url), {
        headers: { Authorization: `Basic ${Buffer.from(`${user}:${TEST_USERS[user]}`).toString('base64')}` },
      });
      if (errno === 0) expect(res.status).toBe(200);
      else expect([200, 404]).toContain(res.status);
      if (res.status !== 200) continue;
      const event = new ICAL.Component(ICAL.parse(await res.text()) as unknown[]).getFirstSubcomponent('vevent')!;
      expect([event.getFirstPropertyValue('uid'), event.getFirstPropertyValue('summary')]).toEqual([uid, uid]);
    }
  }

  /** Polls until a client is served again (the service is another process coming back), at most 20 s. */
  async function recovered(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await h.wcap('gettime', `id=${sessions.get(CLIENTS[0]!)}&fmt-out=text%2Fxml`);
      // Redis came back empty (no persistence here): the sessions are gone and clients log in again.
      if (answer.errno === 1) await loginAll().catch(() => undefined);
      else if (answer.errno === 0) return;
      if (Date.now() > deadline) throw new Error(`not served again: errno ${answer.errno}`);
      await sleep(100);
    }
  }

  it.each([
    ['Radicale stopped, then started again', () => radicale.stop(), () => radicale.start(), CALDAV_TIMEOUT_MS],
    ['Radicale hung (SIGSTOP), then resumed', () => radicale.pause(), () => radicale.resume(), CALDAV_TIMEOUT_MS],
    ['Redis stopped, then started again', () => redis.stop(), () => redis.start(), REDIS_TIMEOUT_MS],
    ['Redis hung (SIGSTOP), then resumed', () => redis.pause(), () => redis.resume(), REDIS_TIMEOUT_MS],
  ])('%s', async (_label, outage, recover, timeoutMs) => {
    await loginAll();
    expect((await load(2, 'before')).map((o) => o.errno)).toEqual(Array(CLIENTS.length * 4).fill(0));

    await outage();
    const during = await load(2, 'during');
    expect(during.map((o) => o.errno)).toEqual(Array(CLIENTS.length * 4).fill(11001));
    // Each answer within the time-out, plus room for a machine shared with the whole suite.
    for (const o of during) expect(o.ms).toBeLessThan(timeoutMs + 3000);

    await recover();
    await recovered();
    expect((await load(2, 'after')).map((o) => o.errno)).toEqual(Array(CLIENTS.length * 4).fill(0));
    await expectNothingHalfWritten();
  });

});
