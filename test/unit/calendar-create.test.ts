import { beforeEach, describe, expect, it } from 'vitest';
import { CalendarService } from '../../src/calendars/calendar-service.js';
import type { CalendarRepository } from '../../src/calendars/calendar-repository.js';
import { createLogger } from '../../src/logger.js';
import { Directory } from '../../src/mapping/directory.js';
import { systemClock } from '../../src/model/clock.js';
import { MemoryGuidStore } from '../../src/state/memory/guid-store.js';
import { MemorySnapshotStore } from '../../src/state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from '../../src/state/memory/tombstone-store.js';
import { MemoryBackend } from '../support/memory-backend.js';

/** CalendarRepository.createCalendarIfMissing over the in-memory CalDAV fake (on Radicale: test/integration/migrate.test.ts). */
const USERS = { alice: 'alice-pw', bob: 'bob-pw' };

describe('CalendarRepository.createCalendarIfMissing', () => {
  let backend: MemoryBackend;
  let repository: CalendarRepository;

  beforeEach(async () => {
    backend = new MemoryBackend({ users: USERS });
    const log = createLogger('silent');
    const service = new CalendarService({
      backend,
      guids: new MemoryGuidStore(),
      tombstones: new MemoryTombstoneStore({ clock: systemClock, retentionSeconds: 60 }),
      snapshots: { local: new MemorySnapshotStore({ maxBytes: 0 }) },
      directory: new Directory('example.com'),
      clock: systemClock,
      defaultCalendar: 'calendar',
      log,
    });
    const credentials = { user: 'alice', password: USERS.alice };
    const home = await service.open(credentials);
    repository = service.forSession({ ...credentials, ...home, createdAt: 0, lastSeenAt: 0 }, log);
  });

  it('creates a missing calendar with its name, description and zone', async () => {
    const { calendar, created } = await repository.createCalendarIfMissing('alice:work', {
      displayName: 'Work', description: 'Team things', timezone: 'Europe/Berlin',
    });
    expect(created).toBe(true);
    const info = await calendar.properties({ fresh: true });
    expect(info).toMatchObject({ name: 'work', displayName: 'Work', description: 'Team things', timezone: 'Europe/Berlin' });
    expect((await repository.list()).map((c) => c.calid)).toEqual(['alice', 'alice:work']);
  });

  it('leaves an existing calendar exactly as it is', async () => {
    await repository.createCalendarIfMissing('alice:work', { displayName: 'Work' });
    const again = await repository.createCalendarIfMissing('alice:work', { displayName: 'Other', description: 'changed?' });
    expect(again.created).toBe(false);
    const info = await again.calendar.properties({ fresh: true });
    expect(info.displayName).toBe('Work');
    expect(info.description).toBeUndefined();
  });

  it('counts the default calendar, made at login, as existing', async () => {
    const { created } = await repository.createCalendarIfMissing('alice', { displayName: 'Alice' });
    expect(created).toBe(false);
  });

  it('creates a calendar whose zone is not an IANA name without a zone instead of failing', async () => {
    const { calendar, created } = await repository.createCalendarIfMissing('alice:legacy', { displayName: 'Legacy', timezone: 'Pacific Standard Time' });
    expect(created).toBe(true);
    expect((await calendar.properties({ fresh: true })).timezone).toBeUndefined();
  });

  it("refuses another user's calendar and a calid that names none", async () => {
    await expect(repository.createCalendarIfMissing('bob:work')).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(repository.createCalendarIfMissing('alice:a/b')).rejects.toMatchObject({ kind: 'no-calendar' });
    expect(backend.calls.filter((c) => c === 'createCalendar')).toHaveLength(1);
  });
});
