import type { Redis } from 'ioredis';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { closeRedis, createRedis, waitUntilReady } from '../../src/state/redis/connection.js';
import { THROTTLED_MESSAGE } from '../../src/wcap/login-throttle.js';
import { enc, parseAnswer, startHarness, type Harness, type WcapAnswer } from '../support/gateway-harness.js';

/**
 * Login throttling on the real Radicale and Redis (README, "Login throttling"). Every request of
 * these tests comes from 127.0.0.1 and the throttle's keys are shared by all test files, so each
 * test starts and ends with no throttle state (`wcap:login:*` deleted).
 */

const WRONG = 'a-wrong-guess-value';
const harnesses: Harness[] = [];
let redis: Redis;

async function clearThrottleState(): Promise<void> {
  const keys = await redis.keys('wcap:login:*');
  if (keys.length > 0) await redis.del(...keys);
}

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  await waitUntilReady(redis);
  return async () => {
    await clearThrottleState();
    await closeRedis(redis);
  };
});
beforeEach(clearThrottleState);
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  await clearThrottleState();
});

async function gateway(env: Record<string, string>): Promise<Harness> {
  const h = await startHarness({ WCAP_LOGIN_BLOCK_SECONDS: '60', WCAP_LOGIN_BLOCK_MAX_SECONDS: '600', ...env });
  harnesses.push(h);
  return h;
}

async function login(h: Harness, user: string, password: string, headers: Record<string, string> = {}): Promise<WcapAnswer> {
  const res = await fetch(`${h.gateway.url}login.wcap?fmt-out=text%2Fcalendar&user=${enc(user)}&password=${enc(password)}`, { headers });
  return parseAnswer(res);
}

/** Sends a login and returns its answer and how many CalDAV requests it made. */
async function counted(h: Harness, user: string, password: string, headers?: Record<string, string>) {
  const before = h.caldavRequests.length;
  const answer = await login(h, user, password, headers);
  const message = answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message');
  return { answer, caldav: h.caldavRequests.length - before, throttled: message === THROTTLED_MESSAGE };
}

