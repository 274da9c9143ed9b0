import { describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS } from '../../src/calendars/user-settings.js';
import { Directory } from '../../src/mapping/directory.js';
import { parseCalid } from '../../src/mapping/calid.js';
import { mergeSubscriptions, subscriptionsOnNewServer } from '../../src/migrate/subscription-merge.js';

/** The repository's canonical calid, with the default calendar named `calendar`. */
function canonical(calid: string): string | undefined {
  const address = parseCalid(calid, new Directory(undefined), 'calendar');
  if (!address) return undefined;
  return address.name === 'calendar' ? address.owner : `${address.owner}:${address.name}`;
}

const entries = (...calids: string[]) => calids.map((calid) => ({ calid, name: '' }));

describe('migrate: the old subscriptions as calids of the new server', () => {
  it('maps own calendars as the calendars are copied, keeps other users’ calids, in the old order', () => {
    const calendars = {
      defaultCalid: 'jdoe',
      owned: entries('jdoe', 'jdoe:personal', 'Team Plans'),
      subscribed: entries('boss', 'Team Plans', 'jdoe', 'boss:budget', 'jdoe:personal'),
    };
    expect(subscriptionsOnNewServer(calendars, 'jdoe', canonical)).toEqual({
      calids: ['boss', 'jdoe:Team-Plans', 'jdoe', 'boss:budget', 'jdoe:personal'],
      unusable: [],
    });
  });

  it('maps a default calendar with a free-form calid to the user’s default calendar', () => {
    const calendars = { defaultCalid: 'jdoe-main', owned: entries('jdoe-main'), subscribed: entries('jdoe-main', 'lucy') };
    expect(subscriptionsOnNewServer(calendars, 'jdoe', canonical).calids).toEqual(['jdoe', 'lucy']);
  });

  it('lists each calendar once, in the spelling the gateway stores, and sets aside calids that name no calendar', () => {
    const calendars = { defaultCalid: 'jdoe', owned: entries('jdoe'), subscribed: entries('boss:calendar', 'boss', 'a/b:c', 'jdoe', 'jdoe') };
    expect(subscriptionsOnNewServer(calendars, 'jdoe', canonical)).toEqual({ calids: ['boss', 'jdoe'], unusable: ['a/b:c'] });
  });
});

describe('migrate: merging subscriptions into the list on the new server', () => {
  it('keeps the current entries first and adds the missing ones in the order asked', () => {
    expect(mergeSubscriptions(['jdoe', 'team:cal'], ['boss', 'jdoe', 'lucy', 'team:cal'])).toEqual({
      list: ['jdoe', 'team:cal', 'boss', 'lucy'],
      added: ['boss', 'lucy'],
      already: 2,
      overLimit: [],
    });
  });

  it('adds nothing twice: merging the same calids again changes nothing', () => {
    const first = mergeSubscriptions(['jdoe'], ['boss', 'boss', 'lucy']);
    expect(first.added).toEqual(['boss', 'lucy']);
    expect(mergeSubscriptions(first.list, ['boss', 'lucy'])).toEqual({ list: ['jdoe', 'boss', 'lucy'], added: [], already: 2, overLimit: [] });
  });

  it('stops at the most calendars a list may hold and names the ones left out', () => {
    const full = Array.from({ length: MAX_SUBSCRIPTIONS - 1 }, (_, i) => `user${i}`);
    const merge = mergeSubscriptions(full, ['boss', 'lucy', 'user0']);
    expect(merge.list).toHaveLength(MAX_SUBSCRIPTIONS);
    expect(merge.added).toEqual(['boss']);
    expect(merge.overLimit).toEqual(['lucy']);
    expect(merge.already).toBe(1);
  });
});
