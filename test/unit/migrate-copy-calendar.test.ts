import ICAL from 'ical.js';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CalendarRepository } from '../../src/calendars/calendar-repository.js';
import { createLogger } from '../../src/logger.js';
import { copyCalendar, type CopyOptions } from '../../src/migrate/copy-calendar.js';
import { itemsOfExport } from '../../src/migrate/legacy-items.js';
import type { CalendarReport } from '../../src/migrate/migration-report.js';
import { emptyState, writtenUids } from '../../src/migrate/state-file.js';
import { TargetServer } from '../../src/migrate/target-server.js';
import { MemoryBackend } from '../support/memory-backend.js';

/** copyCalendar over the in-memory CalDAV fake: what is written, skipped and refused. */
const USERS = { alice: 'alice-pw' };
const log = createLogger('silent');

const exported = (...events: Array<{ uid: string; summary: string; extra?: string[] }>) =>
  new ICAL.Component(
    ICAL.parse(
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//old//EN', 'X-NSCP-WCAP-ERRNO:0',
        ...events.flatMap((e) => ['BEGIN:VEVENT', `UID:${e.uid}`, 'DTSTAMP:20270101T000000Z', 'DTSTART:20270105T090000Z', 'DTEND:20270105T100000Z',
          `SUMMARY:${e.summary}`, 'X-NSCP-DTSTART-TZID:UTC', 'ATTENDEE;X-S1CS-CALID=bob;PARTSTAT=ACCEPTED:mailto:bob@example.com', ...(e.extra ?? []), 'END:VEVENT']),
        'END:VCALENDAR'].join('\r\n'),
    ) as unknown[],
  );

describe('copyCalendar', () => {
  let repository: CalendarRepository;
  let report: CalendarReport;
  let options: CopyOptions;
  beforeEach(async () => {
    const target = new TargetServer({ caldavUrl: 'http://unused.test/', timeoutMs: 1000, defaultCalendar: 'calendar', log, backend: new MemoryBackend({ users: USERS }) });
    repository = await target.open({ user: 'alice', password: USERS.alice }, log, false);
    report = { calid: 'alice', target: 'alice', created: false, read: 0, written: 0, skipped: 0, skippedBecause: { state: 0, identical: 0 }, failures: [] };
    options = { dryRun: false, concurrency: 2, maxObjectBytes: 4096, budget: { remaining: undefined, exhausted: false }, onItem: () => undefined, onWritten: async () => undefined };
  });

  it('writes new items without the WCAP answer hints, and records them', async () => {
    const { items } = itemsOfExport([exported({ uid: 'a', summary: 'A' }, { uid: 'b', summary: 'B' })]);
    const state = emptyState('f', 't');
    const calendar = await copyCalendar(repository, { calid: 'alice', properties: {} }, items, writtenUids(state, 'alice', 'alice'), options, report);
    expect([report.written, report.skipped, report.failures]).toEqual([2, 0, []]);
    expect(state.users.alice!.calendars.alice!.written.sort()).toEqual(['a', 'b']);
    const stored = await calendar.find('a', 'VEVENT');
    expect(stored!.components[0]!.hasProperty('x-nscp-dtstart-tzid')).toBe(false);
    expect(stored!.components[0]!.getFirstProperty('attendee')!.toICALString()).toBe('ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com');
  });

  it('skips items on the new server with the same content, and refuses to overwrite a different one', async () => {
    const { items: first } = itemsOfExport([exported({ uid: 'same', summary: 'Same' }, { uid: 'other', summary: 'Mine' })]);
    await copyCalendar(repository, { calid: 'alice', properties: {} }, first, writtenUids(emptyState('f', 't'), 'alice', 'alice'), options, { ...report, failures: [] });
    const { items } = itemsOfExport([exported({ uid: 'same', summary: 'Same' }, { uid: 'other', summary: 'Theirs' })]);
    const calendar = await copyCalendar(repository, { calid: 'alice', properties: {} }, items, writtenUids(emptyState('f', 't'), 'alice', 'alice'), options, report);
    expect(report.skippedBecause).toEqual({ state: 0, identical: 1 });
    expect(report.failures).toEqual([{ uid: 'other', reason: 'the new server already has a different item with this UID; left unchanged' }]);
    expect((await calendar.find('other', 'VEVENT'))!.components[0]!.getFirstPropertyValue('summary')).toBe('Mine');
  });

  it('fails an item larger than the object cap, and holds writes once --stop-after is used up', async () => {
    const big = { uid: 'big', summary: 'Big', extra: [`DESCRIPTION:${'x'.repeat(5000)}`] };
    const { items } = itemsOfExport([exported(big, { uid: 'one', summary: '1' }, { uid: 'two', summary: '2' })]);
    options.concurrency = 1;
    options.budget.remaining = 1;
    const calendar = await copyCalendar(repository, { calid: 'alice:new', properties: { displayName: 'New' } }, items, writtenUids(emptyState('f', 't'), 'alice', 'alice:new'), options, report);
    expect(report.failures).toEqual([{ uid: 'big', reason: expect.stringMatching(/^\d+ bytes, more than --max-object-kb 4$/) }]);
    expect([report.written, report.created, options.budget.exhausted]).toEqual([1, true, true]);
    expect((await calendar.all(['VEVENT'])).map((i) => i.uid)).toEqual(['one']);
  });

  it('in a dry run counts what it would write and creates nothing', async () => {
    const { items } = itemsOfExport([exported({ uid: 'a', summary: 'A' })]);
    options.dryRun = true;
    await copyCalendar(repository, { calid: 'alice:missing', properties: {} }, items, writtenUids(emptyState('f', 't'), 'alice', 'alice:missing'), options, report);
    expect([report.written, report.created]).toEqual([1, false]);
    expect((await repository.list()).map((c) => c.calid)).toEqual(['alice']);
  });
});
