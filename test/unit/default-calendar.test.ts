import { describe, expect, it } from 'vitest';
import type { UserHome } from '../../src/backend/calendar-backend.js';
import { CalendarService } from '../../src/calendars/calendar-service.js';
import { createLogger } from '../../src/logger.js';
import { Directory } from '../../src/mapping/directory.js';
import { systemClock } from '../../src/model/clock.js';
import type { BackendCredentials } from '../../src/model/session.js';
import { MemoryGuidStore } from '../../src/state/memory/guid-store.js';
import { MemorySnapshotStore } from '../../src/state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from '../../src/state/memory/tombstone-store.js';
import { MemoryBackend } from '../support/memory-backend.js';

/**
 * Which calendar a login settles on as the user's default (docs/caldav-servers.md#discovery), over
 * the in-memory CalDAV fake; on real servers: test/integration/servers-calendar.test.ts.
 */
const USERS = { alice: 'alice-pw', bob: 'bob-pw' };
const ALICE: BackendCredentials = { user: 'alice', password: USERS.alice };

/** A server that names a default calendar of its own (as Cyrus's schedule inbox does: `Default`). */
class SchedulingBackend extends MemoryBackend {
  override async discoverHome(credentials: BackendCredentials): Promise<UserHome> {
    const home = await super.discoverHome(credentials);
    return { ...home, user: credentials.user, defaultCalendarUrl: `${home.calendarHomeUrl}Default/` };
  }
}

function serviceOver(backend: MemoryBackend): CalendarService {
  return new CalendarService({
    backend,
    guids: new MemoryGuidStore(),
    tombstones: new MemoryTombstoneStore({ clock: systemClock, retentionSeconds: 60 }),
    snapshots: { local: new MemorySnapshotStore({ maxBytes: 0 }) },
    directory: new Directory('example.com'),
    clock: systemClock,
    defaultCalendar: 'calendar',
    log: createLogger('silent'),
  });
}

describe('the default calendar at login', () => {
  it("uses the server's own default calendar and creates nothing", async () => {
    const backend = new SchedulingBackend({ users: USERS });
    await backend.createCalendar(ALICE, `${backend.serverUrl}alice/Default/`, { displayName: 'personal' });
    const service = serviceOver(backend);
    const home = await service.open(ALICE);
    expect(home.defaultCalendarUrl).toBe(`${backend.serverUrl}alice/Default/`);
    expect(backend.calls.filter((c) => c === 'createCalendar')).toHaveLength(1);

    // calid `alice` is that calendar; `bob` names bob's calendar of the same name.
    const repository = service.forSession({ ...ALICE, ...home, createdAt: 0, lastSeenAt: 0 }, createLogger('silent'));
    expect(urlOf(await repository.resolve('alice'))).toBe(`${backend.serverUrl}alice/Default/`);
    expect(urlOf(await repository.resolve('mailto:alice@example.com'))).toBe(`${backend.serverUrl}alice/Default/`);
    expect(urlOf(await repository.resolve('bob'))).toBe(`${backend.serverUrl}bob/Default/`);
    expect(urlOf(await repository.resolve('alice:calendar'))).toBe(`${backend.serverUrl}alice/calendar/`);
    expect((await repository.list()).map((c) => [c.calid, c.isDefault])).toEqual([['alice', true]]);
  });

  it('falls back to WCAP_DEFAULT_CALENDAR when the server names a default that does not exist', async () => {
    const backend = new SchedulingBackend({ users: USERS });
    await backend.createCalendar(ALICE, `${backend.serverUrl}alice/calendar/`, {});
    const home = await serviceOver(backend).open(ALICE);
    expect(home.defaultCalendarUrl).toBe(`${backend.serverUrl}alice/calendar/`);
    expect(backend.calls.filter((c) => c === 'createCalendar')).toHaveLength(1);
  });

  it('creates the WCAP_DEFAULT_CALENDAR calendar only when neither exists', async () => {
    const backend = new MemoryBackend({ users: USERS });
    const service = serviceOver(backend);
    const home = await service.open(ALICE);
    expect(home.defaultCalendarUrl).toBe(`${backend.serverUrl}alice/calendar/`);
    expect(await backend.getCalendar(ALICE, `${backend.serverUrl}alice/calendar/`)).not.toBeNull();
    await service.open(ALICE);
    expect(backend.calls.filter((c) => c === 'createCalendar')).toHaveLength(1);
  });
});

/** The collection a Calendar works on (private: nothing above calendars/ may build on URLs). */
function urlOf(calendar: object): string {
  return (calendar as { url?: string }).url ?? '';
}
