import { beforeEach, describe, expect, it } from 'vitest';
import type { CalendarBackend } from '../../src/backend/calendar-backend.js';
import { BackgroundBuilds } from '../../src/calendars/background-builds.js';
import { ContentCache, type GoneObjects } from '../../src/calendars/content-cache.js';
import { tolerantSnapshots } from '../../src/calendars/tolerant-snapshots.js';
import type { Tombstone } from '../../src/model/deletion.js';
import { MemorySnapshotStore } from '../../src/state/memory/snapshot-store.js';
import { MemoryBackend } from '../support/memory-backend.js';

/**
 * The validated calendar cache over the in-memory CalDAV fake: when it asks the server, what it
 * serves, and that a change made behind its back is never hidden. (The same on Radicale and Redis:
 * test/integration/calendar-cache.test.ts.)
 */
const SERVER = 'http://caldav.test/';
const ALICE = { user: 'alice', password: 'alice-pw' };
const CALENDAR = `${SERVER}alice/calendar/`;

const event = (uid: string, summary: string) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z',
    'DTSTART:20270105T090000Z', 'DTEND:20270105T100000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

describe('ContentCache', () => {
  let backend: MemoryBackend;
  let cache: ContentCache;
  let builds: BackgroundBuilds;
  let gone: GoneObjects;
  const summaries = async (build = false) => {
    const read = await cache.read(ALICE, CALENDAR, build);
    if (read === 'cold') return 'cold';
    return read.snapshot ? [...read.snapshot.objects.values()].map((o) => /SUMMARY:(.*)/.exec(o.ical)![1]!.trim()) : 'uncached';
  };
  const callsDuring = async (action: () => Promise<unknown>) => {
    const before = backend.calls.length;
    await action();
    return backend.calls.slice(before);
  };

  beforeEach(async () => {
    backend = new MemoryBackend({ users: { alice: 'alice-pw' }, serverUrl: SERVER });
    await backend.createCalendar(ALICE, CALENDAR, {});
    await backend.createObject(ALICE, CALENDAR, 'a', event('a', 'First'));
    gone = [];
    builds = newBuilds();
    cache = new ContentCache({
      backend,
      builds,
      local: new MemorySnapshotStore({ maxBytes: 1024 * 1024 }),
      onGone: async (_url, objects): Promise<Tombstone[]> => {
        gone.push(...objects);
        return [];
      },
    });
  });

  it('leaves the first reads of a calendar to plain queries, builds in the background after the second, then serves after one validation', async () => {
    expect(await callsDuring(async () => expect(await summaries()).toBe('cold'))).toEqual([]);
    await builds.idle();
    expect(backend.calls).not.toContain('syncChanges');
    expect(await callsDuring(async () => expect(await summaries()).toBe('cold'))).toEqual([]);
    expect(await callsDuring(() => builds.idle())).toEqual(['getCalendar', 'syncChanges']);
    expect(await callsDuring(async () => expect(await summaries()).toEqual(['First']))).toEqual(['getCalendar']);
  });

  it('builds each calendar once however many reads ask for it', async () => {
    await summaries();
    await Promise.all(Array.from({ length: 5 }, () => summaries()));
    expect(await callsDuring(() => builds.idle())).toEqual(['getCalendar', 'syncChanges']);
  });

  it('builds at once when the whole calendar is needed', async () => {
    expect(await summaries(true)).toEqual(['First']);
  });

  it('shows a change, an addition and a deletion made on the server on the very next read', async () => {
    await summaries(true);
    const [stored] = await backend.syncChanges(ALICE, CALENDAR, undefined).then((s) => s.changed);
    await backend.updateObject(ALICE, stored!, event('a', 'Renamed'));
    await backend.createObject(ALICE, CALENDAR, 'b', event('b', 'Second'));
    expect(await summaries()).toEqual(['Renamed', 'Second']);
    const second = (await backend.syncChanges(ALICE, CALENDAR, undefined)).changed.find((o) => o.ical.includes('Second'))!;
    await backend.deleteObject(ALICE, second);
    expect(await callsDuring(async () => expect(await summaries()).toEqual(['Renamed']))).toEqual(['getCalendar', 'syncChanges']);
    expect(gone.map((g) => g.url)).toEqual([second.url]);
  });

  it('falls back to a full listing when the server refuses the sync token, and still finds what is gone', async () => {
    await summaries(true);
    const other = new MemoryBackend({ users: { alice: 'alice-pw' }, serverUrl: SERVER });
    // The same calendar recreated elsewhere: its sync tokens are not this one's.
    await other.createCalendar(ALICE, CALENDAR, {});
    await other.createObject(ALICE, CALENDAR, 'c', event('c', 'Third'));
    const moved = new ContentCache({
      backend: other,
      builds: newBuilds(),
      local: cacheStoreWith(await snapshotOf(cache)),
      onGone: async (_url, objects) => {
        gone.push(...objects);
        return [];
      },
    });
    const read = await moved.read(ALICE, CALENDAR, false);
    expect(read === 'cold' ? 'cold' : [...read.snapshot!.objects.keys()]).toEqual([`${CALENDAR}c.ics`]);
    expect(gone.map((g) => g.url)).toEqual([`${CALENDAR}a.ics`]);
    expect(other.calls.filter((c) => c === 'syncChanges')).toHaveLength(2);
  });

  it('never caches a calendar whose server offers no content tag', async () => {
    const untagged: CalendarBackend = Object.assign(Object.create(backend) as CalendarBackend, {
      getCalendar: (credentials: typeof ALICE, url: string) => backend.getCalendar(credentials, url),
    });
    const plain = new ContentCache({ backend: untagged, builds: newBuilds(), local: new MemorySnapshotStore({ maxBytes: 1024 * 1024 }), onGone: async () => [] });
    const read = await plain.read(ALICE, CALENDAR, true);
    expect(read !== 'cold' && read.snapshot).toBeNull();
    const before = backend.calls.length;
    expect(await plain.read(ALICE, CALENDAR, false)).toBe('cold');
    expect(await plain.read(ALICE, CALENDAR, false)).toBe('cold');
    expect(backend.calls.slice(before)).toEqual([]);
  });

  it('concurrent reads of one user share one validation per round', async () => {
    await summaries(true);
    const calls = await callsDuring(() => Promise.all(Array.from({ length: 8 }, () => summaries())));
    expect(calls.filter((c) => c === 'getCalendar').length).toBeLessThanOrEqual(2);
  });

  it('reports a calendar that no longer exists', async () => {
    await summaries(true);
    await expect(cache.read({ user: 'alice', password: 'alice-pw' }, `${SERVER}alice/missing/`, true)).rejects.toMatchObject({ kind: 'no-calendar' });
  });
});

