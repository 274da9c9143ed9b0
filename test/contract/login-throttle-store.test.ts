import { beforeEach, describe, expect, it } from 'vitest';
import type { AttemptVerdict, LoginThrottleStore, ThrottlePolicy, ThrottleSubject } from '../../src/state/login-throttle-store.js';
import { MemoryLoginThrottleStore } from '../../src/state/memory/login-throttle-store.js';
import { RedisLoginThrottleStore } from '../../src/state/redis/login-throttle-store.js';
import { useTestRedis } from '../support/test-redis.js';

/** 3 failures per user, 5 per address, in 10 minutes; blocks of 60 s doubling up to 300 s. */
const POLICY: ThrottlePolicy = {
  user: { maxFailures: 3, windowSeconds: 600, blockSeconds: 60, blockMaxSeconds: 300 },
  address: { maxFailures: 5, windowSeconds: 600, blockSeconds: 60, blockMaxSeconds: 300 },
};
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  advanceSeconds(s: number): void {
    this.t += s * 1000;
  }
}

const user = (id: string): ThrottleSubject => ({ kind: 'user', id });
const address = (id: string): ThrottleSubject => ({ kind: 'address', id });
const ALICE = [user('alice'), address('192.0.2.1')];

const testRedis = useTestRedis('login-throttle-contract');

const implementations: Array<[string, (clock: FakeClock, policy: ThrottlePolicy) => LoginThrottleStore]> = [
  ['MemoryLoginThrottleStore', (clock, policy) => new MemoryLoginThrottleStore({ clock, policy })],
  ['RedisLoginThrottleStore', (clock, policy) => new RedisLoginThrottleStore({ redis: testRedis.client, clock, policy, keyPrefix: testRedis.prefix() })],
];

describe.each(implementations)('LoginThrottleStore contract: %s', (_name, makeStore) => {
  let clock: FakeClock;
  let store: LoginThrottleStore;
  beforeEach(() => {
    clock = new FakeClock(T0);
    store = makeStore(clock, POLICY);
  });

  /** `n` attempts that all fail (a failure needs no settling); returns the verdicts. */
  async function fail(subjects: ThrottleSubject[], n = 1): Promise<AttemptVerdict[]> {
    const verdicts: AttemptVerdict[] = [];
    for (let i = 0; i < n; i++) verdicts.push(await store.attempt(subjects));
    return verdicts;
  }
  const refusal = (verdict: AttemptVerdict) => (verdict.allowed ? undefined : verdict.block);

  it('lets the first failures through and blocks after the limit, for the first block time', async () => {
    const verdicts = await fail(ALICE, 3);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true]);
    // The third attempt reached the limit: it started the block, which applies from the next one.
    expect(verdicts[2]!.allowed && verdicts[2]!.started).toEqual([{ kind: 'user', remainingMs: 60_000 }]);
    expect(refusal(await store.attempt(ALICE))).toEqual({ kind: 'user', remainingMs: 60_000 });
    clock.advanceSeconds(59);
    expect(refusal(await store.attempt(ALICE))).toEqual({ kind: 'user', remainingMs: 1000 });
    clock.advanceSeconds(1);
    expect((await store.attempt(ALICE)).allowed).toBe(true);
  });

  it('doubles the block while failures go on, up to the maximum', async () => {
    const blocks: number[] = [];
    const passedBetweenBlocks: number[] = [];
    let passed = 0;
    while (blocks.length < 6) {
      const verdict = await store.attempt(ALICE);
      if (verdict.allowed) {
        passed += 1;
        continue;
      }
      blocks.push(verdict.block.remainingMs / 1000);
      passedBetweenBlocks.push(passed);
      passed = 0;
      clock.advanceSeconds(verdict.block.remainingMs / 1000);
    }
    expect(blocks).toEqual([60, 120, 240, 300, 300, 300]);
    // 3 failures, then one per block while the window (600 s from the first) lasts; the window
    // ran out after 60 + 120 + 240 + 300 s, so 3 more, then one per block again.
    expect(passedBetweenBlocks).toEqual([3, 1, 1, 1, 3, 1]);
  });

  it('refuses without counting: attempts during a block do not lengthen it', async () => {
    await fail(ALICE, 3);
    for (let i = 0; i < 20; i++) expect((await store.attempt(ALICE)).allowed).toBe(false);
    clock.advanceSeconds(60);
    // The address saw 3 counted attempts, not 23: two more pass before its limit of 5.
    const bob = [user('bob'), address('192.0.2.1')];
    const verdicts = await fail(bob, 2);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true]);
    expect(verdicts[1]!.allowed && verdicts[1]!.started).toEqual([{ kind: 'address', remainingMs: 60_000 }]);
  });

  it('starts afresh when the window passes without reaching the limit', async () => {
    await fail(ALICE, 2);
    clock.advanceSeconds(600);
    const verdicts = await fail(ALICE, 2);
    expect(verdicts.every((v) => v.allowed && v.started.length === 0)).toBe(true);
  });

  it('limits each user on its own, and an address across users', async () => {
    await fail(ALICE, 3);
    expect((await store.attempt(ALICE)).allowed).toBe(false);
    // Same address, another user: only the address limit (5) applies; it has counted 3.
    const bob = [user('bob'), address('192.0.2.1')];
    expect((await store.attempt(bob)).allowed).toBe(true);
    const fifth = await store.attempt(bob);
    expect(fifth.allowed && fifth.started).toEqual([{ kind: 'address', remainingMs: 60_000 }]);
    expect(refusal(await store.attempt([user('carol'), address('192.0.2.1')]))?.kind).toBe('address');
    // Alice from another address is still blocked as a user; carol from elsewhere is not.
    expect(refusal(await store.attempt([user('alice'), address('198.51.100.7')]))?.kind).toBe('user');
    expect((await store.attempt([user('carol'), address('198.51.100.7')])).allowed).toBe(true);
  });

  it('takes a successful attempt back and clears the user count, not the address count', async () => {
    await fail(ALICE, 2);
    const success = await store.attempt(ALICE);
    expect(success.allowed && success.started).toEqual([{ kind: 'user', remainingMs: 60_000 }]);
    if (!success.allowed) throw new Error('refused');
    await store.settle(success.ticket, 'succeeded');
    // The block the success started is lifted and the user's count cleared: 3 fresh failures.
    expect((await fail(ALICE, 2)).every((v) => v.allowed && v.started.length === 0)).toBe(true);
    // The address counted 2 + 2 failures (the success was taken back): the next attempt blocks it.
    const next = await store.attempt([user('dave'), address('192.0.2.1')]);
    expect(next.allowed && next.started).toEqual([{ kind: 'address', remainingMs: 60_000 }]);
  });

  it('keeps the block level across a success, so the next block is longer', async () => {
    await fail(ALICE, 3);
    clock.advanceSeconds(60);
    const success = await store.attempt(ALICE);
    if (!success.allowed) throw new Error('refused');
    // Still in the window with 3 failures counted: this attempt started the second block (120 s)…
    expect(success.started).toEqual([{ kind: 'user', remainingMs: 120_000 }]);
    await store.settle(success.ticket, 'succeeded');
    // …which the success lifted; the level of the first block stays. (Another address: this one has
    // counted 3 of its 5.)
    const elsewhere = [user('alice'), address('192.0.2.2')];
    const verdicts = await fail(elsewhere, 3);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true]);
    expect(refusal(await store.attempt(elsewhere))).toEqual({ kind: 'user', remainingMs: 120_000 });
  });

  it('takes back undecided attempts (CalDAV server down) for user and address', async () => {
    for (let i = 0; i < 10; i++) {
      const verdict = await store.attempt(ALICE);
      if (!verdict.allowed) throw new Error(`refused at attempt ${i}`);
      await store.settle(verdict.ticket, 'undecided');
    }
    expect((await fail(ALICE, 2)).every((v) => v.allowed && v.started.length === 0)).toBe(true);
  });

  it('forgets the block level after a quiet period of window + maximum block', async () => {
    await fail(ALICE, 3);
    clock.advanceSeconds(60 + 600 + 300);
    await fail(ALICE, 3);
    expect(refusal(await store.attempt(ALICE))).toEqual({ kind: 'user', remainingMs: 60_000 });
  });

  it('lets exactly the limit through when attempts arrive at once', async () => {
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => store.attempt(ALICE)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(3);
  });

  it('ignores a kind whose limit is 0', async () => {
    const open = makeStore(clock, { ...POLICY, address: { ...POLICY.address, maxFailures: 0 } });
    for (let i = 0; i < 2; i++) await open.attempt([user(`u${i}`), address('192.0.2.9')]);
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => open.attempt([user(`v${i}`), address('192.0.2.9')])));
    expect(many.every((v) => v.allowed && v.started.length === 0)).toBe(true);
  });
});

