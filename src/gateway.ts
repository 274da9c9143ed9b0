import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApp } from './admin-app.js';
import { createApp } from './app.js';
import { createState } from './gateway-state.js';
import { closeAfterAnswersWhenClosing, markClosing } from './http/close-after-answers.js';
import { guardConnections, openFileLimit } from './http/connection-guard.js';
import { TrustedProxies } from './http/client-address.js';
import { CalDavBackend } from './backend/caldav-backend.js';
import type { CalendarBackend } from './backend/calendar-backend.js';
import { pooledFetch } from './backend/connection-pool.js';
import { caldavAnswers } from './backend/reachability.js';
import { CalendarService } from './calendars/calendar-service.js';
import type { ConflictRetry } from './calendars/merge-retry.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { Directory } from './mapping/directory.js';
import { systemClock, type Clock } from './model/clock.js';
import { observedFetch } from './observability/caldav-fetch.js';
import { logUserFormat, maskUser } from './observability/log-user.js';
import { GatewayMetrics } from './observability/metrics.js';
import { Readiness } from './observability/readiness.js';
import { RequestTallies } from './observability/request-tally.js';
import { MemoryGuidStore } from './state/memory/guid-store.js';
import { MemorySnapshotStore } from './state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from './state/memory/tombstone-store.js';
import { randomSecret } from './state/secret-box.js';
import type { TombstoneStore } from './state/tombstone-store.js';
import { inputLimitsOf } from './wcap/input-limits.js';
import { LoginThrottle } from './wcap/login-throttle.js';
import type { AdminControl } from './wcap/admin-command.js';
import type { PipelineDeps } from './wcap/run-command.js';
import type { SchedulingSetup } from './scheduling/outbox.js';
import { SmtpMailSender } from './scheduling/mail-transport.js';
import { schedulingOfServer } from './scheduling/server-scheduling.js';

/** Request lines of at least 64 KB: clients send long descriptions with GET (docs/lightning.md#value-encoding). */
const MAX_HEADER_BYTES = 1024 * 1024;
/** File descriptors kept free besides the CalDAV pool: Redis, logs, the embedded Radicale's pipes. */
const FD_RESERVE = 64;
/** How long an idle connection to the CalDAV server is kept for reuse. */
const CALDAV_KEEP_ALIVE_MS = 30_000;

export interface RunningGateway {
  /** Base URL clients use, with a trailing slash. */
  url: string;
  /** Base URL of the administrative listener (WCAP_ADMIN_PORT), when there is one. */
  adminUrl?: string;
  deps: PipelineDeps;
  /** Stops gracefully; later calls wait for the same stop. */
  close(): Promise<void>;
  /** Resolves once the gateway has stopped, whoever stopped it (close, or the admin's shutdown). */
  stopped: Promise<void>;
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

/**
 * Composition root shared by `wcap-gateway serve` (cli/serve.ts), the benchmark and the integration tests: stores (Redis or
 * memory), the CalDAV backend behind a keep-alive pool, the calendar repository, the Hono app and
 * the HTTP listener. `config.caldavUrl` must be set here.
 */
export async function startGateway(config: Readonly<Config>, logger: Logger, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  if (!config.caldavUrl) throw new Error('startGateway needs a CalDAV URL');
  const caldavUrl = config.caldavUrl;
  const clock = overrides.clock ?? systemClock;
  // The gauge asks the store on each scrape, long after `state` exists.
  const metrics = new GatewayMetrics({ liveSessions: () => state.sessions.count() });
  const state = createState(config, clock, logger, metrics);
  await state.ready;
  const pool = pooledFetch({ connections: config.caldavConnections, keepAliveMs: CALDAV_KEEP_ALIVE_MS });
  const tallies = new RequestTallies();
  // Every CalDAV exchange is counted (metrics, request log) before a test's wrapper sees it.
  const observed = observedFetch(pool.fetch, metrics, tallies);
  const caldavFetch = overrides.wrapFetch ? overrides.wrapFetch(observed) : observed;
  const logUser = logUserFormat(config.logUser, config.secret ?? randomSecret());
  const backend =
    overrides.backend ??
    new CalDavBackend({
      serverUrl: caldavUrl,
      timeoutMs: config.caldavTimeoutMs,
      fetch: caldavFetch,
      contentVersion: config.cacheValidation ?? 'tag',
      // Each exchange line carries the reqId of the WCAP request it serves (background work: none).
      log: { debug: (fields, message) => (tallies.currentLog() ?? logger).debug(fields, message) },
      logPath: (path, user) => maskUser(path, user, logUser),
    });
  const cacheBytes = config.cacheMaxMb * 1024 * 1024;
  const directory = new Directory(config.mailDomain);
  const scheduling = schedulingSetup(config, logger, { directory, clock, metrics }, (credentials) => backend.schedulesInvitations(credentials, caldavUrl));
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
    cacheObserver: { read: (outcome) => metrics.cacheRead(outcome) },
    ...(overrides.conflictRetry ? { conflictRetry: overrides.conflictRetry } : {}),
    scheduling,
  });
  const deps: PipelineDeps = {
    sessions: state.sessions,
    calendars,
    clock,
    server: { recurrenceBound: config.recurrenceBound, maxAttendees: config.maxAttendees, directory, rangeDeleteMaxItems: config.rangeDeleteMaxItems },
    limits: inputLimitsOf(config),
    logins: new LoginThrottle(state.logins),
  };
  const readiness = new Readiness(
    [...state.probes, { name: 'caldav', probe: (signal) => caldavAnswers(caldavUrl, signal) }],
    config.readyTimeoutMs,
  );
  const app = createApp(deps, { logger, metrics, readiness, tallies, logUser, trustedProxies: new TrustedProxies(config.trustedProxies) });
  const server = await listen(app.fetch, config);
  guardConnections(server as Server, {
    maxConnections: config.maxConnections,
    firstByteMs: config.headersTimeoutMs,
    reservedFds: FD_RESERVE + config.caldavConnections,
    log: logger,
    now: () => clock.now(),
    openFileLimit: openFileLimit(),
  });
  let stoppedResolve: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stoppedResolve = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.all([closeGracefully(server as Server, config.shutdownGraceMs), admin ? closeGracefully(admin, config.shutdownGraceMs) : undefined]);
      // Builds still running use Redis and the pool: they end before those close.
      await calendars.close();
      await state.close();
      await pool.close();
      scheduling.sender?.close();
      metrics.close();
      stoppedResolve();
    })());
  const admin =
    config.adminPort === undefined
      ? undefined
      : await listenAdmin(config, logger, deps, {
          sessionCount: () => state.sessions.count(),
          sessionsOf: (user, limit) => state.sessions.sessionsOf(user, limit),
          logoutUser: (user) => state.sessions.deleteForUser(user),
          refreshCaches: () => calendars.clearCaches(),
          // After the answer has left, so the admin's own connection is idle and closes at once.
          shutdown: () => void setImmediate(() => void close().catch((err: unknown) => logger.error({ err }, 'error while closing'))),
        });
  return {
    url: baseUrl(server.address() as AddressInfo),
    ...(admin ? { adminUrl: baseUrl(admin.address() as AddressInfo) } : {}),
    deps,
    close,
    stopped,
  };
}

