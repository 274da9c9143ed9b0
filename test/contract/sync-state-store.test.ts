import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySyncStateStore } from '../../src/state/memory/sync-state-store.js';
import { useTestRedis } from '../support/test-redis.js';
import { RedisSyncStateStore } from '../../src/state/redis/sync-state-store.js';
import type { SeenObject, SyncStateStore } from '../../src/state/sync-state-store.js';

const WORK = 'http://caldav.test/alice/work/';
const HOME = 'http://caldav.test/alice/calendar/';
const A = `${WORK}a.ics`;
const B = `${WORK}b.ics`;
const C = `${WORK}c.ics`;
const itemA: SeenObject = { uid: 'uid-a', type: 'VEVENT', dtstart: '20260310T090000Z' };
const itemB: SeenObject = { uid: 'uid-b', type: 'VTODO' };
const itemC: SeenObject = { uid: 'uid-c', type: 'VEVENT', dtstart: '20261224' };

const testRedis = useTestRedis('sync-state-contract');

const implementations: Array<[string, () => SyncStateStore]> = [
  ['MemorySyncStateStore', () => new MemorySyncStateStore()],
  ['RedisSyncStateStore', () => new RedisSyncStateStore({ redis: testRedis.client, ttlSeconds: 3600, keyPrefix: testRedis.prefix() })],
];

describe.each(implementations)('SyncStateStore contract: %s', (_name, makeStore) => {
  let store: SyncStateStore;
  beforeEach(() => {
    store = makeStore();
  });

  it('knows nothing about a calendar it has never synced', async () => {
    expect(await store.token(WORK)).toBeNull();
    expect(await store.knownUrls(WORK)).toEqual([]);
    expect(await store.seen(WORK, [A])).toEqual(new Map());
  });

  it('stores the first token and entries, then advances from that token', async () => {
    expect(await store.advance(WORK, null, 'token-1', new Map([[A, itemA], [B, itemB]]), [])).toBe(true);
    expect(await store.token(WORK)).toBe('token-1');
    expect(await store.seen(WORK, [A, B, C])).toEqual(new Map([[A, itemA], [B, itemB]]));
    expect(await store.advance(WORK, 'token-1', 'token-2', new Map([[C, itemC], [A, { ...itemA, dtstart: '20260311T090000Z' }]]), [B])).toBe(true);
    expect(await store.token(WORK)).toBe('token-2');
    expect(await store.seen(WORK, [A, B, C])).toEqual(new Map([[A, { ...itemA, dtstart: '20260311T090000Z' }], [C, itemC]]));
    expect((await store.knownUrls(WORK)).sort()).toEqual([A, C]);
  });

  it('refuses to advance from a token that is no longer the stored one, changing nothing', async () => {
    await store.advance(WORK, null, 'token-1', new Map([[A, itemA]]), []);
    await store.advance(WORK, 'token-1', 'token-2', new Map(), []);
    expect(await store.advance(WORK, 'token-1', 'token-3', new Map([[B, itemB]]), [A])).toBe(false);
    expect(await store.advance(WORK, null, 'token-4', new Map([[B, itemB]]), [A])).toBe(false);
    expect(await store.token(WORK)).toBe('token-2');
    expect(await store.seen(WORK, [A, B])).toEqual(new Map([[A, itemA]]));
  });

  it('lets exactly one of two concurrent advances from the same token win', async () => {
    await store.advance(WORK, null, 'token-1', new Map(), []);
    const results = await Promise.all([
      store.advance(WORK, 'token-1', 'token-x', new Map([[A, itemA]]), []),
      store.advance(WORK, 'token-1', 'token-y', new Map([[B, itemB]]), []),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'token-x' : 'token-y';
    expect(await store.token(WORK)).toBe(winner);
    expect(await store.knownUrls(WORK)).toEqual([winner === 'token-x' ? A : B]);
  });

  it('forgets entries the gateway deleted itself, keeping the token', async () => {
    await store.advance(WORK, null, 'token-1', new Map([[A, itemA], [B, itemB]]), []);
    await store.forget(WORK, [A, C]);
    await store.forget(WORK, []);
    expect(await store.seen(WORK, [A, B])).toEqual(new Map([[B, itemB]]));
    expect(await store.token(WORK)).toBe('token-1');
  });

  it('keeps calendars apart', async () => {
    await store.advance(WORK, null, 'work-token', new Map([[A, itemA]]), []);
    await store.advance(HOME, null, 'home-token', new Map([[`${HOME}a.ics`, itemB]]), []);
    expect(await store.token(WORK)).toBe('work-token');
    expect(await store.token(HOME)).toBe('home-token');
    expect(await store.seen(HOME, [A])).toEqual(new Map());
    expect(await store.knownUrls(HOME)).toEqual([`${HOME}a.ics`]);
  });

  it('stores URLs and UIDs with odd characters and tokens that look like URLs', async () => {
    const odd = `${WORK}${encodeURIComponent('ü b/c?')}.ics`;
    const item: SeenObject = { uid: '["quoted", "uid"] ü', type: 'VTODO', dtstart: '20260101' };
    const token = 'http://radicale.org/ns/sync/' + 'f'.repeat(64);
    expect(await store.advance(WORK, null, token, new Map([[odd, item]]), [])).toBe(true);
    expect(await store.seen(WORK, [odd])).toEqual(new Map([[odd, item]]));
    expect(await store.advance(WORK, token, `${token}-2`, new Map(), [odd])).toBe(true);
    expect(await store.knownUrls(WORK)).toEqual([]);
  });
});

describe('RedisSyncStateStore specifics', () => {
  it('gives both keys a TTL and keeps URLs out of the key names', async () => {
    const keyPrefix = testRedis.prefix();
    const store = new RedisSyncStateStore({ redis: testRedis.client, ttlSeconds: 600, keyPrefix });
    await store.advance(WORK, null, 'token-1', new Map([[A, itemA]]), []);
    const keys = (await testRedis.client.keys(`${keyPrefix}*`)).sort();
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${keyPrefix}sync:[0-9a-f]{64}:(seen|token)$`));
      expect(await testRedis.client.ttl(key)).toBeGreaterThan(500);
    }
  });
});
