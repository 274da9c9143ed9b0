import type { Logger } from 'pino';
import type { CalendarBackend, UserHome } from '../backend/calendar-backend.js';
import type { Directory } from '../mapping/directory.js';
import { DEFAULT_LIMITS } from '../mapping/expand.js';
import type { CalendarInfo } from '../model/calendar.js';
import type { Clock } from '../model/clock.js';
import { jitteredConflictRetry, type ConflictRetry } from './merge-retry.js';
import { isGatewayError, messageOf } from '../model/errors.js';
import type { BackendCredentials, Session } from '../model/session.js';
import type { SchedulingSetup } from '../scheduling/outbox.js';
import type { GuidStore } from '../state/guid-store.js';
import type { SnapshotStore } from '../state/snapshot-store.js';
import type { TombstoneStore } from '../state/tombstone-store.js';
import { BackgroundBuilds } from './background-builds.js';
import type { CacheObserver } from './cache-observer.js';
import { CalendarRepository, rememberProperties, type RepositoryContext } from './calendar-repository.js';
import { ContentCache } from './content-cache.js';
import { DeletionLog } from './deletion-log.js';
import { ObjectSummaries } from './object-summaries.js';
import { tolerantSnapshots } from './tolerant-snapshots.js';
import { QueryBreaker, withQueryBreaker } from './query-breaker.js';
import { TtlCache } from './ttl-cache.js';

/** How long calendar properties are reused between requests (names and zones rarely change). */
const PROPERTIES_TTL_MS = 60_000;

/**
 * Snapshot builds at once per process: each lists a whole calendar, so a few suffice to warm the
 * cache while leaving the CalDAV server's capacity to the users' own requests.
 */
const CONCURRENT_BUILDS = 2;
const QUEUED_BUILDS = 1_000;

/** Three time-outs in a row on one calendar refuse its queries for 30 s, then up to 5 min. */
const QUERY_BREAKER = { failures: 3, coolDownMs: 30_000, maxCoolDownMs: 300_000 };

export interface CalendarServiceOptions {
  backend: CalendarBackend;
  guids: GuidStore;
  tombstones: TombstoneStore;
  /** This process's calendar snapshots, and the replicas' shared ones when Redis is configured. */
  /** `local` can be emptied at once (clearCaches). */
  snapshots: { local: SnapshotStore & { clear(): Promise<void> }; shared?: SnapshotStore };
  directory: Directory;
  clock: Clock;
  /** Collection name of every user's default calendar. */
  defaultCalendar: string;
  /** Where the cache reports trouble with the shared snapshot store (it carries on without it). */
  log: Logger;
  /** Told how each calendar read of a request was served (metrics). */
  cacheObserver?: CacheObserver;
  /** Redos of a write that lost an If-Match race (default: jitteredConflictRetry). */
  conflictRetry?: ConflictRetry;
  /** Scheduling mail for stores and deletes (absent: none). */
  scheduling?: SchedulingSetup;
}

/**
 * The calendar repository's process-wide part: opens users' calendar homes at login and hands each
 * request a {@link CalendarRepository} bound to its session. Owns the caches every session shares:
 * calendar snapshots, object summaries and calendar properties.
 */
export class CalendarService {
  private readonly backend: CalendarBackend;
  private readonly defaultCalendar: string;
  private readonly cache: ContentCache;
  private readonly builds: BackgroundBuilds;
  private readonly context: RepositoryContext;
  private readonly localSnapshots: { clear(): Promise<void> };