/**
 * Scheduling mail (docs/architecture.md#scheduling): the relay of WCAP_SMTP_URL, or none with a
 * start-up notice; whether the CalDAV server schedules itself is asked of the backend (one OPTIONS).
 */
function schedulingSetup(
  config: Readonly<Config>,
  logger: Logger,
  { directory, clock, metrics }: { directory: Directory; clock: Clock; metrics: GatewayMetrics },
  asksServer: Parameters<typeof schedulingOfServer>[0],
): SchedulingSetup {
  const sender = config.smtpUrl ? new SmtpMailSender({ url: config.smtpUrl, timeoutMs: config.smtpTimeoutMs }) : undefined;
  const senderAddress = config.smtpFrom ?? directory.mailOf('wcap-gateway');
  if (sender) logger.info({ relay: sender.relay, from: senderAddress }, 'scheduling mail goes through the relay when the CalDAV server does not schedule');
  else logger.info('WCAP_SMTP_URL is not set: no scheduling mail is sent (invitations reach attendees only through a CalDAV server that schedules)');
  const server = schedulingOfServer(asksServer, (reason) => logger.warn({ reason }, 'could not learn whether the CalDAV server schedules; mailing meanwhile'));
  return { sender, senderAddress, server, directory, clock, maxRecipients: config.maxAttendees, onMail: (result) => metrics.mail(result) };
}

/**
 * The administrative listener (WCAP_ADMIN_PORT on WCAP_ADMIN_HOST, loopback by default), apart
 * from the WCAP listener so that a firewall or the bind address keeps it away from clients.
 */
async function listenAdmin(config: Readonly<Config>, logger: Logger, deps: PipelineDeps, admin: AdminControl): Promise<Server> {
  if (config.adminToken === undefined) logger.warn('WCAP_ADMIN_PORT is set but WCAP_ADMIN_TOKEN is not: the admin listener refuses every request');
  const app = createAdminApp({ logger, token: config.adminToken, admin, limits: deps.limits });
  const server = await listen(app.fetch, { ...config, host: config.adminHost, port: config.adminPort ?? 0 });
  logger.info({ url: baseUrl(server.address() as AddressInfo) }, 'admin listener started');
  return server as Server;
}

function baseUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}

/**
 * A CalendarService of its own for one-off tools (`wcap-gateway check --user`): the gateway's
 * login and calendar listing against `caldavUrl`, with memory stores and no cache. Close both.
 */
export function standaloneCalendarService(config: Readonly<Config>, caldavUrl: string, logger: Logger): { calendars: CalendarService; close(): Promise<void> } {
  const pool = pooledFetch({ connections: 2, keepAliveMs: 1000 });
  const clock = systemClock;
  const calendars = new CalendarService({
    backend: new CalDavBackend({
      serverUrl: caldavUrl,
      timeoutMs: config.caldavTimeoutMs,
      fetch: pool.fetch,
      contentVersion: config.cacheValidation ?? 'tag',
    }),
    guids: new MemoryGuidStore(),
    tombstones: new MemoryTombstoneStore({ clock, retentionSeconds: config.tombstoneRetentionSeconds }),
    snapshots: { local: new MemorySnapshotStore({ maxBytes: 0 }) },
    directory: new Directory(config.mailDomain),
    clock,
    defaultCalendar: config.defaultCalendar,
    log: logger,
  });
  return {
    calendars,
    async close() {
      await calendars.close();
      await pool.close();
    },
  };
}

/**
 * Stops accepting connections and closes idle ones at once; requests in flight finish, and after
 * `graceMs` the connections still open are closed.
 */
async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  markClosing(server);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  deadline.unref();
  await closed;
  clearTimeout(deadline);
}

function listen(fetch: (request: Request) => Response | Promise<Response>, config: Readonly<Config>): Promise<ServerType> {
  const serverOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Node checks those two deadlines on this interval (30 s by default).
    connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: config.host, port: config.port, serverOptions }, () => resolve(server));
    closeAfterAnswersWhenClosing(server as Server);
    server.once('error', reject);
  });
}
