import { beforeEach, describe, expect, it } from 'vitest';
import type { GuidStore } from '../../src/state/guid-store.js';
import { MemoryGuidStore } from '../../src/state/memory/guid-store.js';
import { useTestRedis } from '../support/test-redis.js';
import { RedisGuidStore } from '../../src/state/redis/guid-store.js';

const WORK = 'http://caldav.test/alice/work/';
const HOME = 'http://caldav.test/alice/calendar/';

const testRedis = useTestRedis('guid-contract');

const implementations: Array<[string, () => GuidStore]> = [
  ['MemoryGuidStore', () => new MemoryGuidStore()],
  ['RedisGuidStore', () => new RedisGuidStore({ redis: testRedis.client, keyPrefix: testRedis.prefix() })],
];

describe.each(implementations)('GuidStore contract: %s', (_name, makeStore) => {
  let store: GuidStore;
  beforeEach(() => {
    store = makeStore();
  });

  it('answers null for a UID it has never seen', async () => {
    expect(await store.get(WORK, 'never-stored')).toBeNull();
  });

  it('returns the object URL that was set', async () => {
    await store.set(WORK, 'uid-1', `${WORK}a1b2c3.ics`);
    expect(await store.get(WORK, 'uid-1')).toBe(`${WORK}a1b2c3.ics`);
  });

  it('overwrites an entry when the object moves', async () => {
    await store.set(WORK, 'uid-1', `${WORK}old.ics`);
    await store.set(WORK, 'uid-1', `${WORK}new.ics`);
    expect(await store.get(WORK, 'uid-1')).toBe(`${WORK}new.ics`);
  });

  it('forgets a deleted entry and tolerates deleting a missing one', async () => {
    await store.set(WORK, 'uid-1', `${WORK}x.ics`);
    await store.set(WORK, 'uid-2', `${WORK}y.ics`);
    await store.delete(WORK, 'uid-1');
    expect(await store.get(WORK, 'uid-1')).toBeNull();
    expect(await store.get(WORK, 'uid-2')).toBe(`${WORK}y.ics`);
    await expect(store.delete(WORK, 'uid-1')).resolves.toBeUndefined();
  });

  it('keeps the same UID in different calendars apart', async () => {
    await store.set(WORK, 'shared-uid', `${WORK}w.ics`);
    await store.set(HOME, 'shared-uid', `${HOME}h.ics`);
    expect(await store.get(WORK, 'shared-uid')).toBe(`${WORK}w.ics`);
    expect(await store.get(HOME, 'shared-uid')).toBe(`${HOME}h.ics`);
    await store.delete(HOME, 'shared-uid');
    expect(await store.get(WORK, 'shared-uid')).toBe(`${WORK}w.ics`);
  });

  it('handles UIDs with separators, non-ASCII and great length', async () => {
    const uids = ['a:b', 'a', ':b', '040000008200E00074C5B7101A82E008@outlook', 'ü/€?#&=%20', 'x'.repeat(2000)];
    for (const [i, uid] of uids.entries()) await store.set(WORK, uid, `${WORK}${i}.ics`);
    for (const [i, uid] of uids.entries()) expect(await store.get(WORK, uid), uid).toBe(`${WORK}${i}.ics`);
    // The calendar/UID boundary is not ambiguous: ("…/work/" + "a:b") is not ("…/work/a" + ":b").
    expect(await store.get(`${WORK}a`, ':b')).toBeNull();
  });
});

describe('MemoryGuidStore bounds', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const store = new MemoryGuidStore({ maxEntries: 2 });
    await store.set(WORK, 'a', 'A');
    await store.set(WORK, 'b', 'B');
    await store.get(WORK, 'a');
    await store.set(WORK, 'c', 'C');
    expect(await store.get(WORK, 'b')).toBeNull();
    expect(await store.get(WORK, 'a')).toBe('A');
    expect(await store.get(WORK, 'c')).toBe('C');
  });
});

describe('RedisGuidStore specifics', () => {
  it('gives every entry a TTL and keeps calendar URLs and UIDs out of the keys', async () => {
    const keyPrefix = testRedis.prefix();
    const store = new RedisGuidStore({ redis: testRedis.client, keyPrefix, ttlSeconds: 3600 });
    await store.set(WORK, 'secret-meeting-uid', `${WORK}m.ics`);
    const keys = await testRedis.client.keys(`${keyPrefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${keyPrefix}guid:[0-9a-f]{64}:[0-9a-f]{64}$`));
    const ttl = await testRedis.client.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });
});
