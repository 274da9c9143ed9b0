/**
 * The Lua scripts of RedisSessionStore (session-store.ts). Each runs atomically in Redis, so a
 * session and its index entries never disagree, and a logout cannot be undone by a refresh.
 *
 * Next to the session keys they keep two sorted sets (see RedisSessionStore): `live` (member: id
 * hash, score: when the session expires unless used) and one per user (member: id hash, score: the
 * session's absolute end). Scores are epoch ms of the store's clock.
 */

// Lua: whether a decoded session `s` is well-formed and live at `now`.
const IS_LIVE = `
local function isLive(s, now, idle, max)
  return type(s) == 'table' and type(s.lastSeenAt) == 'number' and type(s.createdAt) == 'number'
    and now - s.lastSeenAt <= idle and now - s.createdAt <= max
end
`;

// KEYS[1] session key, KEYS[2] live index, KEYS[3] user index;
// ARGV: value, now, ttl ms, id hash, the session's end (createdAt + max), max ms.
// Stores the session and indexes it; drops index entries that ended before now, so neither index
// grows with sessions nobody ends explicitly.
export const CREATE = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
-- Every entry ends within max ms from now, so the whole index may go then.
redis.call('PEXPIRE', KEYS[3], ARGV[6])
return 1
`;

// KEYS[1] session key, KEYS[2] live index; ARGV: now, idle ms, max ms, id hash, user index prefix.
// Deletes a session idle or older than its lifetime (or unreadable) and answers nil; otherwise
// stores lastSeenAt = now with a TTL of min(idle, remaining lifetime), moves its expiry in the live
// index, and answers the record as it was.
export const GET_AND_TOUCH = `${IS_LIVE}
local raw = redis.call('GET', KEYS[1])
if not raw then
  redis.call('ZREM', KEYS[2], ARGV[4])
  return false
end
local ok, s = pcall(cjson.decode, raw)
local now, idle, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if not ok or not isLive(s, now, idle, max) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[4])
  return false
end
s.lastSeenAt = now
local ends = s.createdAt + max
local ttl = math.max(1, math.min(idle, ends - now))
redis.call('SET', KEYS[1], cjson.encode(s), 'PX', ttl)
if redis.call('ZADD', KEYS[2], now + ttl, ARGV[4]) == 1 and type(s.user) == 'string' then
  -- Not indexed yet: written before the indexes existed (an upgrade). It joins its user's index.
  local userKey = ARGV[5] .. redis.sha1hex(s.user)
  redis.call('ZADD', userKey, ends, ARGV[4])
  redis.call('PEXPIRE', userKey, ARGV[3])
end
return raw
`;

// KEYS[1] session key, KEYS[2] live index; ARGV[1] id hash. The user index entry stays until its
// end: deleteForUser skips keys that are gone, and keeping it saves reading the value here.
export const DELETE = `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

// KEYS[1] live index; ARGV[1] now. Forgets entries that expired before now and counts the rest.
export const COUNT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return redis.call('ZCARD', KEYS[1])
`;

// KEYS[1] user index, KEYS[2] live index; ARGV: session key prefix, now, idle ms, max ms, batch.
// Ends up to `batch` sessions of the user's index; answers {live sessions ended, entries handled}.
export const DELETE_USER_BATCH = `${IS_LIVE}
local hashes = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[5]) - 1)
local now, idle, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ended = 0
for _, h in ipairs(hashes) do
  local key = ARGV[1] .. h
  local raw = redis.call('GET', key)
  if raw then
    local ok, s = pcall(cjson.decode, raw)
    if ok and isLive(s, now, idle, max) then ended = ended + 1 end
    redis.call('DEL', key)
  end
  redis.call('ZREM', KEYS[2], h)
  redis.call('ZREM', KEYS[1], h)
end
return {ended, #hashes}
`;

/** Sessions one DELETE_USER_BATCH call ends: bounds how long one script holds Redis. */
export const DELETE_BATCH = 500;