/** The parsed log lines with this message. */
function logLines(h: Harness, msg: string): Array<Record<string, unknown>> {
  return h
    .logText()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('login throttling', () => {
  it('after the limit, answers errno 1 without asking the CalDAV server, even for the right password', async () => {
    const h = await gateway({ WCAP_LOGIN_MAX_FAILURES: '3', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0' });
    for (let i = 0; i < 3; i++) {
      const wrong = await counted(h, 'frank', WRONG);
      expect(wrong.answer.errno).toBe(1);
      expect(wrong.throttled).toBe(false);
      expect(wrong.caldav).toBeGreaterThan(0);
    }
    const blockedWrong = await counted(h, 'frank', WRONG);
    const blockedRight = await counted(h, 'frank', h.password('frank'));
    for (const blocked of [blockedWrong, blockedRight]) {
      expect(blocked.answer.status).toBe(200);
      expect(blocked.answer.errno).toBe(1);
      expect(blocked.throttled).toBe(true);
      expect(blocked.caldav).toBe(0);
      expect(blocked.answer.ical!.getFirstPropertyValue('x-nscp-wcap-session-id')).toBeNull();
    }
    // Case variants of the name share its limit.
    expect((await counted(h, ' FRANK', h.password('frank'))).throttled).toBe(true);

    // Logged at warn with user and address, for fail2ban-style tools; never the password.
    const failed = logLines(h, 'login failed');
    expect(failed).toHaveLength(3);
    expect(failed.map((l) => [l.level, l.user, l.address])).toEqual(Array(3).fill([40, 'frank', '127.0.0.1']));
    expect(failed[2]!.userBlockedSeconds).toBe(60);
    const refused = logLines(h, 'login refused: too many failed attempts');
    expect(refused.map((l) => [l.level, l.user, l.address, l.blockedBy])).toContainEqual([40, 'frank', '127.0.0.1', 'user']);
    expect(h.logText()).not.toContain(WRONG);
    expect(h.logText()).not.toContain(h.password('frank'));
  });

  it('lets the right password in once the block ends; the success resets the count', async () => {
    const h = await gateway({ WCAP_LOGIN_MAX_FAILURES: '3', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0' });
    for (let i = 0; i < 3; i++) await login(h, 'frank', WRONG);
    h.clock.advance(59);
    expect((await counted(h, 'frank', h.password('frank'))).throttled).toBe(true);
    h.clock.advance(1);
    const ok = await counted(h, 'frank', h.password('frank'));
    expect(ok.answer.errno).toBe(0);
    expect(ok.answer.ical!.getFirstPropertyValue('x-nscp-wcap-session-id')).toMatch(/^[A-Za-z0-9]+$/);
    // Without the reset, the first failure after the block would start the next block.
    for (let i = 0; i < 2; i++) expect((await counted(h, 'frank', WRONG)).throttled).toBe(false);
    expect((await counted(h, 'frank', h.password('frank'))).answer.errno).toBe(0);
  });

  it('makes the block longer with each block while the guessing goes on', async () => {
    const h = await gateway({ WCAP_LOGIN_MAX_FAILURES: '3', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0', WCAP_LOGIN_WINDOW_SECONDS: '3600' });
    for (let i = 0; i < 3; i++) await login(h, 'frank', WRONG);
    const blocks: number[] = [];
    for (const expected of [60, 120, 240, 480, 600]) {
      // Blocked one second before the expected end, free at it: the block lasted exactly `expected`.
      h.clock.advance(expected - 1);
      expect((await counted(h, 'frank', h.password('frank'))).caldav).toBe(0);
      h.clock.advance(1);
      const guess = await counted(h, 'frank', WRONG);
      expect(guess.throttled).toBe(false);
      blocks.push(Number(logLines(h, 'login failed').at(-1)!.userBlockedSeconds));
    }
    expect(blocks).toEqual([120, 240, 480, 600, 600]);
  });

  it('is shared by replicas: a block started on one is seen on the other', async () => {
    const env = { WCAP_LOGIN_MAX_FAILURES: '3', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0' };
    const one = await gateway(env);
    const two = await gateway(env);
    await login(one, 'frank', WRONG);
    await login(two, 'frank', WRONG);
    await login(one, 'frank', WRONG);
    const onTwo = await counted(two, 'frank', two.password('frank'));
    expect(onTwo.throttled).toBe(true);
    expect(onTwo.caldav).toBe(0);
    expect(logLines(two, 'login refused: too many failed attempts')[0]).toMatchObject({ user: 'frank', address: '127.0.0.1', blockedBy: 'user' });
  });

  it('holds another user from the same address only to the address limit', async () => {
    const h = await gateway({ WCAP_LOGIN_MAX_FAILURES: '3', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '5' });
    for (let i = 0; i < 3; i++) await login(h, 'frank', WRONG);
    expect((await counted(h, 'frank', h.password('frank'))).throttled).toBe(true);
    // dave is not blocked: the address has counted 3 of 5, and his success is not counted.
    expect((await counted(h, 'dave', h.password('dave'))).answer.errno).toBe(0);
    expect((await counted(h, 'dave', WRONG)).throttled).toBe(false);
    const fifth = await counted(h, 'dave', WRONG);
    expect(fifth.throttled).toBe(false);
    // Now the address is blocked for everybody, right password or not.
    const carol = await counted(h, 'carol', h.password('carol'));
    expect(carol.throttled).toBe(true);
    expect(carol.caldav).toBe(0);
    expect(logLines(h, 'login refused: too many failed attempts').at(-1)).toMatchObject({ user: 'carol', blockedBy: 'address' });
  });

  it('reads the client address from X-Forwarded-For only when the peer is a trusted proxy', async () => {
    const env = { WCAP_LOGIN_MAX_FAILURES: '0', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '2' };
    const proxied = await gateway({ ...env, WCAP_TRUSTED_PROXIES: '127.0.0.0/8, ::1' });
    const attacker = { 'X-Forwarded-For': '198.51.100.1' };
    for (let i = 0; i < 2; i++) expect((await counted(proxied, 'carol', WRONG, attacker)).throttled).toBe(false);
    expect((await counted(proxied, 'carol', WRONG, attacker)).throttled).toBe(true);
    // Another client behind the same proxy is not blocked.
    expect((await counted(proxied, 'carol', proxied.password('carol'), { 'X-Forwarded-For': '198.51.100.2' })).answer.errno).toBe(0);
    expect(logLines(proxied, 'login failed').map((l) => l.address)).toEqual(['198.51.100.1', '198.51.100.1']);

    // A gateway that trusts no proxy ignores the header: the peer is the address.
    const direct = await gateway(env);
    await counted(direct, 'carol', WRONG, { 'X-Forwarded-For': '203.0.113.77' });
    expect(logLines(direct, 'login failed').map((l) => l.address)).toEqual(['127.0.0.1']);
    expect(direct.logText()).not.toContain('203.0.113.77');
  });

  it('counts IPv6 clients per /64 network, so changing address within it does not help', async () => {
    const h = await gateway({ WCAP_LOGIN_MAX_FAILURES: '0', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '2', WCAP_TRUSTED_PROXIES: '127.0.0.1' });
    await counted(h, 'carol', WRONG, { 'X-Forwarded-For': '2001:db8:1:2::a' });
    await counted(h, 'carol', WRONG, { 'X-Forwarded-For': '2001:db8:1:2::b' });
    expect((await counted(h, 'carol', h.password('carol'), { 'X-Forwarded-For': '2001:db8:1:2:ffff::c' })).throttled).toBe(true);
    expect((await counted(h, 'carol', h.password('carol'), { 'X-Forwarded-For': '2001:db8:1:3::a' })).answer.errno).toBe(0);
    expect(logLines(h, 'login failed').map((l) => l.address)).toEqual(['2001:db8:1:2::a', '2001:db8:1:2::b']);
    expect(await redis.exists('wcap:login:addr:2001:db8:1:2::/64')).toBe(1);
  });

  it('works the same without Redis, in process memory', async () => {
    const h = await gateway({ WCAP_REDIS_URL: '', WCAP_LOGIN_MAX_FAILURES: '2', WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0' });
    for (let i = 0; i < 2; i++) await login(h, 'frank', WRONG);
    const blocked = await counted(h, 'frank', h.password('frank'));
    expect(blocked.throttled).toBe(true);
    expect(blocked.caldav).toBe(0);
    expect(await redis.keys('wcap:login:*')).toEqual([]);
  });
});