/** A failed build rethrows: the unhandled rejection fails the run instead of passing unseen. */
function newBuilds(): BackgroundBuilds {
  return new BackgroundBuilds({
    concurrency: 1,
    maxQueued: 10,
    onError: (err) => {
      throw err;
    },
  });
}

async function snapshotOf(cache: ContentCache) {
  const snapshot = await cache.peek(CALENDAR);
  if (!snapshot) throw new Error('no snapshot');
  return snapshot;
}

function cacheStoreWith(snapshot: NonNullable<Awaited<ReturnType<ContentCache['peek']>>>): MemorySnapshotStore {
  const store = new MemorySnapshotStore({ maxBytes: 1024 * 1024 });
  void store.apply(CALENDAR, { ...snapshot, complete: true, set: snapshot.objects, remove: [] }, null);
  return store;
}

describe('the shared snapshot store failing', () => {
  it('never fails a read: the cache carries on with the server and its own snapshot, and reports it', async () => {
    const backend = new MemoryBackend({ users: { alice: 'alice-pw' }, serverUrl: SERVER });
    await backend.createCalendar(ALICE, CALENDAR, {});
    await backend.createObject(ALICE, CALENDAR, 'a', event('a', 'First'));
    const down = async (): Promise<never> => {
      throw new Error('Redis unavailable: Command timed out');
    };
    const failures: string[] = [];
    const shared = tolerantSnapshots({ get: down, tag: down, apply: down, patch: down, delete: down, close: async () => undefined }, (what) => failures.push(what));
    const cache = new ContentCache({ backend, builds: newBuilds(), local: new MemorySnapshotStore({ maxBytes: 1024 * 1024 }), shared, onGone: async () => [] });
    const read = await cache.read(ALICE, CALENDAR, true);
    expect(read !== 'cold' && [...read.snapshot!.objects.keys()]).toEqual([`${CALENDAR}a.ics`]);
    await cache.noteWrite(CALENDAR, [], [`${CALENDAR}a.ics`]);
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['reading a calendar snapshot', 'writing a calendar snapshot']));
  });
});
