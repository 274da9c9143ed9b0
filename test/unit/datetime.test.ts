import { describe, expect, it } from 'vitest';
import { formatUtc, formatWcapDate, parseWcapDate, type WcapDate } from '../../src/wcap/datetime.js';

const date = (year: number, month: number, day: number): WcapDate => ({ kind: 'date', year, month, day });
const at = (kind: 'utc' | 'floating', y: number, mo: number, d: number, h: number, mi: number, s = 0): WcapDate => ({
  kind,
  year: y,
  month: mo,
  day: d,
  hour: h,
  minute: mi,
  second: s,
});

describe('parseWcapDate: accepted forms', () => {
  it.each<[string, WcapDate | null]>([
    ['0', null],
    [' 0 ', null],
    ['20240115', date(2024, 1, 15)],
    ['20240115T093000', at('floating', 2024, 1, 15, 9, 30)],
    ['20240115T093000Z', at('utc', 2024, 1, 15, 9, 30)],
    ['20240115T235959Z', at('utc', 2024, 1, 15, 23, 59, 59)],
    ['20240115T000000', at('floating', 2024, 1, 15, 0, 0)],
    // Lightning sends all-day RDATEs and RIDs as midnight date-times
    // (docs/lightning.md#store-request-layout).
    ['20240229T000000', at('floating', 2024, 2, 29, 0, 0)],
    ['20240229', date(2024, 2, 29)],
    ['20000229', date(2000, 2, 29)],
    ['19991231T230000Z', at('utc', 1999, 12, 31, 23, 0)],
    // Extended ISO forms.
    ['2024-01-15', date(2024, 1, 15)],
    ['2024-01-15T09:30:00Z', at('utc', 2024, 1, 15, 9, 30)],
    ['2024-01-15T09:30:00', at('floating', 2024, 1, 15, 9, 30)],
    ['2024-01-15T09:30', at('floating', 2024, 1, 15, 9, 30)],
    ['2024-01-15T09:30:45.123Z', at('utc', 2024, 1, 15, 9, 30, 45)],
    ['2024-01-15t09:30:00z', at('utc', 2024, 1, 15, 9, 30)],
  ])('%s', (text, expected) => {
    expect(parseWcapDate(text)).toEqual(expected);
  });
});

describe('parseWcapDate: rejected values', () => {
  it.each([
    ['30 February', '20240230'],
    ['29 February of a common year', '20230229'],
    ['29 February 1900 (not a leap year)', '19000229'],
    ['31 April', '20240431'],
    ['day 0', '20240100'],
    ['month 13', '20241301'],
    ['month 0', '20240015'],
    ['year 0', '00000101'],
    ['hour 24', '20240115T240000Z'],
    ['minute 60', '20240115T096000'],
    ['leap second', '20240115T235960Z'],
    ['extended month 13', '2024-13-01'],
    ['extended hour 24', '2024-01-15T24:00:00Z'],
    ['garbage', 'tomorrow'],
    ['empty', ''],
    ['7 digits', '2024011'],
    ['9 digits', '202401150'],
    ['time without T', '20240115093000'],
    ['trailing garbage', '20240115T093000Zx'],
    ['offset instead of Z', '2024-01-15T09:30:00+01:00'],
    ['lower-case basic t', '20240115t093000'],
    ['negative', '-1'],
  ])('%s (%s) → undefined', (_label, text) => {
    expect(parseWcapDate(text)).toBeUndefined();
  });
});

describe('formatWcapDate', () => {
  it.each(['20240115', '20240115T093000', '20240115T093000Z', '00010101', '99991231T235959Z', '20240229T000000'])(
    'round trip of %s',
    (text) => {
      const parsed = parseWcapDate(text);
      expect(parsed).toBeTruthy();
      expect(formatWcapDate(parsed as WcapDate)).toBe(text);
    },
  );

  it('writes extended input in basic form', () => {
    expect(formatWcapDate(parseWcapDate('2024-07-01T08:05:09Z') as WcapDate)).toBe('20240701T080509Z');
  });

  it('pads every field', () => {
    expect(formatWcapDate(at('floating', 987, 1, 2, 3, 4, 5))).toBe('09870102T030405');
  });
});

describe('formatUtc', () => {
  it.each([
    [new Date(Date.UTC(2024, 0, 15, 9, 30, 0)), '20240115T093000Z'],
    // Milliseconds are dropped, not rounded.
    [new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 999)), '20241231T235959Z'],
    [new Date(0), '19700101T000000Z'],
  ])('%s → %s', (value, expected) => {
    expect(formatUtc(value)).toBe(expected);
  });

  it('parses back to the same UTC fields', () => {
    expect(parseWcapDate(formatUtc(new Date(Date.UTC(2024, 6, 1, 7, 0, 0))))).toEqual(at('utc', 2024, 7, 1, 7, 0));
  });
});
