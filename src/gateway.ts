import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { CalDavBackend } from './backend/caldav-backend.js';
import type { CalendarBackend } from './backend/calendar-backend.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { Directory } from './mapping/directory.js';
import { systemClock, type Clock } from './model/clock.js';
import type { GuidStore } from './state/guid-store.js';
import { MemoryGuidStore } from './state/memory/guid-store.js';
import { MemorySessionStore } from './state/memory/session-store.js';
import { MemorySyncStateStore } from './state/memory/sync-state-store.js';
import { MemoryTombstoneStore } from './state/memory/tombstone-store.js';
import { closeRedis, createRedis } from './state/redis/connection.js';
import { RedisGuidStore } from './state/redis/guid-store.js';
import { RedisSessionStore } from './state/redis/session-store.js';
import { RedisSyncStateStore } from './state/redis/sync-state-store.js';
import { RedisTombstoneStore } from './state/redis/tombstone-store.js';
import { randomSecret, SecretBox } from './state/secret-box.js';
import { TtlCache } from './state/memory/ttl-cache.js';
import type { SessionStore } from './state/session-store.js';
import type { SyncStateStore } from './state/sync-state-store.js';
import type { TombstoneStore } from './state/tombstone-store.js';
import type { GatewayDeps } from './wcap/command.js';

/** Request lines of at least 64 KB: clients send long descriptions with GET (issue #2 §8). */
const MAX_HEADER_BYTES = 1024 * 1024;
/** How long calendar properties are reused between requests (names and zones rarely change). */
const CALENDAR_CACHE_MS = 60_000;

export interface RunningGateway {
  /** Base URL clients use, with a trailing slash. */
  url: string;
  deps: GatewayDeps;
  close(): Promise<void>;
}

export interface GatewayOverrides {
  clock?: Clock;
  backend?: CalendarBackend;
  /** Wraps the fetch the CalDAV backend uses (tests count or break requests). */
  fetch?: typeof fetch;
}

/**
 * Composition root shared by main.ts and the integration tests: stores (Redis or memory), the
 * CalDAV backend, the Hono app and the HTTP listener. `config.caldavUrl` must be set here.
 */
export async function startGateway(config: Readonly<Config>, logger: Logger, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  if (!config.caldavUrl) throw new Error('startGateway needs a CalDAV URL');
  const clock = overrides.clock ?? systemClock;
  const limits = { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds };
  let sessions: SessionStore;
  let guids: GuidStore;
  let tombstones: TombstoneStore;
  let syncState: SyncStateStore;
  const retentionSeconds = config.tombstoneRetentionSeconds;
  let closeState: () => Promise<void>;
  if (config.redisUrl) {
    const redis = createRedis(config.redisUrl);
    const secretBox = new SecretBox(config.secret!);
    sessions = new RedisSessionStore({ redis, limits, secretBox, clock });
    guids = new RedisGuidStore({ redis });
    tombstones = new RedisTombstoneStore({ redis, clock, retentionSeconds });
    syncState = new RedisSyncStateStore({ redis, ttlSeconds: retentionSeconds });
    closeState = () => closeRedis(redis);
  } else {
    logger.warn('WCAP_REDIS_URL is not set: sessions live in this process only; replicas cannot share them');
    sessions = new MemorySessionStore({ limits, secretBox: new SecretBox(config.secret ?? randomSecret()), clock });
    guids = new MemoryGuidStore();
    tombstones = new MemoryTombstoneStore({ clock, retentionSeconds });
    syncState = new MemorySyncStateStore();
    closeState = async () => undefined;
  }
  const backend =
    overrides.backend ??
    new CalDavBackend({
      serverUrl: config.caldavUrl,
      timeoutMs: config.caldavTimeoutMs,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const deps: GatewayDeps = {
    config,
    backend,
    sessions,
    guids,
    clock,
    directory: new Directory(config.mailDomain),
    calendarCache: new TtlCache(clock, CALENDAR_CACHE_MS),
    tombstones,
    syncState,
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
      await Promise.allSettled([sessions.close(), guids.close(), tombstones.close(), syncState.close()]);
      await closeState();
    },
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } }, () => resolve(server));
    server.once('error', reject);
  });
}
