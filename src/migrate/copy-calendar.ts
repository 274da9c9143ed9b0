import type { Calendar } from '../calendars/calendar.js';
import type { CalendarRepository, NewCalendarProperties } from '../calendars/calendar-repository.js';
import type { Item } from '../calendars/item.js';
import { ITEM_TYPES } from '../model/calendar.js';
import { isGatewayError, messageOf } from '../model/errors.js';
import { sameItem, type LegacyItem } from './legacy-items.js';
import type { CalendarReport, ItemFailure } from './migration-report.js';
import type { WrittenUids } from './state-file.js';

/** Shared by all calendars of a run: how many more writes --stop-after allows (undefined: no limit). */
export interface WriteBudget {
  remaining: number | undefined;
  /** Set once a write was held back because the budget ran out. */
  exhausted: boolean;
}

export interface CopyOptions {
  dryRun: boolean;
  /** Writes in flight at once. */
  concurrency: number;
  maxObjectBytes: number;
  budget: WriteBudget;
  /** Called after each item was decided (written, skipped or failed). */
  onItem(): void;
  /** Called after each write, once the UID is recorded in `written` (the caller saves the state). */
  onWritten(): Promise<void>;
}

type Outcome = { kind: 'written' } | { kind: 'skipped'; because: 'state' | 'identical' } | { kind: 'failed'; reason: string } | { kind: 'held' };

/**
 * Copies one calendar's items to the new server through the repository: creates the calendar when
 * missing (not in a dry run), then writes each UID not yet there as a new object. A UID recorded in
 * the state file is skipped without asking; one already on the new server with the same content is
 * skipped and recorded; one there with other content is left alone and reported as failed.
 */
export async function copyCalendar(
  repository: CalendarRepository,
  target: { calid: string; properties: NewCalendarProperties },
  items: readonly LegacyItem[],
  written: WrittenUids,
  options: CopyOptions,
  report: CalendarReport,
): Promise<Calendar> {
  const calendar = await openCalendar(repository, target, options.dryRun, report);
  const existing = await existingItems(calendar);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const outcome = await copyItem(calendar, item, existing.get(item.uid), written, options);
      tally(report, item.uid, outcome);
      options.onItem();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return calendar;
}

async function openCalendar(repository: CalendarRepository, target: { calid: string; properties: NewCalendarProperties }, dryRun: boolean, report: CalendarReport): Promise<Calendar> {
  if (!dryRun) {
    const { calendar, created } = await repository.createCalendarIfMissing(target.calid, target.properties);
    report.created = created;
    return calendar;
  }
  return repository.resolve(target.calid);
}

/** The new calendar's items by UID (none when a dry run finds no calendar yet). */
async function existingItems(calendar: Calendar): Promise<Map<string, Item>> {
  let items: Item[];
  try {
    items = await calendar.all(ITEM_TYPES);
  } catch (err) {
    if (isGatewayError(err, 'no-calendar') || isGatewayError(err, 'not-found')) return new Map();
    throw err;
  }
  return new Map(items.map((item) => [item.uid, item]));
}

async function copyItem(calendar: Calendar, item: LegacyItem, existing: Item | undefined, written: WrittenUids, options: CopyOptions): Promise<Outcome> {
  if (written.has(item.uid)) return { kind: 'skipped', because: 'state' };
  if (existing) return compared(item, existing, written, options);
  if (item.bytes > options.maxObjectBytes) {
    return { kind: 'failed', reason: `${item.bytes} bytes, more than --max-object-kb ${Math.floor(options.maxObjectBytes / 1024)}` };
  }
  if (options.dryRun) return { kind: 'written' };
  const { budget } = options;
  if (budget.remaining !== undefined) {
    if (budget.remaining <= 0) {
      budget.exhausted = true;
      return { kind: 'held' };
    }
    budget.remaining -= 1;
  }
  try {
    await calendar.create(item.uid, item.type, item.vcalendar);
  } catch (err) {
    if (!isGatewayError(err, 'exists')) return { kind: 'failed', reason: messageOf(err) };
    // Written meanwhile by someone else, or under another resource name: compare with what is there.
    const found = await calendar.find(item.uid, item.type).catch(() => null);
    return found ? compared(item, found, written, options) : { kind: 'failed', reason: messageOf(err) };
  }
  written.add(item.uid);
  await options.onWritten();
  return { kind: 'written' };
}

async function compared(item: LegacyItem, existing: Item, written: WrittenUids, options: CopyOptions): Promise<Outcome> {
  if (!sameItem(item.vcalendar, existing.vcalendar)) {
    return { kind: 'failed', reason: 'the new server already has a different item with this UID; left unchanged' };
  }
  if (!options.dryRun) {
    written.add(item.uid);
    await options.onWritten();
  }
  return { kind: 'skipped', because: 'identical' };
}

function tally(report: CalendarReport, uid: string, outcome: Outcome): void {
  switch (outcome.kind) {
    case 'written':
      report.written += 1;
      return;
    case 'skipped':
      report.skipped += 1;
      report.skippedBecause[outcome.because] += 1;
      return;
    case 'failed': {
      const failure: ItemFailure = { uid, reason: outcome.reason };
      report.failures.push(failure);
      return;
    }
    case 'held':
      return;
  }
}
