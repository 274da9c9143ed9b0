/**
 * The Lua scripts of RedisSnapshotStore (snapshot-store.ts). Each runs atomically in Redis, so a
 * reader never sees a tag with objects of another state, and eviction happens in the same step.
 */

// Shared by the scripts: the byte cost of one hash entry (its text and Redis's own overhead);
// the stored tag and byte count of a snapshot; setting `count` url/value pairs from ARGV[first] and
// removing the URLs after them, returning the new byte count; and recording a snapshot's meta.
const ENTRIES = `
local function cost(url, len) return #url + len + 64 end
local function readMeta(key)
  local meta = redis.call('GET', key)
  if not meta then return false, nil, 0 end
  local m = cjson.decode(meta)
  return true, m.tag, m.bytes, m
end
local function applyEntries(objs, bytes, first, count)
  local i = first
  for _ = 1, count do
    if redis.call('HEXISTS', objs, ARGV[i]) == 1 then
      bytes = bytes - cost(ARGV[i], redis.call('HSTRLEN', objs, ARGV[i]))
    end
    redis.call('HSET', objs, ARGV[i], ARGV[i + 1])
    bytes = bytes + cost(ARGV[i], #ARGV[i + 1])
    i = i + 2
  end
  while i <= #ARGV do
    if redis.call('HEXISTS', objs, ARGV[i]) == 1 then
      bytes = bytes - cost(ARGV[i], redis.call('HSTRLEN', objs, ARGV[i]))
      redis.call('HDEL', objs, ARGV[i])
    end
    i = i + 1
  end
  return bytes
end
local function writeMeta(metaKey, lru, totalKey, record, before, now, id)
  redis.call('SET', metaKey, cjson.encode(record))
  redis.call('INCRBY', totalKey, record.bytes - before)
  redis.call('ZADD', lru, now, id)
end
`;

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
export const APPLY = `${ENTRIES}${EVICT}
local exists, current, bytes = readMeta(KEYS[1])
local complete = ARGV[3] == '1'
if ARGV[2] == '1' then
  if current ~= ARGV[1] then return 0 end
elseif exists and not complete then
  return 0
end
local before = bytes
if complete then
  redis.call('DEL', KEYS[2])
  bytes = 256
end
bytes = applyEntries(KEYS[2], bytes, 11, tonumber(ARGV[10]))
local record = { tag = ARGV[4], bytes = bytes }
if ARGV[5] ~= '' then record.syncToken = ARGV[5] end
writeMeta(KEYS[1], KEYS[3], KEYS[4], record, before, ARGV[6], ARGV[8])
if bytes > tonumber(ARGV[7]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[8])
  redis.call('DECRBY', KEYS[4], bytes)
  return 0
end
evict(KEYS[3], KEYS[4], ARGV[9], tonumber(ARGV[7]), ARGV[8])
return 1
`;

// A complete snapshot written in slices into a staging hash takes the place of the current one.
// KEYS: meta, objs, lru, total, staging. ARGV: basedOn ('' = none), hasBase ('1'/'0'), tag,
// syncToken ('' = none), now, maxBytes, id, prefix, bytes of the new snapshot.
export const REPLACE = `${ENTRIES}${EVICT}
local _, current, before = readMeta(KEYS[1])
if ARGV[2] == '1' and current ~= ARGV[1] then
  redis.call('DEL', KEYS[5])
  return 0
end
local bytes = tonumber(ARGV[9])
if bytes > tonumber(ARGV[6]) then
  redis.call('DEL', KEYS[5], KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[7])
  redis.call('DECRBY', KEYS[4], before)
  return 0
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('RENAME', KEYS[5], KEYS[2])
  redis.call('PERSIST', KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
local record = { tag = ARGV[3], bytes = bytes }
if ARGV[4] ~= '' then record.syncToken = ARGV[4] end
writeMeta(KEYS[1], KEYS[3], KEYS[4], record, before, ARGV[5], ARGV[7])
evict(KEYS[3], KEYS[4], ARGV[8], tonumber(ARGV[6]), ARGV[7])
return 1
`;

// KEYS: meta, objs, lru, total. ARGV: now, id, count to set, url/value pairs, URLs to remove.
export const PATCH = `${ENTRIES}
local exists, _, before, m = readMeta(KEYS[1])
if not exists then return 0 end
m.bytes = applyEntries(KEYS[2], before, 4, tonumber(ARGV[3]))
m.tag = ''
writeMeta(KEYS[1], KEYS[3], KEYS[4], m, before, ARGV[1], ARGV[2])
return 1
`;

// KEYS: meta, objs, lru. ARGV: now, id. Meta and objects in one atomic read, and a touch.
export const GET = `
local meta = redis.call('GET', KEYS[1])
if not meta then return false end
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
return { meta, redis.call('HGETALL', KEYS[2]) }
`;

// KEYS: meta, objs, lru, total. ARGV: id.
export const DELETE = `
local meta = redis.call('GET', KEYS[1])
if not meta then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DECRBY', KEYS[4], cjson.decode(meta).bytes)
return 1
`;
