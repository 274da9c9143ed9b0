import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../model/clock.js';
import type { CalendarSnapshot, SnapshotChange, SnapshotObject, SnapshotStore } from '../snapshot-store.js';
import { callRedis, runScript } from './connection.js';
import { APPLY, DELETE, GET, PATCH, REPLACE } from './snapshot-scripts.js';

export interface RedisSnapshotStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  clock: Clock;
  /** Most bytes held over all snapshots; least recently used snapshots are evicted beyond it. */
  maxBytes: number;
  /** Prepended to every key. Default `wcap:`. */
  keyPrefix?: string;
}

/** Objects per staging write of a complete snapshot (keeps every Redis command small). */
const STAGING_SLICE = 500;
/** A staging hash left behind by a process that died while writing disappears after this. */
const STAGING_TTL_MS = 120_000;

/**
 * SnapshotStore on Redis, shared by every replica. Per collection (id = sha256 of its URL):
 * `<prefix>snap:<id>:meta` (JSON: tag, sync token, byte count) and `<prefix>snap:<id>:objs` (hash:
 * object URL → JSON [etag, iCalendar]); plus `<prefix>snap:lru` (sorted set of ids by last use)
 * and `<prefix>snap:total` (bytes over all snapshots). Every change runs as one Lua script, so a
 * reader never sees a tag with objects of another state, and two replicas refreshing the same
 * collection cannot interleave (the compare-and-set on the tag lets only one of them write).
 * Eviction of the least recently used snapshots happens in the same script.
 */
export class RedisSnapshotStore implements SnapshotStore {
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly prefix: string;

  constructor(options: RedisSnapshotStoreOptions) {
    if (!(options.maxBytes >= 0)) throw new RangeError('maxBytes must not be negative');
    this.redis = options.redis;
    this.clock = options.clock;
    this.maxBytes = options.maxBytes;
    this.prefix = `${options.keyPrefix ?? 'wcap:'}snap:`;
  }

  async get(calendarUrl: string): Promise<CalendarSnapshot | null> {
    const { id, meta, objs, lru } = this.keys(calendarUrl);
    const reply = (await callRedis('reading a calendar snapshot', () =>
      runScript(this.redis, GET, [meta, objs, lru], [String(this.clock.now()), id]),
    )) as [string, string[]] | null;
    if (!reply) return null;
    const record = JSON.parse(reply[0]) as { tag: string; syncToken?: string };
    const entries: Array<[string, SnapshotObject]> = [];
    const flat = reply[1];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [version, ical] = JSON.parse(flat[i + 1]!) as [string, string];
      entries.push([flat[i]!, { version, ical }]);
    }
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { tag: record.tag, ...(record.syncToken ? { syncToken: record.syncToken } : {}), objects: new Map(entries) };
  }

  async tag(calendarUrl: string): Promise<string | null> {
    const raw = await callRedis('reading a calendar snapshot', () => this.redis.get(this.keys(calendarUrl).meta));
    return raw === null ? null : (JSON.parse(raw) as { tag: string }).tag;
  }

  async apply(calendarUrl: string, change: SnapshotChange, basedOn: string | null): Promise<boolean> {
    if (change.complete && change.set.size > STAGING_SLICE) return this.replace(calendarUrl, change, basedOn);
    const { id, meta, objs, lru, total } = this.keys(calendarUrl);
    const args = [
      basedOn ?? '',
      basedOn === null ? '0' : '1',
      change.complete ? '1' : '0',
      change.tag,
      change.syncToken ?? '',
      String(this.clock.now()),
      String(this.maxBytes),
      id,
      this.prefix,
      String(change.set.size),
      ...encodedEntries(change.set).flat(),
      ...change.remove,
    ];
    const done = await callRedis('writing a calendar snapshot', () => runScript(this.redis, APPLY, [meta, objs, lru, total], args));
    return Number(done) === 1;
  }

  /** A large complete snapshot: written in slices into a staging hash, then swapped in atomically. */
  private async replace(calendarUrl: string, change: SnapshotChange, basedOn: string | null): Promise<boolean> {
    const { id, meta, objs, lru, total } = this.keys(calendarUrl);
    const staging = `${this.prefix}${id}:staging:${randomUUID()}`;
    const entries = encodedEntries(change.set);
    const bytes = entries.reduce((sum, [url, value]) => sum + Buffer.byteLength(url) + Buffer.byteLength(value) + 64, 256);
    for (let i = 0; i < entries.length; i += STAGING_SLICE) {
      const slice = entries.slice(i, i + STAGING_SLICE).flat();
      await callRedis('writing a calendar snapshot', () => this.redis.multi().hset(staging, ...slice).pexpire(staging, STAGING_TTL_MS).exec());
    }
    const args = [basedOn ?? '', basedOn === null ? '0' : '1', change.tag, change.syncToken ?? '', String(this.clock.now()), String(this.maxBytes), id, this.prefix, String(bytes)];
    const done = await callRedis('writing a calendar snapshot', () => runScript(this.redis, REPLACE, [meta, objs, lru, total, staging], args));
    return Number(done) === 1;
  }

  async patch(calendarUrl: string, set: ReadonlyMap<string, SnapshotObject>, remove: readonly string[]): Promise<void> {
    const { id, meta, objs, lru, total } = this.keys(calendarUrl);
    const pairs = encodedEntries(set).flat();
    await callRedis('writing a calendar snapshot', () =>
      runScript(this.redis, PATCH, [meta, objs, lru, total], [String(this.clock.now()), id, String(set.size), ...pairs, ...remove]),
    );
  }

  async delete(calendarUrl: string): Promise<void> {
    const { id, meta, objs, lru, total } = this.keys(calendarUrl);
    await callRedis('deleting a calendar snapshot', () => runScript(this.redis, DELETE, [meta, objs, lru, total], [id]));
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keys(calendarUrl: string): { id: string; meta: string; objs: string; lru: string; total: string } {
    const id = createHash('sha256').update(calendarUrl, 'utf8').digest('hex');
    return {
      id,
      meta: `${this.prefix}${id}:meta`,
      objs: `${this.prefix}${id}:objs`,
      lru: `${this.prefix}lru`,
      total: `${this.prefix}total`,
    };
  }
}

/** Hash entries as stored: object URL → JSON [etag, iCalendar]. */
function encodedEntries(objects: ReadonlyMap<string, SnapshotObject>): Array<[string, string]> {
  return [...objects].map(([url, object]) => [url, JSON.stringify([object.version, object.ical])]);
}
