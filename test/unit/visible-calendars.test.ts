import { describe, expect, it } from 'vitest';
import type { ListedCalendar } from '../../src/calendars/calendar-repository.js';
import { visibleCalendars, type VisibleSources } from '../../src/calendars/visible-calendars.js';
import type { CalendarInfo } from '../../src/model/calendar.js';
import { GatewayError } from '../../src/model/errors.js';

const info = (owner: string, name: string): CalendarInfo => ({ url: `http://dav.test/${owner}/${name}/`, owner, name, componentTypes: [] });
const own: ListedCalendar[] = [{ calid: 'jdoe', info: info('jdoe', 'calendar'), isDefault: true }];

function sources(overrides: Partial<VisibleSources> = {}): VisibleSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    own: async () => own,
    otherHomes: async (max) => ['http://dav.test/zed/', 'http://dav.test/team/', 'http://dav.test/locked/'].slice(0, max),
    calendarsIn: async (home) => {
      asked.push(home);
      if (home.endsWith('/locked/')) throw new GatewayError('forbidden', 'no');
      const owner = home.split('/').at(-2)!;
      return [info(owner, 'calendar'), info(owner, 'cal')];
    },
    subscriptions: async () => ['jdoe', 'carol:shared', 'gone:x'],
    calendar: async (calid) => (calid === 'carol:shared' ? info('carol', 'shared') : null),
    calidOf: (c) => (c.name === 'calendar' ? c.owner : `${c.owner}:${c.name}`),
    ...overrides,
  };
}

describe('the calendars a user can find (calendars/visible-calendars.ts)', () => {
  it('own calendars first, then other homes by calid, then subscribed calendars found no other way; hidden homes skipped', async () => {
    const found = await visibleCalendars(sources(), { homes: 10, calendars: 100 });
    expect(found.map((c) => c.calid)).toEqual(['jdoe', 'team', 'team:cal', 'zed', 'zed:cal', 'carol:shared']);
  });

  it('lists at most `homes` homes and keeps at most `calendars` calendars', async () => {
    const s = sources();
    const found = await visibleCalendars(s, { homes: 1, calendars: 2 });
    expect(s.asked).toEqual(['http://dav.test/zed/']);
    expect(found.map((c) => c.calid)).toEqual(['jdoe', 'zed']);
  });

  it('fails as a whole when the server cannot be reached, rather than answering a partial search', async () => {
    const s = sources({ calendarsIn: async () => Promise.reject(new GatewayError('unavailable', 'down')) });
    await expect(visibleCalendars(s, { homes: 10, calendars: 100 })).rejects.toThrow('down');
  });
});
