import type { Redis } from 'ioredis';
import type { Clock } from '../../model/clock.js';
import type { Session, SessionData } from '../../model/session.js';
import { SecretBoxError, type SecretBox } from '../secret-box.js';
import { looksLikeSessionId, newSessionId, sessionKeyHash } from '../session-id.js';
import { sessionFrom, type SessionLimits, type SessionStore } from '../session-store.js';
import { callRedis, runScript } from './connection.js';

export interface RedisSessionStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  limits: SessionLimits;
  secretBox: SecretBox;
  clock: Clock;
  /** Prepended to every key; lets several gateways or test runs share one Redis. Default `wcap:`. */
  keyPrefix?: string;
}

// KEYS[1] session key; ARGV: now, idle ms, max ms. Deletes a session idle or older than its
// lifetime (or unreadable) and answers nil; otherwise stores lastSeenAt = now with a TTL of
// min(idle, remaining lifetime) and answers the record as it was.
const GET_AND_TOUCH = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, s = pcall(cjson.decode, raw)
if not ok or type(s) ~= 'table' or type(s.lastSeenAt) ~= 'number' or type(s.createdAt) ~= 'number' then
  redis.call('DEL', KEYS[1])
  return false
end
local now, idle, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if now - s.lastSeenAt > idle or now - s.createdAt > max then
  redis.call('DEL', KEYS[1])
  return false
end
s.lastSeenAt = now
redis.call('SET', KEYS[1], cjson.encode(s), 'PX', math.max(1, math.min(idle, s.createdAt + max - now)))
return raw
`;

/** JSON stored under `<prefix>session:<sha256(id)>`. Field names are short: one value per session. */
interface StoredSession {
  v: 1;
  user: string;
  /** The CalDAV password sealed by SecretBox with the Redis key as associated data. */
  pw: string;
  principalUrl: string;
  calendarHomeUrl: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * SessionStore on Redis, shared by every replica.
 *
 * One string key per session, `<prefix>session:<sha256(id)>` → JSON ({@link StoredSession}), with a
 * Redis TTL of min(idle timeout, remaining absolute lifetime) that every successful `get` renews,
 * in the same round trip as the read (a Lua script).
 * The TTL makes Redis forget abandoned sessions; the idle and absolute checks are also made against
 * `lastSeenAt`/`createdAt` from the injected clock, so expiry does not depend on Redis and tests can
 * move time forward without sleeping.
 *
 * A value that cannot be parsed or decrypted (another `WCAP_SECRET`, a random per-process secret
 * after a restart, tampering) is deleted and reported as a miss: the client logs in again and gets
 * a session sealed with the current key, so this cannot loop. Redis failures reject with
 * GatewayError 'unavailable', never a miss (a miss makes clients re-login without limit).
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;
  private readonly secretBox: SecretBox;
  private readonly clock: Clock;
  private readonly prefix: string;
  private readonly idleMs: number;
  private readonly maxMs: number;

  constructor(options: RedisSessionStoreOptions) {
    const { idleSeconds, maxSeconds } = options.limits;
    if (!(idleSeconds > 0) || !(maxSeconds > 0)) throw new RangeError('session limits must be positive');
    this.redis = options.redis;
    this.secretBox = options.secretBox;
    this.clock = options.clock;
    this.prefix = options.keyPrefix ?? 'wcap:';
    this.idleMs = idleSeconds * 1000;
    this.maxMs = maxSeconds * 1000;
  }

  async create(data: SessionData): Promise<string> {
    const id = newSessionId();
    const key = this.keyFor(id);
    const now = this.clock.now();
    const stored: StoredSession = {
      v: 1,
      user: data.user,
      pw: this.secretBox.seal(data.password, key),
      principalUrl: data.principalUrl,
      calendarHomeUrl: data.calendarHomeUrl,
      createdAt: now,
      lastSeenAt: now,
    };
    const ttlMs = Math.min(this.idleMs, this.maxMs);
    await callRedis('creating a session', () => this.redis.set(key, JSON.stringify(stored), 'PX', ttlMs));
    return id;
  }

  async get(id: string): Promise<Session | null> {
    if (!looksLikeSessionId(id)) return null;
    const key = this.keyFor(id);
    const now = this.clock.now();
    // One round trip: read, expire or refresh, atomically (a logout cannot be undone by a refresh).
    const raw = (await callRedis('reading a session', () =>
      runScript(this.redis, GET_AND_TOUCH, [key], [String(now), String(this.idleMs), String(this.maxMs)]),
    )) as string | null;
    if (raw === null) return null;
    const stored = parseStored(raw);
    if (stored === null) {
      await this.deleteKey(key);
      return null;
    }
    let password: string;
    try {
      password = this.secretBox.open(stored.pw, key);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      await this.deleteKey(key);
      return null;
    }
    return sessionFrom(stored, password, now);
  }

  async delete(id: string): Promise<void> {
    if (!looksLikeSessionId(id)) return;
    await this.deleteKey(this.keyFor(id));
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keyFor(id: string): string {
    return `${this.prefix}session:${sessionKeyHash(id)}`;
  }

  private async deleteKey(key: string): Promise<void> {
    await callRedis('deleting a session', () => this.redis.del(key));
  }
}

/** The stored JSON, or null when it is not a value this version wrote. */
function parseStored(raw: string): StoredSession | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const ok =
    v.v === 1 &&
    typeof v.user === 'string' &&
    typeof v.pw === 'string' &&
    typeof v.principalUrl === 'string' &&
    typeof v.calendarHomeUrl === 'string' &&
    typeof v.createdAt === 'number' &&
    typeof v.lastSeenAt === 'number';
  return ok ? (v as unknown as StoredSession) : null;
}
