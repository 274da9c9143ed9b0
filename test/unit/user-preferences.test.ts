import { describe, expect, it } from 'vitest';
import { applyPreferenceChanges, isSettablePreference, parsePreferenceChanges, PreferenceRefusal } from '../../src/mapping/user-preferences.js';

function refusal(request: Parameters<typeof parsePreferenceChanges>[0]): PreferenceRefusal {
  try {
    parsePreferenceChanges(request);
  } catch (err) {
    if (err instanceof PreferenceRefusal) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('which preferences a user may set', () => {
  it('allows ce… names and the user-settable directory preferences, without case', () => {
    for (const name of ['ceBgcolor', 'cedefaultalarmstart', 'preferredLanguage', 'icsTimezone', 'ICSFIRSTDAY']) expect(isSettablePreference(name)).toBe(true);
    for (const name of ['ce', 'mail', 'cn', 'icsCalendar', 'icsSubscribed', 'icsCalendarOwned', 'allowchangepassword']) expect(isSettablePreference(name)).toBe(false);
  });

  it('refuses account and server values as not settable (errno 44) and bad items as malformed (errno 26)', () => {
    expect(refusal({ set: ['ceA=1', 'mail=x@example.org'] }).reason).toBe('not-settable');
    expect(refusal({ set: ['icsSubscribed=bob$'] }).message).toMatch(/subscribe_calendars/);
    expect(refusal({ del: ['cn'] }).reason).toBe('not-settable');
    expect(refusal({ add: ['ceBgcolor'] }).reason).toBe('malformed');
    expect(refusal({ set: ['ce bg=1'] }).reason).toBe('malformed');
    expect(refusal({ set: ['=1'] }).reason).toBe('malformed');
    expect(refusal({ set: [`ce${'x'.repeat(64)}=1`] }).reason).toBe('malformed');
    expect(refusal({ set: ['ceDefaultAlarmStart=15 minutes'] }).reason).toBe('malformed');
    expect(refusal({ set: ['ceDefaultAlarmStart=P'] }).reason).toBe('malformed');
  });

  it('accepts the durations clients write for ceDefaultAlarmStart, Sun\'s P15M included', () => {
    for (const value of ['PT15M', 'P15M', '-PT1H', 'P1D', 'P1W', 'P1DT2H']) {
      expect(parsePreferenceChanges({ set: [`ceDefaultAlarmStart=${value}`] })).toHaveLength(1);
    }
  });
});

describe('applying set_userprefs changes', () => {
  it('deletes, then replaces, then adds; values may hold "=" and stay once', () => {
    const changes = parsePreferenceChanges({ del: ['ceOld'], set: ['ceUrl=a=b'], add: ['ceList=x', 'ceList=y', 'ceList=x'] });
    expect(applyPreferenceChanges({ ceOld: ['1'], ceUrl: ['z'] }, changes)).toEqual({ ceUrl: ['a=b'], ceList: ['x', 'y'] });
  });

  it('matches names without case and keeps the first spelling; del name=value removes one value', () => {
    const current = { ceColors: ['red', 'blue'] };
    expect(applyPreferenceChanges(current, parsePreferenceChanges({ add: ['cecolors=green'] }))).toEqual({ ceColors: ['red', 'blue', 'green'] });
    expect(applyPreferenceChanges(current, parsePreferenceChanges({ del: ['CECOLORS=red'] }))).toEqual({ ceColors: ['blue'] });
    expect(applyPreferenceChanges(current, parsePreferenceChanges({ set: ['ceColors=black'] }))).toEqual({ ceColors: ['black'] });
    expect(applyPreferenceChanges(current, parsePreferenceChanges({ del: ['ceColors'] }))).toEqual({});
    // The input is left alone.
    expect(current).toEqual({ ceColors: ['red', 'blue'] });
  });
});
