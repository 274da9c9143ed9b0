import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../model/clock.js';
import type { Session, SessionData } from '../../model/session.js';
import { SecretBoxError, type SecretBox } from '../secret-box.js';
import { looksLikeSessionId, newSessionId, sessionKeyHash } from '../session-id.js';
import { sessionFrom, type SessionLimits, type SessionStore, type SessionTimes } from '../session-store.js';
import { callRedis, runScript } from './connection.js';
import { COUNT, CREATE, DELETE, DELETE_BATCH, DELETE_USER_BATCH, GET_AND_TOUCH } from './session-scripts.js';

export interface RedisSessionStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  limits: SessionLimits;
  secretBox: SecretBox;
  clock: Clock;
  /** Prepended to every key; lets several gateways or test runs share one Redis. Default `wcap:`. */
  keyPrefix?: string;
}

/** JSON stored under `<prefix>session:<sha256(id)>`. Field names are short: one value per session. */
interface StoredSession {
  v: 1;
  user: string;
  /** The CalDAV password sealed by SecretBox with the Redis key as associated data. */
  pw: string;
  principalUrl: string;
  calendarHomeUrl: string;
  defaultCalendarUrl?: string;
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
 * Two sorted sets index the sessions by id hash, so that `count` and `deleteForUser` never scan the
 * key space (no KEYS, no SCAN):
 * - `<prefix>sessions:live`: score = when the session expires unless used, moved by every `get` in
 *   the same script. `count` drops entries scored before now and answers ZCARD: O(log N + expired).
 * - `<prefix>sessions:user:<sha1(user)>`: score = the session's absolute end, which never moves, so
 *   `get` need not touch it. Entries past their end are dropped at the user's next login and the
 *   set expires with the last of them. SHA-1 only names the key (bounded length; Lua's
 *   `redis.sha1hex` computes the same name); the user name is no secret, it is in the value too.
 * Sessions written by a version without the indexes join them on their first `get`.
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
      ...(data.defaultCalendarUrl === undefined ? {} : { defaultCalendarUrl: data.defaultCalendarUrl }),
      createdAt: now,
      lastSeenAt: now,
    };
    const ttlMs = Math.min(this.idleMs, this.maxMs);
    const args = [JSON.stringify(stored), String(now), String(ttlMs), sessionKeyHash(id), String(now + this.maxMs), String(this.maxMs)];
    await callRedis('creating a session', () => runScript(this.redis, CREATE, [key, this.liveKey, this.userKey(data.user)], args));
    return id;
  }

  async get(id: string): Promise<Session | null> {
    if (!looksLikeSessionId(id)) return null;
    const hash = sessionKeyHash(id);
    const key = this.keyFor(id);
    const now = this.clock.now();
    // One round trip: read, expire or refresh, atomically (a logout cannot be undone by a refresh).
    const args = [String(now), String(this.idleMs), String(this.maxMs), hash, this.userKeyPrefix];
    const raw = (await callRedis('reading a session', () => runScript(this.redis, GET_AND_TOUCH, [key, this.liveKey], args))) as
      | string
      | null;
    if (raw === null) return null;
    const stored = parseStored(raw);
    if (stored === null) {
      await this.deleteHash(hash);
      return null;
    }
    let password: string;
    try {
      password = this.secretBox.open(stored.pw, key);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      await this.deleteHash(hash);
      return null;
    }
    return sessionFrom(stored, password, now);
  }

  async delete(id: string): Promise<void> {
    if (!looksLikeSessionId(id)) return;
    await this.deleteHash(sessionKeyHash(id));
  }

  async count(): Promise<number> {
    const now = String(this.clock.now());
    return Number(await callRedis('counting sessions', () => runScript(this.redis, COUNT, [this.liveKey], [now])));
  }

  async deleteForUser(user: string): Promise<number> {
    const keys = [this.userKey(user), this.liveKey];
    let ended = 0;
    for (;;) {
      const args = [`${this.prefix}session:`, String(this.clock.now()), String(this.idleMs), String(this.maxMs), String(DELETE_BATCH)];
      const [live, handled] = (await callRedis('ending sessions', () => runScript(this.redis, DELETE_USER_BATCH, keys, args))) as [
        number,
        number,
      ];
      ended += live;
      if (handled < DELETE_BATCH) return ended;
    }
  }

  /**
   * The user's index (ZRANGE, oldest absolute end first, i.e. oldest login) and the sessions it
   * names (MGET): two round trips, at most `limit` sessions read. Values are parsed, never opened.
   */
  async sessionsOf(user: string, limit: number): Promise<SessionTimes[]> {
    if (limit <= 0) return [];
    const now = this.clock.now();
    const hashes = await callRedis('listing sessions', () => this.redis.zrange(this.userKey(user), '0', String(limit - 1)));
    if (hashes.length === 0) return [];
    const values = await callRedis('listing sessions', () => this.redis.mget(hashes.map((h) => `${this.prefix}session:${h}`)));
    return values
      .map((raw) => (raw === null ? null : parseStored(raw)))
      .filter((s): s is StoredSession => s !== null && s.user === user && now - s.lastSeenAt <= this.idleMs && now - s.createdAt <= this.maxMs)
      .map(({ createdAt, lastSeenAt }) => ({ createdAt, lastSeenAt }));
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keyFor(id: string): string {
    return `${this.prefix}session:${sessionKeyHash(id)}`;
  }

  private get liveKey(): string {
    return `${this.prefix}sessions:live`;
  }

  private get userKeyPrefix(): string {
    return `${this.prefix}sessions:user:`;
  }

  private userKey(user: string): string {
    return `${this.userKeyPrefix}${createHash('sha1').update(user, 'utf8').digest('hex')}`;
  }

  private async deleteHash(hash: string): Promise<void> {
    await callRedis('deleting a session', () => runScript(this.redis, DELETE, [`${this.prefix}session:${hash}`, this.liveKey], [hash]));
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
    (v.defaultCalendarUrl === undefined || typeof v.defaultCalendarUrl === 'string') &&
    typeof v.createdAt === 'number' &&
    typeof v.lastSeenAt === 'number';
  return ok ? (v as unknown as StoredSession) : null;
}
