import { describe, expect, it } from 'vitest';
import { calidOfCalendar, matchesSearch, searchFields, type SearchFields, type SearchMode } from '../../src/mapping/calendar-search.js';
import type { CalendarInfo } from '../../src/model/calendar.js';

/**
 * search_calprops matching (docs/wcap-protocol.md#search_calprops,
 * docs/lightning.md#calendar-search).
 */

describe('searchFields', () => {
  it.each<[string, { name?: boolean; calid?: boolean; primaryOwner?: boolean }, SearchFields]>([
    ['nothing sent: nothing searched', {}, { name: false, calid: false, primaryOwner: false }],
    ['name only', { name: true }, { name: true, calid: false, primaryOwner: false }],
    ['primaryOwner only', { primaryOwner: true }, { name: false, calid: false, primaryOwner: true }],
    ['name and primaryOwner: calid defaults to 1', { name: true, primaryOwner: true }, { name: true, calid: true, primaryOwner: true }],
    ['name and primaryOwner with calid=0 sent: calid stays 0', { name: true, primaryOwner: true, calid: false }, { name: true, calid: false, primaryOwner: true }],
    ['calid only', { calid: true }, { name: false, calid: true, primaryOwner: false }],
    ['all three (Lightning)', { name: true, calid: true, primaryOwner: true }, { name: true, calid: true, primaryOwner: true }],
  ])('%s', (_label, flags, expected) => {
    expect(searchFields(flags)).toEqual(expected);
  });
});

describe('matchesSearch', () => {
  const calendar = { calid: 'bob:Team-Plans', name: 'Team Plans Müller', primaryOwner: 'bob' };
  const ALL: SearchFields = { name: true, calid: true, primaryOwner: true };
  const NAME: SearchFields = { name: true, calid: false, primaryOwner: false };
  const CALID: SearchFields = { name: false, calid: true, primaryOwner: false };

  it.each<[string, SearchMode, SearchFields, boolean]>([
    ['plans', 'contains', NAME, true],
    ['PLANS', 'contains', NAME, true],
    ['MÜLLER', 'ends', NAME, true],
    ['team', 'begins', NAME, true],
    ['plans', 'begins', NAME, false],
    ['müller', 'ends', NAME, true],
    ['team plans', 'exact', NAME, false],
    ['team plans müller', 'exact', NAME, true],
    ['bob:team-plans', 'exact', CALID, true],
    ['bob', 'exact', CALID, false],
    ['bob', 'exact', ALL, true],
    ['bob', 'begins', CALID, true],
    ['-plans', 'ends', CALID, true],
    ['alice', 'contains', ALL, false],
    ['plans', 'contains', { name: false, calid: false, primaryOwner: false }, false],
  ])('%j %s in %j → %s', (text, mode, fields, expected) => {
    expect(matchesSearch(calendar, text, mode, fields)).toBe(expected);
  });
});

describe('calidOfCalendar', () => {
  const info = (name: string): CalendarInfo => ({ url: `http://dav/bob/${name}/`, owner: 'bob', name, componentTypes: [] });
  it.each([
    ['calendar', 'bob'],
    ['work', 'bob:work'],
  ])('%s → %s', (name, calid) => {
    expect(calidOfCalendar(info(name), 'calendar')).toBe(calid);
  });
});
