import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionData } from '../../src/model/session.js';
import { MemorySessionStore } from '../../src/state/memory/session-store.js';
import { useTestRedis } from '../support/test-redis.js';
import { RedisSessionStore } from '../../src/state/redis/session-store.js';
import { SecretBox } from '../../src/state/secret-box.js';
import { looksLikeSessionId, sessionKeyHash } from '../../src/state/session-id.js';
import type { SessionLimits, SessionStore } from '../../src/state/session-store.js';

const IDLE_S = 1800;
const MAX_S = 8 * 3600;
const LIMITS: SessionLimits = { idleSeconds: IDLE_S, maxSeconds: MAX_S };
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

const ALICE: SessionData = {
  user: 'alice',
  password: 'Tr0ub4dor&3-alice-ÄÖ',
  principalUrl: 'http://caldav.test/alice/',
  calendarHomeUrl: 'http://caldav.test/alice/',
};
const BOB: SessionData = {
  user: 'bob',
  password: 'correct horse battery staple',
  principalUrl: 'http://caldav.test/principals/bob/',
  calendarHomeUrl: 'http://caldav.test/calendars/bob/',
  // The server's schedule-default-calendar-URL (Cyrus), kept with the session.
  defaultCalendarUrl: 'http://caldav.test/calendars/bob/Default/',
};

class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  advanceSeconds(s: number): void {
    this.t += s * 1000;
  }
}

/** One implementation under test: a fresh store on a fresh clock, plus a view of its raw storage. */
interface Harness {
  store: SessionStore;
  clock: FakeClock;
  /** Everything the implementation persisted (keys and values), as one string. */
  rawDump(): Promise<string>;
}

// One box for the whole file: deriving the key (scrypt) costs ~0.1 s.
const box = new SecretBox('contract-test-secret-0123456789');

const testRedis = useTestRedis('session-contract');

async function redisDump(prefix: string): Promise<string> {
  const keys = await testRedis.client.keys(`${prefix}*`);
  const values = await Promise.all(
    keys.map(async (k) => {
      // Session values are strings; the session indexes are sorted sets.
      if ((await testRedis.client.type(k)) === 'zset') return (await testRedis.client.zrange(k, '0', '-1', 'WITHSCORES')).join(' ');
      return (await testRedis.client.getBuffer(k))?.toString('latin1') ?? '';
    }),
  );
  return keys.map((k, i) => `${k}=${values[i] ?? ''}`).join('\n');
}

const implementations: Array<[string, () => Harness]> = [
  [
    'MemorySessionStore',
    () => {
      const clock = new FakeClock(T0);
      const store = new MemorySessionStore({ limits: LIMITS, secretBox: box, clock });
      return {
        store,
        clock,
        rawDump: async () => JSON.stringify([...store['entries']]),
      };
    },
  ],
  [
    'RedisSessionStore',
    () => {
      const clock = new FakeClock(T0);
      const prefix = testRedis.prefix();
      const store = new RedisSessionStore({ redis: testRedis.client, limits: LIMITS, secretBox: box, clock, keyPrefix: prefix });
      return { store, clock, rawDump: () => redisDump(prefix) };
    },
  ],
];

