import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { GuidStore } from '../guid-store.js';
import { callRedis } from './connection.js';

export interface RedisGuidStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  /** Prepended to every key. Default `wcap:`. */
  keyPrefix?: string;
  /** Lifetime of an entry after its last `set`. Default 30 days. */
  ttlSeconds?: number;
}

const THIRTY_DAYS = 30 * 24 * 3600;

/**
 * GuidStore on Redis, shared by every replica.
 *
 * One string key per (calendar, UID): `<prefix>guid:<sha256(calendarUrl)>:<sha256(uid)>` → object
 * URL, expiring `ttlSeconds` after the last `set`. Separate keys rather than one hash per calendar
 * so that each entry expires on its own (Redis 7.0 has no per-field TTL) and an abandoned index
 * cannot grow without bound. Both parts are hashed because UIDs are client-chosen strings of any
 * length and content; hashing keeps keys short and free of separators.
 *
 * Redis failures reject with GatewayError 'unavailable'; callers that prefer to treat the index
 * as absent during an outage may catch that.
 */
export class RedisGuidStore implements GuidStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(options: RedisGuidStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? 'wcap:';
    this.ttlSeconds = options.ttlSeconds ?? THIRTY_DAYS;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) {
      throw new RangeError('ttlSeconds must be a positive integer');
    }
  }

  async get(calendarUrl: string, uid: string): Promise<string | null> {
    const key = this.keyFor(calendarUrl, uid);
    return callRedis('reading the UID index', () => this.redis.get(key));
  }

  async set(calendarUrl: string, uid: string, objectUrl: string): Promise<void> {
    const key = this.keyFor(calendarUrl, uid);
    await callRedis('writing the UID index', () => this.redis.set(key, objectUrl, 'EX', this.ttlSeconds));
  }

  async delete(calendarUrl: string, uid: string): Promise<void> {
    const key = this.keyFor(calendarUrl, uid);
    await callRedis('deleting from the UID index', () => this.redis.del(key));
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keyFor(calendarUrl: string, uid: string): string {
    return `${this.prefix}guid:${sha256(calendarUrl)}:${sha256(uid)}`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
