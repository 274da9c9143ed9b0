import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/model/errors.js';
import type { SessionData } from '../../src/model/session.js';
import { closeRedis, createRedis, waitUntilReady } from '../../src/state/redis/connection.js';
import { RedisGuidStore } from '../../src/state/redis/guid-store.js';
import { RedisSessionStore } from '../../src/state/redis/session-store.js';
import { SecretBox } from '../../src/state/secret-box.js';
import { newSessionId } from '../../src/state/session-id.js';
import { startHarness } from '../support/gateway-harness.js';
import { freePort } from '../support/services.js';

/**
 * A Redis outage must surface as GatewayError 'unavailable' (WCAP errno 11001), promptly, and never
 * as "no such session" (errno 1), on which Lightning re-logs in without limit.
 */

const ALICE: SessionData = {
  user: 'alice',
  password: 'alice-secret-pw',
  principalUrl: 'http://caldav.test/alice/',
  calendarHomeUrl: 'http://caldav.test/alice/',
};
const box = new SecretBox('fault-test-secret-0123456789');
const clock = { now: () => Date.UTC(2026, 0, 15, 9) };
const limits = { idleSeconds: 1800, maxSeconds: 28_800 };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(url: string): Redis {
  const redis = createRedis(url, { connectTimeoutMs: 500, commandTimeoutMs: 500 });
  cleanups.push(() => closeRedis(redis));
  return redis;
}

function sessionStore(redis: Redis): RedisSessionStore {
  return new RedisSessionStore({ redis, limits, secretBox: box, clock, keyPrefix: 'fault:' });
}

async function expectUnavailable(promise: Promise<unknown>, mustNotContain?: string): Promise<void> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(isGatewayError(err, 'unavailable'), String(err)).toBe(true);
  if (mustNotContain !== undefined) {
    const cause = (err as Error).cause as Error | undefined;
    expect(`${(err as Error).message} ${cause?.message ?? ''} ${JSON.stringify(cause)}`).not.toContain(mustNotContain);
  }
}

async function startRedisServer(port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'wcap-redis-fault-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await once(child, 'exit');
}

describe('Redis down', () => {
  it('rejects session and UID-index calls with unavailable when nothing listens', async () => {
    const port = await freePort();
    const redis = client(`redis://:do-not-leak-pw@127.0.0.1:${port}`);
    const sessions = sessionStore(redis);
    const guids = new RedisGuidStore({ redis, keyPrefix: 'fault:' });

    await expectUnavailable(sessions.create(ALICE), 'do-not-leak-pw');
    await expectUnavailable(sessions.get(newSessionId()), 'do-not-leak-pw');
    await expectUnavailable(sessions.delete(newSessionId()));
    await expectUnavailable(guids.get('http://caldav.test/alice/calendar/', 'uid'));
    await expectUnavailable(guids.set('http://caldav.test/alice/calendar/', 'uid', 'http://x/y.ics'));
    await expectUnavailable(waitUntilReady(redis, 300));
  });

  it('rejects with unavailable, not "no session", when Redis dies under a live session, and recovers', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const redis = client(`redis://127.0.0.1:${port}`);
    await waitUntilReady(redis, 10_000);
    const sessions = sessionStore(redis);
    const id = await sessions.create(ALICE);
    expect((await sessions.get(id))?.user).toBe('alice');

    await stop(server);
    await expectUnavailable(sessions.get(id));
    await expectUnavailable(sessions.create(ALICE));

    // Back up (empty: no persistence). The same client reconnects by itself.
    server = await startRedisServer(port);
    await waitUntilReady(redis, 10_000);
    expect(await sessions.get(id)).toBeNull();
    const again = await sessions.create(ALICE);
    expect((await sessions.get(again))?.password).toBe(ALICE.password);
  });

  it('rejects with unavailable when Redis hangs instead of answering', async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    const redis = client(`redis://127.0.0.1:${port}`);
    await waitUntilReady(redis, 10_000);
    const sessions = sessionStore(redis);
    const id = await sessions.create(ALICE);

    server.kill('SIGSTOP');
    await expectUnavailable(sessions.get(id));
    server.kill('SIGCONT');
  });

  it('rejects with unavailable when the peer accepts connections but never speaks Redis', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const redis = client(`redis://127.0.0.1:${address.port}`);

    await expectUnavailable(sessionStore(redis).get(newSessionId()));
  });

  it('tells WCAP clients that Redis is down, not the calendar back end (errno 11001, never 1)', async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    const h = await startHarness({ WCAP_REDIS_URL: `redis://127.0.0.1:${port}`, WCAP_LOGIN_MAX_FAILURES: '5', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '20' });
    cleanups.push(() => h.close());
    const id = await h.login('dave');

    await stop(server);
    const fetch = await h.wcap('fetchcomponents_by_range', `id=${id}&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&calid=dave`);
    const before = h.caldavRequests.length;
    const login = await h.wcap('login', `fmt-out=text%2Fxml&user=dave&password=${encodeURIComponent(h.password('dave'))}`);
    for (const answer of [fetch, login]) {
      expect(answer.errno).toBe(11001);
      expect(answer.body).toContain('The gateway state store (Redis) cannot be reached');
      expect(answer.body).not.toContain('calendar back end');
    }
    // The login throttle is asked first: a login while Redis is down costs the CalDAV server nothing.
    expect(h.caldavRequests.length).toBe(before);
  });
});
