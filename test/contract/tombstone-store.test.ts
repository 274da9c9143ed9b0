import { beforeEach, describe, expect, it } from 'vitest';
import type { Tombstone } from '../../src/model/deletion.js';
import { MemoryTombstoneStore } from '../../src/state/memory/tombstone-store.js';
import { useTestRedis } from '../support/test-redis.js';
import { RedisTombstoneStore } from '../../src/state/redis/tombstone-store.js';
import type { TombstoneStore } from '../../src/state/tombstone-store.js';

const WORK = 'http://caldav.test/alice/work/';
const HOME = 'http://caldav.test/alice/calendar/';
const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);

const testRedis = useTestRedis('tombstone-contract');

/** A clock the test moves; the stores measure retention against it. */
const clock = { ms: T0, now() { return this.ms; } };

const implementations: Array<[string, (retentionSeconds: number) => TombstoneStore]> = [
  ['MemoryTombstoneStore', (retentionSeconds) => new MemoryTombstoneStore({ clock, retentionSeconds })],
  [
    'RedisTombstoneStore',
    (retentionSeconds) => new RedisTombstoneStore({ redis: testRedis.client, clock, retentionSeconds, keyPrefix: testRedis.prefix() }),
  ],
];

const meeting = (deletedAt: number, extra: Partial<Tombstone> = {}): Tombstone => ({
  uid: 'meeting-1',
  type: 'VEVENT',
  dtstart: '20260310T090000Z',
  deletedAt,
  ...extra,
});

describe.each(implementations)('TombstoneStore contract: %s', (_name, makeStore) => {
  let store: TombstoneStore;
  beforeEach(() => {
    clock.ms = T0;
    store = makeStore(30 * 24 * 3600);
  });

  it('lists nothing for a calendar without deletions', async () => {
    expect(await store.list(WORK, -Infinity, Infinity)).toEqual([]);
  });

  it('returns recorded deletions with every field, oldest first', async () => {
    const instance: Tombstone = { uid: 'series-1', type: 'VEVENT', recurrenceId: '20260317T090000Z', dtstart: '20260317T100000Z', deletedAt: T0 - 1000 };
    const task: Tombstone = { uid: 'task-1', type: 'VTODO', deletedAt: T0 - 500 };
    const allDay: Tombstone = { uid: 'holiday', type: 'VEVENT', recurrenceId: '20261224', dtstart: '20261224', deletedAt: T0 - 2000 };
    await store.record(WORK, [meeting(T0), instance]);
    await store.record(WORK, [task, allDay]);
    expect(await store.list(WORK, -Infinity, Infinity)).toEqual([allDay, instance, task, meeting(T0)]);
  });

  it('selects by deletion time, both bounds inclusive', async () => {
    await store.record(WORK, [meeting(T0 - 3000, { uid: 'a' }), meeting(T0 - 2000, { uid: 'b' }), meeting(T0 - 1000, { uid: 'c' }), meeting(T0, { uid: 'd' })]);
    const uids = async (from: number, to: number) => (await store.list(WORK, from, to)).map((t) => t.uid);
    expect(await uids(T0 - 2000, T0 - 1000)).toEqual(['b', 'c']);
    expect(await uids(T0 - 1999, T0 - 1001)).toEqual([]);
    expect(await uids(-Infinity, T0 - 2000)).toEqual(['a', 'b']);
    expect(await uids(T0 - 1000, Infinity)).toEqual(['c', 'd']);
  });

  it('keeps one entry per deletion: recording it again moves it to the new time', async () => {
    await store.record(WORK, [meeting(T0 - 5000)]);
    await store.record(WORK, [meeting(T0)]);
    expect(await store.list(WORK, -Infinity, Infinity)).toEqual([meeting(T0)]);
    expect(await store.list(WORK, -Infinity, T0 - 1)).toEqual([]);
  });

  it('tells a deleted instance from the deleted series, and instances apart', async () => {
    const whole = meeting(T0 - 300);
    const first = meeting(T0 - 200, { recurrenceId: '20260310T090000Z' });
    const second = meeting(T0 - 100, { recurrenceId: '20260317T090000Z', dtstart: '20260317T090000Z' });
    await store.record(WORK, [whole, first, second]);
    expect(await store.list(WORK, -Infinity, Infinity)).toEqual([whole, first, second]);
  });

  it('keeps calendars apart', async () => {
    await store.record(WORK, [meeting(T0)]);
    await store.record(HOME, [meeting(T0, { uid: 'home-only' })]);
    expect((await store.list(WORK, -Infinity, Infinity)).map((t) => t.uid)).toEqual(['meeting-1']);
    expect((await store.list(HOME, -Infinity, Infinity)).map((t) => t.uid)).toEqual(['home-only']);
    expect(await store.list(`${WORK}x/`, -Infinity, Infinity)).toEqual([]);
  });

  it('handles UIDs with separators, quotes, non-ASCII and great length', async () => {
    const uids = ['a:b', '["x",null]', 'ü/€?#&=%20;,', '040000008200E00074C5B7101A82E008@outlook', 'x'.repeat(2000)];
    await store.record(WORK, uids.map((uid, i) => meeting(T0 + i, { uid })));
    expect((await store.list(WORK, -Infinity, Infinity)).map((t) => t.uid)).toEqual(uids);
  });

  it('forgets deletions older than the retention period', async () => {
    const short = makeStore(3600);
    await short.record(WORK, [meeting(T0 - 2 * 3600 * 1000, { uid: 'too-old' }), meeting(T0 - 1000, { uid: 'recent' })]);
    expect((await short.list(WORK, -Infinity, Infinity)).map((t) => t.uid)).toEqual(['recent']);
    clock.ms = T0 + 3600 * 1000;
    expect(await short.list(WORK, -Infinity, Infinity)).toEqual([]);
    clock.ms = T0 + DAY;
    await short.record(WORK, [meeting(clock.ms, { uid: 'new' })]);
    expect((await short.list(WORK, -Infinity, Infinity)).map((t) => t.uid)).toEqual(['new']);
  });

  it('accepts an empty record', async () => {
    await store.record(WORK, []);
    expect(await store.list(WORK, -Infinity, Infinity)).toEqual([]);
  });
});

describe('RedisTombstoneStore specifics', () => {
  it('uses one expiring sorted set per calendar whose key holds no URL', async () => {
    const keyPrefix = testRedis.prefix();
    const store = new RedisTombstoneStore({ redis: testRedis.client, clock: { now: () => T0 }, retentionSeconds: 3600, keyPrefix });
    await store.record(WORK, [meeting(T0), meeting(T0, { uid: 'second' })]);
    const keys = await testRedis.client.keys(`${keyPrefix}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${keyPrefix}tomb:[0-9a-f]{64}$`));
    expect(await testRedis.client.type(keys[0]!)).toBe('zset');
    expect(await testRedis.client.zcard(keys[0]!)).toBe(2);
    const ttl = await testRedis.client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(3500 * 1000);
    expect(ttl).toBeLessThanOrEqual(3600 * 1000);
  });
});