describe('RedisLoginThrottleStore specifics', () => {
  it('keeps one expiring hash per subject, named so that an operator can delete it to lift a block', async () => {
    const clock = new FakeClock(T0);
    const keyPrefix = testRedis.prefix();
    const store = new RedisLoginThrottleStore({ redis: testRedis.client, clock, policy: POLICY, keyPrefix });
    for (let i = 0; i < 3; i++) await store.attempt([user('abc123'), address('192.0.2.1')]);
    const keys = (await testRedis.client.keys(`${keyPrefix}*`)).sort();
    expect(keys).toEqual([`${keyPrefix}login:addr:192.0.2.1`, `${keyPrefix}login:user:abc123`]);
    // Block (60 s) + window (600 s) + maximum block (300 s).
    const ttl = await testRedis.client.pttl(`${keyPrefix}login:user:abc123`);
    expect(ttl).toBeGreaterThan(950_000);
    expect(ttl).toBeLessThanOrEqual(960_000);
    expect((await store.attempt([user('abc123')])).allowed).toBe(false);
    await testRedis.client.del(`${keyPrefix}login:user:abc123`);
    expect((await store.attempt([user('abc123')])).allowed).toBe(true);
  });

  it('shares blocks between stores on one Redis (replicas)', async () => {
    const clock = new FakeClock(T0);
    const keyPrefix = testRedis.prefix();
    const one = new RedisLoginThrottleStore({ redis: testRedis.client, clock, policy: POLICY, keyPrefix });
    const two = new RedisLoginThrottleStore({ redis: testRedis.client, clock, policy: POLICY, keyPrefix });
    await one.attempt(ALICE);
    await two.attempt(ALICE);
    await one.attempt(ALICE);
    expect((await two.attempt(ALICE)).allowed).toBe(false);
  });
});

describe('MemoryLoginThrottleStore bounds', () => {
  it('holds at most maxEntries subjects, dropping the oldest', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryLoginThrottleStore({ clock, policy: POLICY, maxEntries: 10 });
    for (let i = 0; i < 50; i++) await store.attempt([user(`guess-${i}`)]);
    expect(store['entries'].size).toBe(10);
  });

  it('drops expired subjects as new ones come', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryLoginThrottleStore({ clock, policy: POLICY });
    for (let i = 0; i < 20; i++) await store.attempt([user(`guess-${i}`)]);
    clock.advanceSeconds(901);
    await store.attempt([user('late')]);
    expect(store['entries'].size).toBe(1);
  });
});
