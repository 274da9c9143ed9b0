import { describe, expect, it } from 'vitest';
import { occurrencesIn } from '../../src/mapping/expand.js';
import { busyPeriods, freeBusyTypeOf, type FreeBusyType } from '../../src/mapping/freebusy.js';
import { directory, iso, stored, vevent } from './fetch-fixtures.js';

/**
 * Free/busy types (mapping/freebusy.ts): TRANSP, STATUS and the calendar owner's own PARTSTAT, for
 * owner alice; and busy time of recurring events across DST.
 */

const owner = { user: 'alice', directory };
const event = (...lines: string[]) => stored([], ...vevent('f', 'DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z', ...lines))[0]!;
const INVITED = 'ORGANIZER:mailto:carol@partner.org';

describe('freeBusyTypeOf', () => {
  it.each<[string, string[], FreeBusyType | undefined]>([
    ['an opaque event', [], 'BUSY'],
    ['TRANSP:OPAQUE', ['TRANSP:OPAQUE'], 'BUSY'],
    ['TRANSP:TRANSPARENT is free', ['TRANSP:TRANSPARENT'], undefined],
    ['STATUS:CONFIRMED', ['STATUS:CONFIRMED'], 'BUSY'],
    ['STATUS:TENTATIVE', ['STATUS:TENTATIVE'], 'BUSY-TENTATIVE'],
    ['STATUS:CANCELLED is free', ['STATUS:CANCELLED'], undefined],
    ['invited, accepted', [INVITED, 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com'], 'BUSY'],
    ['invited, declined: free', [INVITED, 'ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.com'], undefined],
    ['invited, delegated: free', [INVITED, 'ATTENDEE;PARTSTAT=DELEGATED:mailto:alice@example.com'], undefined],
    ['invited, tentative', [INVITED, 'ATTENDEE;PARTSTAT=TENTATIVE:mailto:alice@example.com'], 'BUSY-TENTATIVE'],
    ['invited, not answered yet', [INVITED, 'ATTENDEE;PARTSTAT=NEEDS-ACTION;X-S1CS-CALID=alice:mailto:alice@example.com'], 'BUSY-TENTATIVE'],
    ['invited, accepted, but the meeting is cancelled', [INVITED, 'STATUS:CANCELLED', 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com'], undefined],
    ["someone else's decline does not free alice", [INVITED, 'ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com'], 'BUSY'],
    ['organizer: her own attendee line does not matter', ['ORGANIZER:mailto:alice@example.com', 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:alice@example.com'], 'BUSY'],
  ])('%s', (_label, lines, expected) => {
    expect(freeBusyTypeOf(event(...lines), owner)).toBe(expected);
  });

  it('tasks take no time', () => {
    expect(freeBusyTypeOf(stored([], 'BEGIN:VTODO', 'UID:t', 'DTSTART:20260310T090000Z', 'DUE:20260310T100000Z', 'END:VTODO')[0]!, owner)).toBeUndefined();
  });
});

describe('busy time of recurring events', () => {
  it.each([
    ['Europe/Berlin', '20261019T090000', ['20261019T070000Z/20261019T080000Z', '20261026T080000Z/20261026T090000Z']],
    ['America/New_York', '20261026T090000', ['20261026T130000Z/20261026T140000Z', '20261102T140000Z/20261102T150000Z']],
    ['Australia/Sydney', '20260928T090000', ['20260927T230000Z/20260928T000000Z', '20261004T220000Z/20261004T230000Z']],
  ])('%s: a weekly 09:00 meeting across the DST change', (zone, local, expected) => {
    const items = stored([zone], ...vevent('w', `DTSTART;TZID=${zone}:${local}`, 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY'));
    const [start, end] = [iso('2026-09-01T00:00:00Z'), iso('2026-11-10T00:00:00Z')];
    const periods = busyPeriods(occurrencesIn(items, start, end), start, end, owner).slice(0, 2);
    const utc = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('.000', '');
    expect(periods.map((p) => `${utc(p.start)}/${utc(p.end)}`)).toEqual(expected);
  });

  it('a declined instance (override) frees that slot only', () => {
    const items = stored([], ...vevent('r', 'DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=DAILY;COUNT=3', INVITED,
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com'),
      ...vevent('r', 'RECURRENCE-ID:20260303T090000Z', 'DTSTART:20260303T090000Z', 'DTEND:20260303T100000Z', INVITED,
        'ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.com'));
    const [start, end] = [iso('2026-03-01T00:00:00Z'), iso('2026-03-10T00:00:00Z')];
    expect(busyPeriods(occurrencesIn(items, start, end), start, end, owner).map((p) => p.start.toISOString())).toEqual([
      '2026-03-02T09:00:00.000Z',
      '2026-03-04T09:00:00.000Z',
    ]);
  });

  it('an opaque all-day event is busy from midnight to midnight in the calendar zone', () => {
    const items = stored([], ...vevent('d', 'DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260311', 'TRANSP:OPAQUE'));
    const [start, end] = [iso('2026-03-09T00:00:00Z'), iso('2026-03-12T00:00:00Z')];
    const periods = busyPeriods(occurrencesIn(items, start, end, { floatingZone: 'Europe/Berlin' }), start, end, owner);
    expect(periods.map((p) => [p.start.toISOString(), p.end.toISOString(), p.type])).toEqual([
      ['2026-03-09T23:00:00.000Z', '2026-03-10T23:00:00.000Z', 'BUSY'],
    ]);
  });
});
