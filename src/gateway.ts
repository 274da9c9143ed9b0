import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { CalDavBackend } from './backend/caldav-backend.js';
import type { CalendarBackend } from './backend/calendar-backend.js';
import { pooledFetch } from './backend/connection-pool.js';
import { CalendarService } from './calendars/calendar-service.js';
import type { ConflictRetry } from './calendars/merge-retry.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { Directory } from './mapping/directory.js';
import { systemClock, type Clock } from './model/clock.js';
import { messageOf } from './model/errors.js';
import type { GuidStore } from './state/guid-store.js';
import { MemoryGuidStore } from './state/memory/guid-store.js';
import { MemorySessionStore } from './state/memory/session-store.js';
import { MemorySnapshotStore } from './state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from './state/memory/tombstone-store.js';
import { closeRedis, createRedis, waitUntilReady } from './state/redis/connection.js';
import { RedisGuidStore } from './state/redis/guid-store.js';
import { RedisSessionStore } from './state/redis/session-store.js';
import { RedisSnapshotStore } from './state/redis/snapshot-store.js';
import { RedisTombstoneStore } from './state/redis/tombstone-store.js';
import { randomSecret, SecretBox } from './state/secret-box.js';
import type { SessionStore } from './state/session-store.js';
import type { SnapshotStore } from './state/snapshot-store.js';
import type { TombstoneStore } from './state/tombstone-store.js';
import type { PipelineDeps } from './wcap/run-command.js';

/** Request lines of at least 64 KB: clients send long descriptions with GET (docs/lightning.md#value-encoding). */
const MAX_HEADER_BYTES = 1024 * 1024;
/** How long an idle connection to the CalDAV server is kept for reuse. */
const CALDAV_KEEP_ALIVE_MS = 30_000;
/** How long start-up waits for Redis to answer before listening anyway. */
const REDIS_START_WAIT_MS = 5_000;

export interface RunningGateway {
  /** Base URL clients use, with a trailing slash. */
  url: string;
  deps: PipelineDeps;
  close(): Promise<void>;
}

export interface GatewayOverrides {
  clock?: Clock;
  backend?: CalendarBackend;
  /** Wraps the fetch the CalDAV backend uses (tests count or break requests); gets the pooled one. */
  wrapFetch?: (pooled: typeof fetch) => typeof fetch;
  /** Wraps the delete log's store (tests make it fail); gets the configured one. */
  wrapTombstones?: (store: TombstoneStore) => TombstoneStore;
  /** Redos of writes that lost an If-Match race (tests make the pauses instant). */
  conflictRetry?: ConflictRetry;
}

/** The stores of one gateway process: Redis-backed when configured (shared by replicas), else memory. */
interface State {
  sessions: SessionStore;
  guids: GuidStore;
  tombstones: TombstoneStore;
  sharedSnapshots?: SnapshotStore;
  /** Resolves once the state answers (Redis connected) or its start-up wait ran out. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Composition root shared by main.ts, the benchmark and the integration tests: stores (Redis or
 * memory), the CalDAV backend behind a keep-alive pool, the calendar repository, the Hono app and
 * the HTTP listener. `config.caldavUrl` must be set here.
 */
export async function startGateway(config: Readonly<Config>, logger: Logger, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  if (!config.caldavUrl) throw new Error('startGateway needs a CalDAV URL');
  const clock = overrides.clock ?? systemClock;
  const state = createState(config, clock, logger);
  await state.ready;
  const pool = pooledFetch({ connections: config.caldavConnections, keepAliveMs: CALDAV_KEEP_ALIVE_MS });
  const backend =
    overrides.backend ??
    new CalDavBackend({
      serverUrl: config.caldavUrl,
      timeoutMs: config.caldavTimeoutMs,
      fetch: overrides.wrapFetch ? overrides.wrapFetch(pool.fetch) : pool.fetch,
      contentVersion: config.cacheValidation ?? 'tag',
    });
  const cacheBytes = config.cacheMaxMb * 1024 * 1024;
  const directory = new Directory(config.mailDomain);
  const calendars = new CalendarService({
    backend,
    guids: state.guids,
    tombstones: overrides.wrapTombstones ? overrides.wrapTombstones(state.tombstones) : state.tombstones,
    snapshots: {
      local: new MemorySnapshotStore({ maxBytes: cacheBytes }),
      ...(state.sharedSnapshots && cacheBytes > 0 ? { shared: state.sharedSnapshots } : {}),
    },
    directory,
    clock,
    defaultCalendar: config.defaultCalendar,
    log: logger,
    ...(overrides.conflictRetry ? { conflictRetry: overrides.conflictRetry } : {}),
  });
  const deps: PipelineDeps = {
    sessions: state.sessions,
    calendars,
    clock,
    server: { recurrenceBound: config.recurrenceBound, directory },
    maxParamLength: config.maxParamLength,
  };
  const app = createApp(deps, { logger });
  const server = await listen(app.fetch, config.host, config.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    deps,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Builds still running use Redis and the pool: they end before those close.
      await calendars.close();
      await state.close();
      await pool.close();
    },
  };
}

function createState(config: Readonly<Config>, clock: Clock, logger: Logger): State {
  const limits = { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds };
  const retentionSeconds = config.tombstoneRetentionSeconds;
  if (config.redisUrl) {
    const redis = createRedis(config.redisUrl);
    const stores = {
      sessions: new RedisSessionStore({ redis, limits, secretBox: new SecretBox(config.secret!, config.secretAccepted ? [config.secretAccepted] : []), clock }),
      guids: new RedisGuidStore({ redis }),
      tombstones: new RedisTombstoneStore({ redis, clock, retentionSeconds }),
      sharedSnapshots: new RedisSnapshotStore({ redis, clock, maxBytes: config.cacheMaxMb * 1024 * 1024 }),
    };
    // Listen only once Redis answers, so the first logins do not fail with 11001 while it connects;
    // a Redis that is down at start does not keep the gateway from starting (requests answer 11001).
    const ready = waitUntilReady(redis, REDIS_START_WAIT_MS).catch((err: unknown) => {
      logger.warn({ err: messageOf(err) }, 'Redis does not answer yet; starting anyway');
    });
    return {
      ...stores,
      ready,
      async close() {
        await Promise.allSettled(Object.values(stores).map((store) => store.close()));
        await closeRedis(redis);
      },
    };
  }
  logger.warn('WCAP_REDIS_URL is not set: sessions live in this process only; replicas cannot share them');
  const stores = {
    sessions: new MemorySessionStore({ limits, secretBox: new SecretBox(config.secret ?? randomSecret(), config.secretAccepted ? [config.secretAccepted] : []), clock }),
    guids: new MemoryGuidStore(),
    tombstones: new MemoryTombstoneStore({ clock, retentionSeconds }),
  };
  return {
    ...stores,
    ready: Promise.resolve(),
    async close() {
      await Promise.allSettled(Object.values(stores).map((store) => store.close()));
    },
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } }, () => resolve(server));
    server.once('error', reject);
  });
}
