import type { Logger } from 'pino';
import { CalDavBackend } from '../backend/caldav-backend.js';
import type { CalendarBackend } from '../backend/calendar-backend.js';
import type { CalendarRepository } from '../calendars/calendar-repository.js';
import { CalendarService } from '../calendars/calendar-service.js';
import { Directory } from '../mapping/directory.js';
import { systemClock } from '../model/clock.js';
import type { BackendCredentials } from '../model/session.js';
import { MemoryGuidStore } from '../state/memory/guid-store.js';
import { MemorySnapshotStore } from '../state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from '../state/memory/tombstone-store.js';

/**
 * The new CalDAV server, reached through the calendar repository the gateway itself uses, so items
 * land exactly where and how the gateway stores them. Process-local stores only: the migration
 * needs no sessions, and with no calendar cache every read goes to the server.
 */
export class TargetServer {
  private readonly backend: CalendarBackend;
  private readonly service: CalendarService;

  constructor(options: { caldavUrl: string; timeoutMs: number; defaultCalendar: string; log: Logger; backend?: CalendarBackend }) {
    this.backend = options.backend ?? new CalDavBackend({ serverUrl: options.caldavUrl, timeoutMs: options.timeoutMs });
    this.service = new CalendarService({
      backend: this.backend,
      guids: new MemoryGuidStore(),
      tombstones: new MemoryTombstoneStore({ clock: systemClock, retentionSeconds: 60 }),
      snapshots: { local: new MemorySnapshotStore({ maxBytes: 0 }) },
      directory: new Directory(undefined),
      clock: systemClock,
      defaultCalendar: options.defaultCalendar,
      log: options.log,
    });
  }

  /**
   * The user's calendars on the new server. `dryRun` only checks the credentials (principal
   * discovery); otherwise the user's default calendar is created when missing, as at a gateway login.
   * Throws GatewayError ('unauthorized' for refused credentials, 'unavailable' …).
   */
  async open(credentials: BackendCredentials, log: Logger, dryRun: boolean): Promise<CalendarRepository> {
    const home = dryRun ? await this.backend.discoverHome(credentials) : await this.service.open(credentials);
    return this.service.forSession({ ...credentials, ...home, createdAt: 0, lastSeenAt: 0 }, log);
  }

  close(): Promise<void> {
    return this.service.close();
  }
}
