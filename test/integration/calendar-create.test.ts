import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { TargetServer } from '../../src/migrate/target-server.js';

/**
 * CalendarRepository.createCalendarIfMissing on Radicale (the in-memory fake: test/unit/calendar-create.test.ts).
 * A calendar with a fresh name per run, under a user no other test lists the calendars of.
 */
const USER = 'pia';

describe('CalendarRepository.createCalendarIfMissing on Radicale', () => {
  it('creates the calendar once, with name, description and zone, and then leaves it alone', async () => {
    const log = createLogger('silent');
    const server = new TargetServer({ caldavUrl: inject('radicaleUrl'), timeoutMs: 10_000, defaultCalendar: 'calendar', log });
    const repository = await server.open({ user: USER, password: inject('testUsers')[USER]! }, log, false);
    const name = `made-${randomUUID().slice(0, 8)}`;
    try {
      const first = await repository.createCalendarIfMissing(`${USER}:${name}`, { displayName: 'Made here', description: 'By the test', timezone: 'Europe/Berlin' });
      expect(first.created).toBe(true);
      expect(await first.calendar.properties({ fresh: true })).toMatchObject({ name, displayName: 'Made here', description: 'By the test', timezone: 'Europe/Berlin' });

      const second = await repository.createCalendarIfMissing(`${USER}:${name}`, { displayName: 'Other' });
      expect(second.created).toBe(false);
      expect((await second.calendar.properties({ fresh: true })).displayName).toBe('Made here');
      expect((await repository.list()).map((c) => c.calid)).toContain(`${USER}:${name}`);
    } finally {
      const auth = `Basic ${Buffer.from(`${USER}:${inject('testUsers')[USER]}`).toString('base64')}`;
      await fetch(new URL(`/${USER}/${name}/`, inject('radicaleUrl')), { method: 'DELETE', headers: { Authorization: auth } });
      await server.close();
    }
  });
});
