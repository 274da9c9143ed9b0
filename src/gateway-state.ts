import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Clock } from './model/clock.js';
import { messageOf } from './model/errors.js';
import { countingFailures } from './observability/counting-failures.js';
import type { GatewayMetrics } from './observability/metrics.js';
import type { DependencyProbe } from './observability/readiness.js';
import type { GuidStore } from './state/guid-store.js';
import type { LoginThrottleStore, ThrottlePolicy } from './state/login-throttle-store.js';
import { MemoryGuidStore } from './state/memory/guid-store.js';
import { MemoryLoginThrottleStore } from './state/memory/login-throttle-store.js';
import { MemorySessionStore } from './state/memory/session-store.js';
import { MemoryTombstoneStore } from './state/memory/tombstone-store.js';
import { closeRedis, createRedis, pingRedis, waitUntilReady } from './state/redis/connection.js';
import { RedisGuidStore } from './state/redis/guid-store.js';
import { RedisLoginThrottleStore } from './state/redis/login-throttle-store.js';
import { RedisSessionStore } from './state/redis/session-store.js';
import { RedisSnapshotStore } from './state/redis/snapshot-store.js';
import { RedisTombstoneStore } from './state/redis/tombstone-store.js';
import { randomSecret, SecretBox } from './state/secret-box.js';
import type { SessionStore } from './state/session-store.js';
import type { SnapshotStore } from './state/snapshot-store.js';
import type { TombstoneStore } from './state/tombstone-store.js';

/** How long start-up waits for Redis to answer before listening anyway. */
const REDIS_START_WAIT_MS = 5_000;

/** The stores of one gateway process: Redis-backed when configured (shared by replicas), else memory. */
export interface GatewayState {
  sessions: SessionStore;
  guids: GuidStore;
  tombstones: TombstoneStore;
  logins: LoginThrottleStore;
  sharedSnapshots?: SnapshotStore;
  /** Resolves once the state answers (Redis connected) or its start-up wait ran out. */
  ready: Promise<void>;
  /** What /readyz asks of the state (Redis answers a PING); none for memory state. */
  probes: DependencyProbe[];
  close(): Promise<void>;
}


export function createState(config: Readonly<Config>, clock: Clock, logger: Logger, metrics: GatewayMetrics): GatewayState {
  const limits = { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds };
  const retentionSeconds = config.tombstoneRetentionSeconds;
  const policy = throttlePolicyOf(config);
  if (config.redisUrl) {
    const redis = createRedis(config.redisUrl, { onError: () => metrics.redisError('connection') });
    const failed = () => metrics.redisError('store');
    const stores = {
      sessions: countingFailures(sharedSessionStore(config, redis, clock), failed),
      guids: countingFailures(new RedisGuidStore({ redis }), failed),
      tombstones: countingFailures(new RedisTombstoneStore({ redis, clock, retentionSeconds }), failed),
      logins: countingFailures(new RedisLoginThrottleStore({ redis, clock, policy }), failed),
      sharedSnapshots: countingFailures(new RedisSnapshotStore({ redis, clock, maxBytes: config.cacheMaxMb * 1024 * 1024 }), failed),
    };
    // Listen only once Redis answers, so the first logins do not fail with 11001 while it connects;
    // a Redis that is down at start does not keep the gateway from starting (requests answer 11001).
    const ready = waitUntilReady(redis, REDIS_START_WAIT_MS).catch((err: unknown) => {
      logger.warn({ err: messageOf(err) }, 'Redis does not answer yet; starting anyway');
    });
    return {
      ...stores,
      ready,
      probes: [{ name: 'redis', probe: () => pingRedis(redis) }],
      async close() {
        await Promise.allSettled(Object.values(stores).map((store) => store.close()));
        await closeRedis(redis);
      },
    };
  }
  logger.warn('WCAP_REDIS_URL is not set: sessions live in this process only; replicas cannot share them');
  const stores = {
    sessions: new MemorySessionStore({ limits, secretBox: sessionSecretBox(config, config.secret ?? randomSecret()), clock }),
    guids: new MemoryGuidStore(),
    tombstones: new MemoryTombstoneStore({ clock, retentionSeconds }),
    logins: new MemoryLoginThrottleStore({ clock, policy }),
  };
  return {
    ...stores,
    ready: Promise.resolve(),
    probes: [],
    async close() {
      await Promise.allSettled(Object.values(stores).map((store) => store.close()));
    },
  };
}

/** Seals with `secret`; also opens what WCAP_SECRET_ACCEPTED sealed (README, Rotating WCAP_SECRET). */
function sessionSecretBox(config: Readonly<Config>, secret: string): SecretBox {
  return new SecretBox(secret, config.secretAccepted ? [config.secretAccepted] : []);
}

/**
 * The session store the replicas share in Redis (the gateway's, and `wcap-gateway sessions`).
 * Needs `config.secret`, which loadConfig requires whenever Redis is configured.
 */
export function sharedSessionStore(config: Readonly<Config>, redis: Redis, clock: Clock): SessionStore {
  if (!config.secret) throw new Error('the shared session store needs WCAP_SECRET');
  const limits = { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds };
  return new RedisSessionStore({ redis, limits, secretBox: sessionSecretBox(config, config.secret), clock });
}

/** The login limits of the configuration: one window and block scheme, a failure limit per kind. */
export function throttlePolicyOf(config: Readonly<Config>): ThrottlePolicy {
  const common = { windowSeconds: config.loginWindowSeconds, blockSeconds: config.loginBlockSeconds, blockMaxSeconds: config.loginBlockMaxSeconds };
  return {
    user: { maxFailures: config.loginMaxFailures, ...common },
    address: { maxFailures: config.loginAddressMaxFailures, ...common },
  };
}
