import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { startLocalRadicale, startLocalRedis, type LocalService } from '../support/services.js';

/**
 * /readyz against a Redis and a Radicale of this file's own (the shared ones serve the other test
 * files and must keep running): it answers 503 with the reason while either is stopped or hung,
 * and 200 again once it is back. The metrics count what the outage did to requests.
 */
const READY_TIMEOUT_MS = 300;

describe('readiness and outages', () => {
  let dir: string;
  let redis: LocalService;
  let radicale: LocalService;
  let h: Harness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wcap-readiness-'));
    mkdirSync(join(dir, 'redis'));
    mkdirSync(join(dir, 'radicale'));
    [redis, radicale] = await Promise.all([startLocalRedis(join(dir, 'redis')), startLocalRadicale(join(dir, 'radicale'))]);
    h = await startHarness({ WCAP_REDIS_URL: redis.url, WCAP_CALDAV_URL: radicale.url, WCAP_READY_TIMEOUT_MS: String(READY_TIMEOUT_MS) });
  });
  afterEach(async () => {
    // Whatever a test did, the next one starts with both services up.
    redis.resume();
    radicale.resume();
    await Promise.all([ensureRunning(redis), ensureRunning(radicale)]);
    await readyzUntil((r) => r.status === 200);
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([redis?.stop(), radicale?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const running = new WeakMap<LocalService, boolean>();
  const stop = async (service: LocalService) => {
    await service.stop();
    running.set(service, false);
  };
  const ensureRunning = async (service: LocalService) => {
    if (running.get(service) === false) await service.start();
    running.set(service, true);
  };

  async function readyz(): Promise<{ status: number; body: string }> {
    const res = await fetch(new URL('readyz', h.gateway.url));
    return { status: res.status, body: await res.text() };
  }

  /** Polls /readyz (the services are other processes) until `done`, for at most 15 s. */
  async function readyzUntil(done: (r: { status: number; body: string }) => boolean): Promise<{ status: number; body: string }> {
    const deadline = Date.now() + 15_000;
    let last = await readyz();
    while (!done(last)) {
      if (Date.now() > deadline) throw new Error(`/readyz never got there; last answer ${last.status}: ${last.body}`);
      await sleep(100);
      last = await readyz();
    }
    return last;
  }

  async function metrics() {
    const res = await fetch(new URL('metrics', h.gateway.url));
    return parsePrometheusText(await res.text());
  }

  it('answers 200 "ready" while Redis and the CalDAV server answer', async () => {
    // Polled: on a machine loaded by the other test files one probe may miss the short time-out.
    expect(await readyzUntil((r) => r.status === 200)).toEqual({ status: 200, body: 'ready\n' });
    expect((await fetch(new URL('healthz', h.gateway.url))).status).toBe(200);
  });

  it('answers 503 naming Redis while Redis is stopped, and 200 once it is back; the failures are counted', async () => {
    const id = await h.login('alice');
    await stop(redis);
    const down = await readyzUntil((r) => r.body.includes('redis: connection refused'));
    expect(down.status).toBe(503);
    expect(down.body).toBe('not ready\nredis: connection refused\n');
    // /healthz only says the process lives.
    expect((await fetch(new URL('healthz', h.gateway.url))).status).toBe(200);

    const before = await metrics();
    const fetched = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=alice&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    expect(fetched.errno).toBe(11001);
    const counted = await metrics();
    const unavailable = (m: Awaited<ReturnType<typeof metrics>>) =>
      m.value('wcap_requests_total', { command: 'fetchcomponents_by_range', errno: '11001' }) ?? 0;
    expect(unavailable(counted) - unavailable(before)).toBe(1);
    // The session lookup failed in the store; the client reported the refused reconnects.
    expect(counted.value('wcap_redis_errors_total', { source: 'store' })).toBeGreaterThan(before.value('wcap_redis_errors_total', { source: 'store' })!);
    expect(counted.value('wcap_redis_errors_total', { source: 'connection' })).toBeGreaterThanOrEqual(1);

    await ensureRunning(redis);
    expect(await readyzUntil((r) => r.status === 200)).toEqual({ status: 200, body: 'ready\n' });
    // Usable again: this Redis kept nothing, so the client logs in anew.
    expect(await h.login('alice')).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('answers 503 naming the CalDAV server while Radicale is stopped, and 200 once it is back', async () => {
    const id = await h.login('bob');
    await stop(radicale);
    const down = await readyz();
    expect(down).toEqual({ status: 503, body: 'not ready\ncaldav: connection refused\n' });

    const fetched = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=bob&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    expect(fetched.errno).toBe(11001);
    const failedExchanges = (await metrics()).samples.filter((s) => s.name === 'wcap_caldav_requests_total' && s.labels.status === 'error');
    expect(failedExchanges.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(1);

    await ensureRunning(radicale);
    expect(await readyzUntil((r) => r.status === 200)).toEqual({ status: 200, body: 'ready\n' });
    const again = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=bob&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    expect(again.errno).toBe(0);
  });

  it('answers 503 within the timeout when a service hangs (SIGSTOP), naming both when both do', async () => {
    radicale.pause();
    const started = performance.now();
    expect(await readyz()).toEqual({ status: 503, body: `not ready\ncaldav: no answer within ${READY_TIMEOUT_MS} ms\n` });
    redis.pause();
    expect(await readyz()).toEqual({
      status: 503,
      body: `not ready\nredis: no answer within ${READY_TIMEOUT_MS} ms\ncaldav: no answer within ${READY_TIMEOUT_MS} ms\n`,
    });
    // Two checks, each bounded by the timeout (and a margin for a loaded machine), not by the
    // Redis command timeout (2 s) or the CalDAV request timeout (15 s).
    expect(performance.now() - started).toBeLessThan(2 * READY_TIMEOUT_MS + 1500);
    radicale.resume();
    redis.resume();
    expect((await readyzUntil((r) => r.status === 200)).body).toBe('ready\n');
  });
});
