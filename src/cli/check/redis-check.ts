import type { Config } from '../../config.js';
import { messageOf } from '../../model/errors.js';
import { closeRedis, createRedis, waitUntilReady } from '../../state/redis/connection.js';
import { displayUrl, type CheckResult } from './check-result.js';

/** Connects to the configured Redis and waits for a PING answer, at most `timeoutMs`. */
export async function checkRedis(config: Readonly<Config>, timeoutMs: number): Promise<CheckResult> {
  if (!config.redisUrl) {
    return { name: 'redis', status: 'skip', reason: 'WCAP_REDIS_URL unset: sessions live in each gateway process (one replica only)' };
  }
  const where = displayUrl(config.redisUrl);
  let lastConnectionError: string | undefined;
  const started = performance.now();
  const redis = createRedis(config.redisUrl, {
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
    onError: (err) => (lastConnectionError = err.message),
  });
  try {
    await waitUntilReady(redis, timeoutMs);
    const connectedMs = Math.round(performance.now() - started);
    const pingStarted = performance.now();
    await redis.ping();
    const pingMs = Math.round(performance.now() - pingStarted);
    return { name: 'redis', status: 'ok', reason: `${where} answered PING in ${pingMs} ms (connected in ${connectedMs} ms)` };
  } catch (err) {
    const cause = lastConnectionError ? ` (${lastConnectionError})` : '';
    return { name: 'redis', status: 'FAIL', reason: `${where}: ${messageOf(err)}${cause}` };
  } finally {
    await closeRedis(redis);
  }
}
