import type { Logger } from 'pino';
import type { CalendarBackend } from '../backend/calendar-backend.js';
import type { ExpansionLimits } from '../mapping/expand.js';
import type { CalendarInfo } from '../model/calendar.js';
import type { Clock } from '../model/clock.js';
import type { BackendCredentials } from '../model/session.js';
import type { GuidStore } from '../state/guid-store.js';
import type { CacheObserver } from './cache-observer.js';
import type { ContentCache } from './content-cache.js';
import type { DeletionLog } from './deletion-log.js';
import type { ConflictRetry } from './merge-retry.js';
import type { ObjectSummaries } from './object-summaries.js';

/** What a Calendar needs from the repository that made it (shared by all calendars of a session). */
export interface CalendarContext {
  backend: CalendarBackend;
  credentials: BackendCredentials;
  guids: GuidStore;
  cache: ContentCache;
  /** Told how each read was served (hit, refreshed, miss). */
  cacheObserver?: CacheObserver | undefined;
  summaries: ObjectSummaries;
  deletions: DeletionLog;
  clock: Clock;
  log: Logger;
  /** Caps for deciding whether a recurring item reaches into a range. */
  limits: ExpansionLimits;
  /** Redos of a write that lost an If-Match race (merge-retry.ts). */
  retry: ConflictRetry;
  /** Called when the calendar turned out not to exist any more. */
  forget(url: string): void;
  /** The calendar's properties as read recently by this process (see Calendar.properties). */
  /** `set` keeps what a read returned (content tag dropped, URL the calid's) and returns that. */
  recentProperties: { get(): CalendarInfo | undefined; set(info: CalendarInfo): CalendarInfo };
}
