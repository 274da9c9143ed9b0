import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Harness } from './gateway-harness.js';

/** A calendar a test has to itself: its calid and its path on Radicale. */
export interface FreshCalendar {
  calid: string;
  path: string;
}

/**
 * Gives each test of the calling suite a new calendar of `user` on Radicale (MKCALENDAR before the
 * test, DELETE after it), so tests see only their own items whatever the order they run in. The
 * returned object is refilled before each test.
 */
export function freshCalendarPerTest(harness: () => Harness, user: string, prefix: string): FreshCalendar {
  const current: FreshCalendar = { calid: '', path: '' };
  beforeEach(async () => {
    const name = `${prefix}${randomUUID().slice(0, 8)}`;
    Object.assign(current, { calid: `${user}:${name}`, path: `/${user}/${name}/` });
    expect((await harness().radicale(user, current.path, { method: 'MKCALENDAR' })).status).toBe(201);
  });
  afterEach(async () => {
    await harness().radicale(user, current.path, { method: 'DELETE' });
  });
  return current;
}
