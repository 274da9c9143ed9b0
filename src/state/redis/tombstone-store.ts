import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../model/clock.js';
import type { Tombstone } from '../../model/deletion.js';
import { tombstoneKey, tombstoneOfKey, type TombstoneStore } from '../tombstone-store.js';
import { callRedis, runScript } from './connection.js';

export interface RedisTombstoneStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  clock: Clock;
  /** How long a tombstone is kept, in seconds. */
  retentionSeconds: number;
  /** Prepended to every key. Default `wcap:`. */
  keyPrefix?: string;
}

// Adds the tombstones, drops those older than the retention period and renews the key's expiry,
// atomically, so that concurrent replicas never see a half-trimmed log.
// KEYS[1] log; ARGV[1] oldest score kept; ARGV[2] key TTL (ms); ARGV[3..] score, member pairs.
const RECORD = `
for i = 3, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * TombstoneStore on Redis, shared by every replica: one sorted set per calendar,
 * `<prefix>tomb:<sha256(calendarUrl)>`, member = the tombstone without its date (so re-recording
 * the same deletion moves it instead of duplicating it), score = deletion time in epoch ms.
 * Trimmed to the retention period on every record; the key expires one retention period after
 * the last record, so the log of an abandoned calendar disappears on its own.
 */
export class RedisTombstoneStore implements TombstoneStore {
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly prefix: string;

  constructor(options: RedisTombstoneStoreOptions) {
    if (!Number.isInteger(options.retentionSeconds) || options.retentionSeconds < 1) {
      throw new RangeError('retentionSeconds must be a positive integer');
    }
    this.redis = options.redis;
    this.clock = options.clock;
    this.retentionMs = options.retentionSeconds * 1000;
    this.prefix = options.keyPrefix ?? 'wcap:';
  }

  async record(calendarUrl: string, tombstones: Tombstone[]): Promise<void> {
    if (tombstones.length === 0) return;
    const pairs = tombstones.flatMap((t) => [String(t.deletedAt), tombstoneKey(t)]);
    const oldest = String(this.clock.now() - this.retentionMs);
    await callRedis('recording deletions', () =>
      runScript(this.redis, RECORD, [this.keyFor(calendarUrl)], [oldest, String(this.retentionMs), ...pairs]),
    );
  }

  async list(calendarUrl: string, fromMs: number, toMs: number): Promise<Tombstone[]> {
    const from = Math.max(fromMs, this.clock.now() - this.retentionMs);
    if (from > toMs) return [];
    const reply = await callRedis('reading deletions', () =>
      this.redis.zrangebyscore(this.keyFor(calendarUrl), bound(from), bound(toMs), 'WITHSCORES'),
    );
    return pairsOf(reply as unknown[]).map(([member, score]) => tombstoneOfKey(member, Number(score)));
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keyFor(calendarUrl: string): string {
    return `${this.prefix}tomb:${createHash('sha256').update(calendarUrl, 'utf8').digest('hex')}`;
  }
}

function bound(ms: number): string {
  if (ms === Infinity) return '+inf';
  if (ms === -Infinity) return '-inf';
  return String(ms);
}

/** WITHSCORES replies: flat `[member, score, …]` over RESP2, `[[member, score], …]` over RESP3. */
function pairsOf(reply: unknown[]): Array<[string, string]> {
  if (reply.every((entry) => Array.isArray(entry))) {
    return (reply as unknown[][]).map(([member, score]) => [String(member), String(score)]);
  }
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([String(reply[i]), String(reply[i + 1])]);
  return pairs;
}
