import { describe, expect, it } from 'vitest';
import { mergePreferences } from '../../src/migrate/preference-merge.js';

describe('migrate: merging the old preferences into the new server’s', () => {
  it('adds the user-settable preferences and leaves out account and calendar-server values', () => {
    const old = {
      cn: ['John Doe'],
      mail: ['jdoe@example.com'],
      icsCalendar: ['jdoe'],
      icsSubscribed: ['jdoe$John,boss$'],
      icsCalendarOwned: ['jdoe$John'],
      ceBgcolor: ['black'],
      ceDefaultAlarmStart: ['P15M'],
      icsTimezone: ['Europe/Berlin'],
      ceColors: ['red', 'blue'],
    };
    expect(mergePreferences({}, old)).toEqual({
      preferences: { ceBgcolor: ['black'], ceDefaultAlarmStart: ['P15M'], icsTimezone: ['Europe/Berlin'], ceColors: ['red', 'blue'] },
      added: ['ceBgcolor', 'ceDefaultAlarmStart', 'icsTimezone', 'ceColors'],
      already: [],
      skipped: [],
    });
  });

  it('keeps the new server’s values of a preference it has, whatever the spelling', () => {
    const merge = mergePreferences({ cebgcolor: ['white'], ceFontSize: ['12'] }, { ceBgcolor: ['black'], ceFontFace: ['serif'] });
    expect(merge.preferences).toEqual({ cebgcolor: ['white'], ceFontSize: ['12'], ceFontFace: ['serif'] });
    expect(merge.added).toEqual(['ceFontFace']);
    expect(merge.already).toEqual(['ceBgcolor']);
  });

  it('skips, and names, what set_userprefs would refuse; the rest is copied', () => {
    const old = {
      ceLong: ['x'.repeat(1025)],
      ceMany: Array.from({ length: 21 }, (_, i) => String(i)),
      [`ce${'n'.repeat(63)}`]: ['v'],
      ceDefaultAlarmStart: ['soon'],
      ceFine: ['x'.repeat(1024)],
    };
    const merge = mergePreferences({}, old);
    expect(merge.added).toEqual(['ceFine']);
    expect(merge.preferences).toEqual({ ceFine: ['x'.repeat(1024)] });
    expect(merge.skipped.map((s) => s.name)).toEqual(['ceLong', 'ceMany', `ce${'n'.repeat(63)}`, 'ceDefaultAlarmStart']);
    expect(merge.skipped[0]!.reason).toBe('a value longer than 1024 characters');
    expect(merge.skipped[1]!.reason).toBe('more than 20 values');
    expect(merge.skipped[2]!.reason).toBe('name longer than 64 characters');
    expect(merge.skipped[3]!.reason).toContain('duration');
  });

  it('adds preferences up to 100 in all, counting the new server’s', () => {
    const current = Object.fromEntries(Array.from({ length: 98 }, (_, i) => [`ceHere${i}`, ['1']]));
    const merge = mergePreferences(current, { ceA: ['a'], ceB: ['b'], ceC: ['c'] });
    expect(merge.added).toEqual(['ceA', 'ceB']);
    expect(merge.skipped).toEqual([{ name: 'ceC', reason: 'more than 100 preferences' }]);
    expect(Object.keys(merge.preferences)).toHaveLength(100);
  });
});