describe.each(implementations)('SessionStore contract: %s', (_name, makeHarness) => {
  let h: Harness;
  beforeEach(() => {
    h = makeHarness();
  });

  it('issues ids of at least 128 random bits in [A-Za-z0-9]', async () => {
    const id = await h.store.create(ALICE);
    expect(id).toMatch(/^[A-Za-z0-9]+$/);
    // Each base62 character carries log2(62) bits.
    expect(id.length * Math.log2(62)).toBeGreaterThanOrEqual(128);
    expect(looksLikeSessionId(id)).toBe(true);
  });

  it('gives two logins different ids, each with its own data', async () => {
    const a = await h.store.create(ALICE);
    const b = await h.store.create(ALICE);
    const c = await h.store.create(BOB);
    expect(new Set([a, b, c]).size).toBe(3);
    expect((await h.store.get(a))?.user).toBe('alice');
    expect((await h.store.get(c))?.user).toBe('bob');
    expect((await h.store.get(c))?.password).toBe(BOB.password);
  });

  it('returns the login data, with the password decrypted, and the times from the clock', async () => {
    const id = await h.store.create(ALICE);
    h.clock.advanceSeconds(5);
    expect(await h.store.get(id)).toEqual({ ...ALICE, createdAt: T0, lastSeenAt: T0 + 5000 });
    const withDefault = await h.store.create(BOB);
    expect(await h.store.get(withDefault)).toEqual({ ...BOB, createdAt: T0 + 5000, lastSeenAt: T0 + 5000 });
  });

  it('keeps a session alive while it is used within the idle timeout', async () => {
    const id = await h.store.create(ALICE);
    h.clock.advanceSeconds(IDLE_S - 1);
    expect(await h.store.get(id)).not.toBeNull();
    // Only works if the previous get refreshed the idle expiry: 2 × (IDLE_S - 1) since login.
    h.clock.advanceSeconds(IDLE_S - 1);
    const session = await h.store.get(id);
    expect(session?.user).toBe('alice');
    expect(session?.lastSeenAt).toBe(T0 + 2 * (IDLE_S - 1) * 1000);
  });

  it('ends a session idle for longer than the idle timeout', async () => {
    const id = await h.store.create(ALICE);
    h.clock.advanceSeconds(IDLE_S + 1);
    expect(await h.store.get(id)).toBeNull();
    // Expired stays expired, even if the clock were to look kindly on it afterwards.
    h.clock.t = T0;
    expect(await h.store.get(id)).toBeNull();
  });

  it('ends a session at the absolute lifetime even under continuous use', async () => {
    const id = await h.store.create(ALICE);
    const step = Math.floor(IDLE_S / 2);
    while (h.clock.t + step * 1000 < T0 + MAX_S * 1000) {
      h.clock.advanceSeconds(step);
      expect(await h.store.get(id)).not.toBeNull();
    }
    h.clock.t = T0 + (MAX_S - 1) * 1000;
    expect(await h.store.get(id)).not.toBeNull();
    h.clock.t = T0 + (MAX_S + 1) * 1000;
    expect(await h.store.get(id)).toBeNull();
  });

  it('forgets a deleted session and leaves others alone', async () => {
    const a = await h.store.create(ALICE);
    const b = await h.store.create(BOB);
    await h.store.delete(a);
    expect(await h.store.get(a)).toBeNull();
    expect((await h.store.get(b))?.user).toBe('bob');
    // Logging out twice, or with a made-up id, is not an error.
    await expect(h.store.delete(a)).resolves.toBeUndefined();
    await expect(h.store.delete('not a session id')).resolves.toBeUndefined();
  });

  it('answers null, not an error, for unknown and garbage ids', async () => {
    const id = await h.store.create(ALICE);
    const unknown = 'A'.repeat(id.length);
    const garbage = [unknown, '', 'x', `${id}x`, id.slice(1), `${id.slice(1)}-`, `${id.slice(1)}%`, '../../etc', `${id}\n`];
    for (const bad of garbage) {
      expect(await h.store.get(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(await h.store.get(id)).not.toBeNull();
  });

  it('stores neither the password nor the session id in the clear', async () => {
    const id = await h.store.create(ALICE);
    const dump = await h.rawDump();
    // The dump is real: the session is in it, under the hash of its id.
    expect(dump).toContain(sessionKeyHash(id));
    expect(dump).toContain('alice');
    for (const secret of [
      ALICE.password,
      Buffer.from(ALICE.password).toString('base64'),
      Buffer.from(ALICE.password).toString('base64url'),
      Buffer.from(ALICE.password).toString('hex'),
      id,
    ]) {
      expect(dump).not.toContain(secret);
    }
    expect((await h.store.get(id))?.password).toBe(ALICE.password);
  });
  it('counts the live sessions of every user, and no longer a deleted one', async () => {
    expect(await h.store.count()).toBe(0);
    const a = await h.store.create(ALICE);
    await h.store.create(ALICE);
    await h.store.create(BOB);
    expect(await h.store.count()).toBe(3);
    await h.store.delete(a);
    expect(await h.store.count()).toBe(2);
    // Counting refreshes nothing: the others still expire on time.
    h.clock.advanceSeconds(IDLE_S + 1);
    expect(await h.store.count()).toBe(0);
  });

  it('does not count sessions idle too long or past their lifetime, without them being looked up', async () => {
    const used = await h.store.create(ALICE);
    await h.store.create(BOB);
    h.clock.advanceSeconds(IDLE_S - 10);
    expect(await h.store.get(used)).not.toBeNull();
    // Bob's session is now idle for IDLE_S + 10 s; Alice's was used 20 s ago.
    h.clock.advanceSeconds(20);
    expect(await h.store.count()).toBe(1);
    // Exactly at the idle limit a session is still live (get says so too).
    h.clock.advanceSeconds(IDLE_S - 20);
    expect(await h.store.count()).toBe(1);
    h.clock.advanceSeconds(1);
    expect(await h.store.count()).toBe(0);

    // A session kept in use ends at its absolute lifetime.
    const busy = await h.store.create(BOB);
    const step = Math.floor(IDLE_S / 2);
    const end = h.clock.t + MAX_S * 1000;
    while (h.clock.t + step * 1000 <= end) {
      h.clock.advanceSeconds(step);
      expect(await h.store.get(busy)).not.toBeNull();
    }
    expect(await h.store.count()).toBe(1);
    h.clock.t = end + 1000;
    expect(await h.store.count()).toBe(0);
  });

  it("ends all of a user's live sessions, answers how many, and leaves other users alone", async () => {
    const alice1 = await h.store.create(ALICE);
    const alice2 = await h.store.create(ALICE);
    const bob = await h.store.create(BOB);
    expect(await h.store.deleteForUser('alice')).toBe(2);
    expect(await h.store.get(alice1)).toBeNull();
    expect(await h.store.get(alice2)).toBeNull();
    expect((await h.store.get(bob))?.user).toBe('bob');
    expect(await h.store.count()).toBe(1);
    expect(await h.store.deleteForUser('alice')).toBe(0);
    expect(await h.store.deleteForUser('nobody')).toBe(0);
    // Logging in again afterwards works as usual.
    const again = await h.store.create(ALICE);
    expect((await h.store.get(again))?.user).toBe('alice');
  });

  it('describes the live sessions of one user by their times only, without refreshing them', async () => {
    const first = await h.store.create(ALICE);
    h.clock.advanceSeconds(10);
    await h.store.create(ALICE);
    await h.store.create(BOB);
    const loggedOut = await h.store.create(ALICE);
    await h.store.delete(loggedOut);
    h.clock.advanceSeconds(5);
    await h.store.get(first);
    const sessions = await h.store.sessionsOf('alice', 10);
    expect(sessions).toEqual([
      { createdAt: T0, lastSeenAt: T0 + 15_000 },
      { createdAt: T0 + 10_000, lastSeenAt: T0 + 10_000 },
    ]);
    expect(JSON.stringify(sessions)).not.toContain(first);
    expect(await h.store.sessionsOf('alice', 1)).toHaveLength(1);
    expect(await h.store.sessionsOf('nobody', 10)).toEqual([]);
    // Listing refreshes nothing: the second session expires on its own schedule.
    h.clock.advanceSeconds(IDLE_S - 4);
    expect(await h.store.sessionsOf('alice', 10)).toEqual([{ createdAt: T0, lastSeenAt: T0 + 15_000 }]);
  });

  it('does not count sessions that had already expired or were logged out among those it ends', async () => {
    const old = await h.store.create(ALICE);
    const loggedOut = await h.store.create(ALICE);
    await h.store.delete(loggedOut);
    h.clock.advanceSeconds(IDLE_S + 1);
    const fresh = await h.store.create(ALICE);
    expect(await h.store.deleteForUser('alice')).toBe(1);
    expect(await h.store.get(fresh)).toBeNull();
    expect(await h.store.get(old)).toBeNull();
    expect(await h.store.count()).toBe(0);
  });

  it('ends every session of a user with more sessions than one batch', async () => {
    const ids = await Promise.all(Array.from({ length: 1203 }, () => h.store.create(BOB)));
    await h.store.create(ALICE);
    expect(await h.store.count()).toBe(1204);
    expect(await h.store.deleteForUser('bob')).toBe(1203);
    expect(await h.store.get(ids[0]!)).toBeNull();
    expect(await h.store.get(ids[1202]!)).toBeNull();
    expect(await h.store.count()).toBe(1);
  });
});

describe('MemorySessionStore memory bounds', () => {
  it('drops expired sessions from memory without them being looked up', async () => {
    const clock = new FakeClock(T0);
    const store = new MemorySessionStore({ limits: LIMITS, secretBox: box, clock });
    for (let i = 0; i < 50; i++) await store.create(ALICE);
    expect(store['entries'].size).toBe(50);
    clock.advanceSeconds(IDLE_S + 1);
    const fresh = await store.create(BOB);
    expect(store['entries'].size).toBe(1);
    expect((await store.get(fresh))?.user).toBe('bob');
  });

  it('evicts the least recently used session beyond maxSessions', async () => {
    const clock = new FakeClock(T0);
    const store = new MemorySessionStore({ limits: LIMITS, secretBox: box, clock, maxSessions: 2 });
    const a = await store.create(ALICE);
    const b = await store.create(BOB);
    await store.get(a);
    const c = await store.create(ALICE);
    expect(await store.get(b)).toBeNull();
    expect(await store.get(a)).not.toBeNull();
    expect(await store.get(c)).not.toBeNull();
  });
});

describe('RedisSessionStore specifics', () => {
  function makeStore(clock: FakeClock, secretBox = box, keyPrefix = testRedis.prefix()) {
    return { keyPrefix, store: new RedisSessionStore({ redis: testRedis.client, limits: LIMITS, secretBox, clock, keyPrefix }) };
  }

  it('lets Redis expire the key after the idle timeout, capped by the remaining lifetime', async () => {
    const clock = new FakeClock(T0);
    const keyPrefix = testRedis.prefix();
    const limits = { idleSeconds: 1800, maxSeconds: 3600 };
    const store = new RedisSessionStore({ redis: testRedis.client, limits, secretBox: box, clock, keyPrefix });
    const id = await store.create(ALICE);
    const key = `${keyPrefix}session:${sessionKeyHash(id)}`;
    const afterLogin = await testRedis.client.pttl(key);
    expect(afterLogin).toBeGreaterThan(1740 * 1000);
    expect(afterLogin).toBeLessThanOrEqual(1800 * 1000);

    clock.advanceSeconds(1799);
    expect(await store.get(id)).not.toBeNull();
    expect(await testRedis.client.pttl(key)).toBeGreaterThan(1740 * 1000);

    // 2 s of absolute lifetime left: Redis must not keep the key for a full idle period.
    clock.advanceSeconds(1799);
    expect(await store.get(id)).not.toBeNull();
    const nearEnd = await testRedis.client.pttl(key);
    expect(nearEnd).toBeGreaterThan(0);
    expect(nearEnd).toBeLessThanOrEqual(2000);
  });

  it('shares sessions between replicas configured with the same secret', async () => {
    const clock = new FakeClock(T0);
    const { store, keyPrefix } = makeStore(clock);
    const id = await store.create(ALICE);
    const replica = makeStore(clock, new SecretBox('contract-test-secret-0123456789'), keyPrefix).store;
    clock.advanceSeconds(60);
    expect(await replica.get(id)).toEqual({ ...ALICE, createdAt: T0, lastSeenAt: T0 + 60_000 });
    await replica.delete(id);
    expect(await store.get(id)).toBeNull();
  });

  it('treats a session sealed under another secret as expired, and removes it', async () => {
    const clock = new FakeClock(T0);
    const { store, keyPrefix } = makeStore(clock);
    const id = await store.create(ALICE);
    const otherBox = new SecretBox('a-different-secret-after-restart');
    const restarted = makeStore(clock, otherBox, keyPrefix).store;
    expect(await restarted.get(id)).toBeNull();
    expect(await testRedis.client.exists(`${keyPrefix}session:${sessionKeyHash(id)}`)).toBe(0);
  });

  it('does not accept a sealed password moved to another session', async () => {
    const clock = new FakeClock(T0);
    const { store, keyPrefix } = makeStore(clock);
    const alice = await store.create(ALICE);
    const bob = await store.create(BOB);
    const aliceKey = `${keyPrefix}session:${sessionKeyHash(alice)}`;
    const bobKey = `${keyPrefix}session:${sessionKeyHash(bob)}`;
    const aliceValue = JSON.parse((await testRedis.client.get(aliceKey))!) as { pw: string };
    const bobValue = JSON.parse((await testRedis.client.get(bobKey))!) as { pw: string };
    await testRedis.client.set(bobKey, JSON.stringify({ ...bobValue, pw: aliceValue.pw }), 'KEEPTTL');
    expect(await store.get(bob)).toBeNull();
    expect((await store.get(alice))?.password).toBe(ALICE.password);
  });

  it('keeps its session indexes bounded without scanning keys: ended entries leave, the user index expires', async () => {
    const clock = new FakeClock(T0);
    const { store, keyPrefix } = makeStore(clock);
    for (let i = 0; i < 20; i++) await store.create(ALICE);
    const live = `${keyPrefix}sessions:live`;
    const userKeys = await testRedis.client.keys(`${keyPrefix}sessions:user:*`);
    expect(userKeys).toHaveLength(1);
    // The user's index goes with the last absolute end of its sessions.
    const userTtl = await testRedis.client.pttl(userKeys[0]!);
    expect(userTtl).toBeGreaterThan((MAX_S - 60) * 1000);
    expect(userTtl).toBeLessThanOrEqual(MAX_S * 1000);
    expect(await testRedis.client.zcard(live)).toBe(20);
    expect(await testRedis.client.zcard(userKeys[0]!)).toBe(20);

    clock.advanceSeconds(MAX_S + 1);
    await store.create(ALICE);
    expect(await testRedis.client.zcard(live)).toBe(1);
    expect(await testRedis.client.zcard(userKeys[0]!)).toBe(1);
    // The user name is not part of any key name, only its hash.
    expect((await testRedis.client.keys(`${keyPrefix}*`)).join(' ')).not.toContain('alice');
  });

  it('indexes a session written before the indexes existed on its first use, so it is counted and ended', async () => {
    const clock = new FakeClock(T0);
    const { store, keyPrefix } = makeStore(clock);
    const id = await store.create(ALICE);
    // What an older version left behind: the session key alone.
    await testRedis.client.del(`${keyPrefix}sessions:live`, ...(await testRedis.client.keys(`${keyPrefix}sessions:user:*`)));
    expect(await store.count()).toBe(0);
    clock.advanceSeconds(10);
    expect(await store.get(id)).not.toBeNull();
    expect(await store.count()).toBe(1);
    expect(await store.deleteForUser('alice')).toBe(1);
    expect(await store.get(id)).toBeNull();
  });
});
