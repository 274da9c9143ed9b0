import type { Redis } from 'ioredis';
import { messageOf } from '../model/errors.js';
import { closeRedis, createRedis, waitUntilReady } from '../state/redis/connection.js';
import { displayUrl } from './check/check-result.js';

export type Reached = { ok: true; redis: Redis; connectedMs: number } | { ok: false; reason: string };

/**
 * A Redis client on `url` once it answers PING, or why it did not within `timeoutMs`: the last
 * connection error (refused, unknown host, wrong password…) with any credentials removed. The
 * caller closes a reached client with closeRedis.
 */
export async function reachRedis(url: string, timeoutMs: number): Promise<Reached> {
  let lastConnectionError: string | undefined;
  const started = performance.now();
  const redis = createRedis(url, {
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
    onError: (err) => (lastConnectionError = err.message),
  });
  try {
    await waitUntilReady(redis, timeoutMs);
    return { ok: true, redis, connectedMs: Math.round(performance.now() - started) };
  } catch (err) {
    await closeRedis(redis);
    const why = lastConnectionError ?? messageOf(err);
    return { ok: false, reason: `${displayUrl(url)} gave no PING answer within ${timeoutMs} ms: ${why}` };
  }
}
