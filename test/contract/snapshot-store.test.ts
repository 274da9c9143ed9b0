import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySnapshotStore } from '../../src/state/memory/snapshot-store.js';
import { RedisSnapshotStore } from '../../src/state/redis/snapshot-store.js';
import { objectBytes, type SnapshotChange, type SnapshotObject, type SnapshotStore } from '../../src/state/snapshot-store.js';
import { useTestRedis } from '../support/test-redis.js';

/**
 * The calendar cache's storage: one contract for the in-process store and the Redis store the
 * replicas share. What matters to users: a snapshot never mixes two states, a refresh computed from
 * an outdated base never overwrites a newer one, the gateway's own writes are never mistaken for a
 * validated state, and the size bound evicts the calendars read least recently.
 */
const testRedis = useTestRedis('snapshot-contract');
const clock = { now: () => Date.now() };

const A = 'http://caldav.test/alice/calendar/';
const B = 'http://caldav.test/bob/calendar/';
const C = 'http://caldav.test/carol/calendar/';
const object = (n: number, text = `event ${n}`): SnapshotObject => ({ version: `"v${n}"`, ical: `BEGIN:VCALENDAR\r\nSUMMARY:${text}\r\nEND:VCALENDAR\r\n` });
const objects = (...entries: Array<[string, SnapshotObject]>) => new Map(entries);
const full = (tag: string, set: Map<string, SnapshotObject>, syncToken = `token-${tag}`): SnapshotChange => ({ tag, syncToken, complete: true, set, remove: [] });

const implementations: Array<[string, (maxBytes: number) => SnapshotStore]> = [
  ['MemorySnapshotStore', (maxBytes) => new MemorySnapshotStore({ maxBytes })],
  ['RedisSnapshotStore', (maxBytes) => new RedisSnapshotStore({ redis: testRedis.client, clock, maxBytes, keyPrefix: testRedis.prefix() })],
];

