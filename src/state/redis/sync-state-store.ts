import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SeenObject, SyncStateStore } from '../sync-state-store.js';
import { callRedis } from './connection.js';

export interface RedisSyncStateStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  /** Lifetime of a calendar's state after its last `advance`, in seconds. */
  ttlSeconds: number;
  /** Prepended to every key. Default `wcap:`. */
  keyPrefix?: string;
}

// Compare-and-set of the token plus the map changes, in one step: two replicas syncing the same
// calendar at once must not interleave their map updates under the wrong token.
// KEYS[1] token, KEYS[2] map; ARGV[1] expected ('' = none), ARGV[2] next, ARGV[3] TTL (ms),
// ARGV[4] number of entries to set, then url/value pairs, then URLs to remove.
const ADVANCE = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
local i = 5
for _ = 1, tonumber(ARGV[4]) do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('HDEL', KEYS[2], ARGV[i])
  i = i + 1
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`;

/**
 * SyncStateStore on Redis, shared by every replica: per calendar a string
 * `<prefix>sync:<sha256(calendarUrl)>:token` and a hash `…:seen` (object URL → JSON
 * `[uid, type, dtstart]`), both expiring `ttlSeconds` after the last advance.
 */
export class RedisSyncStateStore implements SyncStateStore {
  private readonly redis: Redis;
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(options: RedisSyncStateStoreOptions) {
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) {
      throw new RangeError('ttlSeconds must be a positive integer');
    }
    this.redis = options.redis;
    this.ttlMs = options.ttlSeconds * 1000;
    this.prefix = options.keyPrefix ?? 'wcap:';
  }

  async token(calendarUrl: string): Promise<string | null> {
    const token = await callRedis('reading a sync token', () => this.redis.get(this.keys(calendarUrl).token));
    return token === null || token === '' ? null : token;
  }

  async seen(calendarUrl: string, urls: readonly string[]): Promise<Map<string, SeenObject>> {
    const out = new Map<string, SeenObject>();
    if (urls.length === 0) return out;
    const values = await callRedis('reading the sync map', () => this.redis.hmget(this.keys(calendarUrl).seen, ...urls));
    urls.forEach((url, i) => {
      const entry = parseEntry(values[i]);
      if (entry) out.set(url, entry);
    });
    return out;
  }

  async knownUrls(calendarUrl: string): Promise<string[]> {
    return callRedis('reading the sync map', () => this.redis.hkeys(this.keys(calendarUrl).seen));
  }

  async advance(
    calendarUrl: string,
    expected: string | null,
    next: string,
    seen: ReadonlyMap<string, SeenObject>,
    gone: readonly string[],
  ): Promise<boolean> {
    if (next === '') throw new RangeError('a sync token is never empty');
    const { token, seen: map } = this.keys(calendarUrl);
    const entries = [...seen].flatMap(([url, entry]) => [url, JSON.stringify([entry.uid, entry.type, entry.dtstart ?? null])]);
    const args = [expected ?? '', next, String(this.ttlMs), String(seen.size), ...entries, ...gone];
    const done = await callRedis('writing the sync map', () => this.redis.eval(ADVANCE, 2, token, map, ...args));
    return Number(done) === 1;
  }

  async forget(calendarUrl: string, urls: readonly string[]): Promise<void> {
    if (urls.length === 0) return;
    await callRedis('writing the sync map', () => this.redis.hdel(this.keys(calendarUrl).seen, ...urls));
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keys(calendarUrl: string): { token: string; seen: string } {
    const base = `${this.prefix}sync:${createHash('sha256').update(calendarUrl, 'utf8').digest('hex')}`;
    return { token: `${base}:token`, seen: `${base}:seen` };
  }
}

function parseEntry(value: string | null | undefined): SeenObject | undefined {
  if (!value) return undefined;
  try {
    const [uid, type, dtstart] = JSON.parse(value) as [unknown, unknown, unknown];
    if (typeof uid !== 'string' || (type !== 'VEVENT' && type !== 'VTODO')) return undefined;
    return typeof dtstart === 'string' ? { uid, type, dtstart } : { uid, type };
  } catch {
    return undefined;
  }
}
