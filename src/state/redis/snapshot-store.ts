import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../model/clock.js';
import type { CalendarSnapshot, SnapshotChange, SnapshotObject, SnapshotStore } from '../snapshot-store.js';
import { callRedis, runScript } from './connection.js';

export interface RedisSnapshotStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  clock: Clock;
  /** Most bytes held over all snapshots; least recently used snapshots are evicted beyond it. */
  maxBytes: number;
  /** Prepended to every key. Default `wcap:`. */
  keyPrefix?: string;
}

// Shared by the scripts: the byte cost of one hash entry, as SnapshotStore's objectBytes counts it.
const COST = `local function cost(url, len) return #url + len + 64 end`;

// Evicts least recently used snapshots (never `keep`) while the total is above the cap.
// ARGV positions: the calling script passes prefix, maxBytes and keep.
const EVICT = `
local function evict(lru, totalKey, prefix, maxBytes, keep)
  local total = tonumber(redis.call('GET', totalKey) or '0')
  while total > maxBytes do
    local victims = redis.call('ZRANGE', lru, 0, 1)
    local victim = victims[1]
    if victim == keep then victim = victims[2] end
    if not victim then break end
    local meta = redis.call('GET', prefix .. victim .. ':meta')
    local bytes = 0
    if meta then bytes = cjson.decode(meta).bytes end
    redis.call('DEL', prefix .. victim .. ':meta', prefix .. victim .. ':objs')
    redis.call('ZREM', lru, victim)
    total = redis.call('DECRBY', totalKey, bytes)
  end
  if total < 0 then redis.call('SET', totalKey, 0) end
end
`;

// KEYS: meta, objs, lru, total. ARGV: basedOn ('' = none), hasBase ('1'/'0'), complete ('1'/'0'),
// tag, syncToken ('' = none), now, maxBytes, id, prefix, count of entries to set, then url/value
// pairs, then URLs to remove.
const APPLY = `${COST}${EVICT}
local meta = redis.call('GET', KEYS[1])
local current = nil
local bytes = 0
if meta then
  local m = cjson.decode(meta)
  current = m.tag
  bytes = m.bytes
end
local complete = ARGV[3] == '1'
if ARGV[2] == '1' then
  if current ~= ARGV[1] then return 0 end
elseif current ~= nil and not complete then
  return 0
end
local before = bytes
if complete then
  redis.call('DEL', KEYS[2])
  bytes = 256
end
local count = tonumber(ARGV[10])
local i = 11
for _ = 1, count do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
    bytes = bytes - cost(ARGV[i], redis.call('HSTRLEN', KEYS[2], ARGV[i]))
  end
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  bytes = bytes + cost(ARGV[i], #ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
    bytes = bytes - cost(ARGV[i], redis.call('HSTRLEN', KEYS[2], ARGV[i]))
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
  i = i + 1
end
if meta == false then bytes = bytes + 0 end
local record = { tag = ARGV[4], bytes = bytes }
if ARGV[5] ~= '' then record.syncToken = ARGV[5] end
redis.call('SET', KEYS[1], cjson.encode(record))
redis.call('INCRBY', KEYS[4], bytes - before)
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[8])
if bytes > tonumber(ARGV[7]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[8])
  redis.call('DECRBY', KEYS[4], bytes)
  return 0
end
evict(KEYS[3], KEYS[4], ARGV[9], tonumber(ARGV[7]), ARGV[8])
return 1
`;

// KEYS: meta, objs, lru, total. ARGV: now, id, count to set, url/value pairs, URLs to remove.
const PATCH = `${COST}
local meta = redis.call('GET', KEYS[1])
if not meta then return 0 end
local m = cjson.decode(meta)
local before = m.bytes
local count = tonumber(ARGV[3])
local i = 4
for _ = 1, count do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
    m.bytes = m.bytes - cost(ARGV[i], redis.call('HSTRLEN', KEYS[2], ARGV[i]))
  end
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  m.bytes = m.bytes + cost(ARGV[i], #ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
    m.bytes = m.bytes - cost(ARGV[i], redis.call('HSTRLEN', KEYS[2], ARGV[i]))
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
  i = i + 1
end
m.tag = ''
redis.call('SET', KEYS[1], cjson.encode(m))
redis.call('INCRBY', KEYS[4], m.bytes - before)
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
return 1
`;

// KEYS: meta, objs, lru. ARGV: now, id. Meta and objects in one atomic read, and a touch.
const GET = `
local meta = redis.call('GET', KEYS[1])
if not meta then return false end
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
return { meta, redis.call('HGETALL', KEYS[2]) }
`;

// KEYS: meta, objs, lru, total. ARGV: id.
const DELETE = `
local meta = redis.call('GET', KEYS[1])
if not meta then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DECRBY', KEYS[4], cjson.decode(meta).bytes)
return 1
`;

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
      ...[...change.set].flatMap(([url, object]) => [url, JSON.stringify([object.version, object.ical])]),
      ...change.remove,
    ];
    const done = await callRedis('writing a calendar snapshot', () => runScript(this.redis, APPLY, [meta, objs, lru, total], args));
    return Number(done) === 1;
  }

  async patch(calendarUrl: string, set: ReadonlyMap<string, SnapshotObject>, remove: readonly string[]): Promise<void> {
    const { id, meta, objs, lru, total } = this.keys(calendarUrl);
    const pairs = [...set].flatMap(([url, object]) => [url, JSON.stringify([object.version, object.ical])]);
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