describe.each(implementations)('SnapshotStore contract: %s', (_name, makeStore) => {
  let store: SnapshotStore;
  beforeEach(() => {
    store = makeStore(10 * 1024 * 1024);
  });

  it('has nothing for a calendar never stored', async () => {
    expect(await store.get(A)).toBeNull();
    expect(await store.tag(A)).toBeNull();
  });

  it('returns a complete snapshot as stored, objects sorted by URL, with tag and sync token', async () => {
    expect(await store.apply(A, full('t1', objects([`${A}b.ics`, object(2)], [`${A}a.ics`, object(1)])), null)).toBe(true);
    const snapshot = await store.get(A);
    expect(snapshot?.tag).toBe('t1');
    expect(snapshot?.syncToken).toBe('token-t1');
    expect([...snapshot!.objects.keys()]).toEqual([`${A}a.ics`, `${A}b.ics`]);
    expect(snapshot!.objects.get(`${A}b.ics`)).toEqual(object(2));
    expect(await store.tag(A)).toBe('t1');
  });

  it('applies an incremental change only onto the state it was computed from', async () => {
    await store.apply(A, full('t1', objects([`${A}a.ics`, object(1)], [`${A}b.ics`, object(2)])), null);
    const change: SnapshotChange = { tag: 't2', syncToken: 'token-t2', complete: false, set: objects([`${A}c.ics`, object(3)]), remove: [`${A}a.ics`] };
    // Computed from a state the store no longer holds: refused, nothing changes.
    expect(await store.apply(A, change, 't0')).toBe(false);
    expect((await store.get(A))?.tag).toBe('t1');
    expect(await store.apply(A, change, 't1')).toBe(true);
    const snapshot = await store.get(A);
    expect([snapshot?.tag, snapshot?.syncToken]).toEqual(['t2', 'token-t2']);
    expect([...snapshot!.objects.keys()]).toEqual([`${A}b.ics`, `${A}c.ics`]);
  });

  it('refuses an incremental change for a calendar it holds nothing of (no half snapshots)', async () => {
    const change: SnapshotChange = { tag: 't2', complete: false, set: objects([`${A}c.ics`, object(3)]), remove: [] };
    expect(await store.apply(A, change, 't1')).toBe(false);
    expect(await store.get(A)).toBeNull();
  });

  it('a complete change based on nothing replaces whatever is there', async () => {
    await store.apply(A, full('t1', objects([`${A}a.ics`, object(1)])), null);
    expect(await store.apply(A, full('t5', objects([`${A}z.ics`, object(9)])), null)).toBe(true);
    const snapshot = await store.get(A);
    expect(snapshot?.tag).toBe('t5');
    expect([...snapshot!.objects.keys()]).toEqual([`${A}z.ics`]);
  });

  it("records the gateway's own write and clears the tag, so the next read refreshes", async () => {
    await store.apply(A, full('t1', objects([`${A}a.ics`, object(1)], [`${A}b.ics`, object(2)])), null);
    await store.patch(A, objects([`${A}a.ics`, object(11, 'changed')], [`${A}n.ics`, object(12)]), [`${A}b.ics`]);
    const snapshot = await store.get(A);
    expect(snapshot?.tag).toBe('');
    expect(snapshot?.syncToken).toBe('token-t1');
    expect(snapshot!.objects.get(`${A}a.ics`)?.ical).toContain('changed');
    expect([...snapshot!.objects.keys()]).toEqual([`${A}a.ics`, `${A}n.ics`]);
    // A refresh based on the patched state may follow.
    expect(await store.apply(A, { tag: 't2', complete: false, set: new Map(), remove: [] }, '')).toBe(true);
    expect(await store.tag(A)).toBe('t2');
  });

  it('ignores a write-through for a calendar it holds nothing of', async () => {
    await store.patch(A, objects([`${A}a.ics`, object(1)]), []);
    expect(await store.get(A)).toBeNull();
  });

  it('keeps calendars apart and forgets one on delete', async () => {
    await store.apply(A, full('ta', objects([`${A}a.ics`, object(1)])), null);
    await store.apply(B, full('tb', objects([`${B}b.ics`, object(2)])), null);
    await store.delete(A);
    expect(await store.get(A)).toBeNull();
    expect((await store.get(B))?.tag).toBe('tb');
    await expect(store.delete(A)).resolves.toBeUndefined();
  });

  it('evicts the least recently used calendars beyond its size bound', async () => {
    const big = (url: string, n: number) => objects([`${url}x.ics`, object(n, 'x'.repeat(4000))]);
    const one = objectBytes(`${A}x.ics`, object(1, 'x'.repeat(4000))) + 256;
    const bounded = makeStore(Math.floor(one * 2.5));
    await bounded.apply(A, full('ta', big(A, 1)), null);
    await bounded.apply(B, full('tb', big(B, 2)), null);
    // Reading A makes B the least recently used.
    expect(await bounded.get(A)).not.toBeNull();
    await bounded.apply(C, full('tc', big(C, 3)), null);
    expect(await bounded.get(B)).toBeNull();
    expect((await bounded.get(A))?.tag).toBe('ta');
    expect((await bounded.get(C))?.tag).toBe('tc');
  });

  it('stores and replaces a large calendar whole (written in slices, swapped in at once)', async () => {
    const many = (n: number, text: string) => new Map(Array.from({ length: n }, (_, i): [string, SnapshotObject] => [`${A}${String(i).padStart(5, '0')}.ics`, object(i, text)]));
    expect(await store.apply(A, full('t1', many(1200, 'first')), null)).toBe(true);
    let snapshot = await store.get(A);
    expect(snapshot?.objects.size).toBe(1200);
    expect(snapshot?.objects.get(`${A}00007.ics`)?.ical).toContain('first');
    // Computed from a state that is no longer there: refused, the stored one stays whole.
    expect(await store.apply(A, full('t2', many(900, 'stale')), 'other')).toBe(false);
    expect((await store.get(A))?.objects.size).toBe(1200);
    expect(await store.apply(A, full('t3', many(700, 'second')), 't1')).toBe(true);
    snapshot = await store.get(A);
    expect([snapshot?.tag, snapshot?.objects.size]).toEqual(['t3', 700]);
    expect(snapshot?.objects.get(`${A}00007.ics`)?.ical).toContain('second');
  });

  it('does not keep a snapshot larger than its whole bound', async () => {
    const tiny = makeStore(1000);
    expect(await tiny.apply(A, full('t1', objects([`${A}x.ics`, object(1, 'x'.repeat(5000))])), null)).toBe(false);
    expect(await tiny.get(A)).toBeNull();
  });
});
