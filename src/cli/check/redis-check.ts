import type { Config } from '../../config.js';
import { messageOf } from '../../model/errors.js';
import { closeRedis } from '../../state/redis/connection.js';
import { reachRedis } from '../reach-redis.js';
import { displayUrl, type CheckResult } from './check-result.js';

/** Connects to the configured Redis and times a PING, waiting at most `timeoutMs`. */
export async function checkRedis(config: Readonly<Config>, timeoutMs: number): Promise<CheckResult> {
  if (!config.redisUrl) {
    return { name: 'redis', status: 'skip', reason: 'WCAP_REDIS_URL unset: sessions live in each gateway process (one replica only)' };
  }
  const reached = await reachRedis(config.redisUrl, timeoutMs);
  if (!reached.ok) return { name: 'redis', status: 'FAIL', reason: reached.reason };
  try {
    const started = performance.now();
    await reached.redis.ping();
    const pingMs = Math.round(performance.now() - started);
    return { name: 'redis', status: 'ok', reason: `${displayUrl(config.redisUrl)} answered PING in ${pingMs} ms (connected in ${reached.connectedMs} ms)` };
  } catch (err) {
    return { name: 'redis', status: 'FAIL', reason: `${displayUrl(config.redisUrl)}: ${messageOf(err)}` };
  } finally {
    await closeRedis(reached.redis);
  }
}
