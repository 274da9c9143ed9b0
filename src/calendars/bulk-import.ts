import ICAL from 'ical.js';
import type { Logger } from 'pino';
import { itemComponents, uidOf } from '../mapping/calendar-object.js';
import type { ImportEntry } from '../mapping/import-items.js';
import type { ComponentType } from '../model/calendar.js';
import { GatewayError, isGatewayError } from '../model/errors.js';
import type { Calendar } from './calendar.js';
import type { Item } from './item.js';
import { retryOnConflict } from './merge-retry.js';

/** An item of an import that was not stored, and why. */
export interface ImportFailure {
  name: string;
  uid: string | undefined;
  reason: string;
  /** The error behind a failed write (for the caller's errno mapping); absent for bad data. */
  cause?: unknown;
}

export interface ImportOutcome {
  stored: number;
  skipped: number;
  /** Failures in order, at most `maxReported` of them. */
  failures: ImportFailure[];
  /** Every failure, reported or not. */
  failed: number;
  /** Set when the import stopped early: the calendar or the server failed for every item. */
  stoppedBy?: unknown;
}

export interface BulkImportOptions {
  /** Writes in flight at once: small, so one import cannot crowd out other users. */
  concurrency: number;
  maxReported: number;
  log: Logger;
  /** A progress line every this many items. */
  progressEvery: number;
}

/**
 * Writes an import's items into one calendar through the repository: each as a conditional create
 * (If-None-Match), an item whose UID exists replacing the stored one (If-Match, redone on a
 * concurrent change like a store, merge-retry.ts). Items are read from `entries` only as writes
 * finish, so memory holds at most `concurrency` items. An item whose UID came earlier in the file,
 * not next to it, is merged into what was stored for it (its overrides added, not the master lost).
 * Failures of one item are collected; a failure that will hit every item (the calendar is gone or
 * forbidden, the server down or refusing the credentials) stops the import.
 */
export async function importInto(calendar: Calendar, entries: AsyncIterable<ImportEntry>, options: BulkImportOptions): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { stored: 0, skipped: 0, failures: [], failed: 0 };
  const written = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  let seen = 0;
  const fail = (failure: ImportFailure) => {
    outcome.failed++;
    if (outcome.failures.length < options.maxReported) outcome.failures.push(failure);
  };
  const progress = () => options.log.info({ calid: calendar.calid, items: seen, stored: outcome.stored, failed: outcome.failed }, 'import progress');
  for await (const entry of entries) {
    if (outcome.stoppedBy !== undefined) break;
    if (++seen % options.progressEvery === 0) progress();
    if (entry.kind === 'skipped') {
      outcome.skipped++;
      continue;
    }
    if (entry.kind === 'failed') {
      fail(entry);
      continue;
    }
    const key = `${entry.type}\n${entry.uid}`;
    const earlier = written.get(key);
    const write = (async () => {
      try {
        if (earlier) await earlier.then(() => mergeInto(calendar, entry.type, entry.uid, entry.vcalendar));
        else await replaceOrCreate(calendar, entry.type, entry.uid, entry.vcalendar);
        outcome.stored++;
      } catch (err) {
        if (stopsEverything(err)) outcome.stoppedBy ??= err;
        fail({ name: entry.type, uid: entry.uid, reason: (err as Error).message, cause: err });
      }
    })();
    // Only the order of writes to one UID matters; the promise never rejects.
    written.set(key, write);
    running.add(write);
    void write.finally(() => running.delete(write));
    if (running.size >= options.concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  progress();
  return outcome;
}

function stopsEverything(err: unknown): boolean {
  return ['unavailable', 'unauthorized', 'no-calendar', 'forbidden'].some((kind) => isGatewayError(err, kind as 'unavailable'));
}

async function replaceOrCreate(calendar: Calendar, type: ComponentType, uid: string, vcalendar: ICAL.Component): Promise<void> {
  try {
    await calendar.create(uid, type, vcalendar);
    return;
  } catch (err) {
    if (!isGatewayError(err, 'exists')) throw err;
  }
  await retryOnConflict(calendar.conflictRetry, async () => {
    const existing = await calendar.find(uid, type);
    if (!existing) throw new GatewayError('exists', 'The UID belongs to an item of another type or another calendar object');
    await calendar.save(withContent(existing, copyOf(vcalendar)));
  });
}

/** Adds components of an item met again later in the file to what was stored for it. */
async function mergeInto(calendar: Calendar, type: ComponentType, uid: string, vcalendar: ICAL.Component): Promise<void> {
  await retryOnConflict(calendar.conflictRetry, async () => {
    const existing = await calendar.find(uid, type);
    if (!existing) return replaceOrCreate(calendar, type, uid, vcalendar);
    const merged = existing.vcalendar;
    for (const component of itemComponents(vcalendar, type)) {
      const rid = String(component.getFirstPropertyValue('recurrence-id') ?? '');
      for (const old of itemComponents(merged, type)) {
        if (uidOf(old) === uid && String(old.getFirstPropertyValue('recurrence-id') ?? '') === rid) merged.removeSubcomponent(old);
      }
      merged.addSubcomponent(new ICAL.Component(component.toJSON() as unknown[]));
    }
    for (const zone of vcalendar.getAllSubcomponents('vtimezone')) {
      const tzid = zone.getFirstPropertyValue('tzid');
      if (!merged.getAllSubcomponents('vtimezone').some((z) => z.getFirstPropertyValue('tzid') === tzid)) merged.addSubcomponent(zone);
    }
    await calendar.save(existing);
  });
}

function withContent(existing: Item, vcalendar: ICAL.Component): Item {
  return { ...existing, vcalendar };
}

/** Each attempt writes a fresh copy: serialising reorders the object's components. */
function copyOf(vcalendar: ICAL.Component): ICAL.Component {
  return new ICAL.Component(vcalendar.toJSON() as unknown[]);
}
