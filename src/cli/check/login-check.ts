import { CalDavBackend } from '../../backend/caldav-backend.js';
import { pooledFetch } from '../../backend/connection-pool.js';
import { CalendarService } from '../../calendars/calendar-service.js';
import type { Config } from '../../config.js';
import { createLogger } from '../../logger.js';
import { Directory } from '../../mapping/directory.js';
import { systemClock } from '../../model/clock.js';
import { isGatewayError, messageOf } from '../../model/errors.js';
import type { BackendCredentials } from '../../model/session.js';
import { MemoryGuidStore } from '../../state/memory/guid-store.js';
import { MemorySnapshotStore } from '../../state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from '../../state/memory/tombstone-store.js';
import type { CheckResult } from './check-result.js';

/** Calendars listed at most; the rest are counted. */
const MAX_LISTED = 200;

/**
 * Logs in as the gateway's login does (CalendarService.open: discovery, and the default calendar
 * created when missing) and lists the user's calendars as get_userprefs does (repository list).
 * No session is created: the gateway's stores are not involved.
 */
export async function checkLogin(config: Readonly<Config>, caldavUrl: string, credentials: BackendCredentials): Promise<CheckResult> {
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
    log: createLogger('silent'),
  });
  const user = credentials.user;
  try {
    const home = await calendars.open(credentials);
    const now = clock.now();
    const listed = await calendars.forSession({ ...credentials, ...home, createdAt: now, lastSeenAt: now }, createLogger('silent')).list();
    const width = Math.min(40, Math.max(5, ...listed.map((c) => c.calid.length)));
    const details = listed.slice(0, MAX_LISTED).map((c) => {
      const name = c.info.displayName === undefined ? '(no name)' : JSON.stringify(c.info.displayName);
      return `${c.calid.padEnd(width)}  ${name}${c.isDefault ? '  (default)' : ''}`;
    });
    if (listed.length > MAX_LISTED) details.push(`… and ${listed.length - MAX_LISTED} more`);
    const count = `${listed.length} calendar${listed.length === 1 ? '' : 's'}`;
    return { name: 'login', status: 'ok', reason: `${user} logged in; ${count} (calid, name):`, details };
  } catch (err) {
    if (isGatewayError(err, 'unauthorized') || isGatewayError(err, 'forbidden')) {
      return { name: 'login', status: 'FAIL', reason: `the CalDAV server refused the login of ${user} (wrong user name or password)` };
    }
    return { name: 'login', status: 'FAIL', reason: `login of ${user} failed: ${messageOf(err)}` };
  } finally {
    await calendars.close();
    await pool.close();
  }
}