  constructor(options: CalendarServiceOptions) {
    const backend = withQueryBreaker(options.backend, new QueryBreaker({ ...QUERY_BREAKER, clock: options.clock }));
    this.backend = backend;
    this.defaultCalendar = options.defaultCalendar;
    this.localSnapshots = options.snapshots.local;
    const deletions = new DeletionLog(options.tombstones, options.clock);
    this.builds = new BackgroundBuilds({
      concurrency: CONCURRENT_BUILDS,
      maxQueued: QUEUED_BUILDS,
      onError: (err) => options.log.debug({ err: messageOf(err) }, 'calendar cache: a snapshot build failed'),
    });
    this.cache = new ContentCache({
      builds: this.builds,
      backend,
      local: options.snapshots.local,
      ...(options.snapshots.shared ? { shared: tolerantSnapshots(options.snapshots.shared, sharedFailureLog(options.log, options.clock)) } : {}),
      onGone: (url, gone) => deletions.recordGone(url, gone),
    });
    const properties = new TtlCache<CalendarInfo>(options.clock, PROPERTIES_TTL_MS);
    this.context = {
      backend,
      guids: options.guids,
      cache: this.cache,
      cacheObserver: options.cacheObserver,
      summaries: new ObjectSummaries(),
      deletions,
      clock: options.clock,
      limits: DEFAULT_LIMITS,
      retry: options.conflictRetry ?? jitteredConflictRetry,
      directory: options.directory,
      defaultCalendar: options.defaultCalendar,
      properties,
      forget: (url) => void this.cache.forget(url).catch(() => undefined),
      scheduling: options.scheduling,
    };
  }

  /**
   * Validates a login against the CalDAV server, discovers the user's calendar home and settles
   * the user's default calendar (docs/caldav-servers.md#discovery): the server's
   * schedule-default-calendar-URL when it has one and it exists, else the calendar named by
   * WCAP_DEFAULT_CALENDAR in the home, created when missing. Costs the discovery requests (2, 3 on
   * a server that schedules) and 1 PROPFIND, plus 1 MKCALENDAR on a user's first login on a server
   * without a default calendar of its own. Throws GatewayError 'unauthorized' (or 'forbidden') for
   * credentials the server refuses.
   */
  async open(credentials: BackendCredentials): Promise<UserHome> {
    const home = await this.backend.discoverHome(credentials);
    const named = this.backend.calendarUrl(home, credentials.user, this.defaultCalendar);
    for (const url of new Set([home.defaultCalendarUrl ?? named, named])) {
      const existing = await this.backend.getCalendar(credentials, url);
      if (existing) {
        // A client fetches right after logging in: its first fetch need not read them again.
        rememberProperties(this.context.properties, credentials.user, url, existing);
        return { ...home, defaultCalendarUrl: url };
      }
    }
    try {
      await this.backend.createCalendar(credentials, named, { displayName: credentials.user });
    } catch (err) {
      // Two parallel first logins race to create it; the loser finds the winner's calendar.
      if (!isGatewayError(err, 'exists') || !(await this.backend.getCalendar(credentials, named))) throw err;
    }
    return { ...home, defaultCalendarUrl: named };
  }

  /**
   * Empties this process's caches: the calendar snapshots held in memory and the one-minute memo
   * of calendar properties (the admin's refresh). Snapshots shared in Redis stay: every read
   * validates a snapshot against the server before serving it, so none can be stale.
   */
  async clearCaches(): Promise<void> {
    this.context.properties.clear();
    await this.localSnapshots.clear();
  }

  /** Resolves once no snapshot is being built in the background (benchmarks, tests, shutdown). */
  settled(): Promise<void> {
    return this.builds.idle();
  }

  /** Stops background work: queued builds are dropped, running ones are waited for. */
  close(): Promise<void> {
    return this.builds.close();
  }

  /** The calendars of a session's user, for one request. */
  forSession(session: Session, log: Logger): CalendarRepository {
    return new CalendarRepository(session, this.context, log);
  }
}

/** Logs trouble with the shared snapshot store at most once a minute (it may last, and every read meets it). */
function sharedFailureLog(log: Logger, clock: Clock): (what: string, err: unknown) => void {
  let last = -Infinity;
  return (what, err) => {
    if (clock.now() - last < 60_000) return;
    last = clock.now();
    log.warn({ err: messageOf(err) }, `calendar cache: ${what} failed; carrying on without the shared snapshot`);
  };
}
