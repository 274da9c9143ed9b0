import type ICAL from 'ical.js';
import type { Logger } from 'pino';
import { deleteInstances } from '../mapping/recurrence-delete.js';
import type { ComponentType } from '../model/calendar.js';
import type { Clock } from '../model/clock.js';
import { isGatewayError, messageOf } from '../model/errors.js';
import { masterOf, type Item } from './item.js';
import { retryOnConflict, type ConflictRetry } from './merge-retry.js';
import { clearSplitMarker, markSplit, mayHoldSplitIntent, ridOf, splitIntentOf, type SplitIntent } from './split-intent.js';

/** The calendar operations a split needs (Calendar's own, without completing other splits). */
export interface SplitStore {
  create(uid: string, type: ComponentType, vcalendar: ICAL.Component): Promise<Item>;
  save(item: Item): Promise<Item>;
  remove(item: Item): Promise<void>;
  /** Reads an item fresh from the server, as it is (no split completion). */
  lookup(uid: string, type: ComponentType): Promise<Item | null>;
  clock: Clock;
  log: Logger;
  retry: ConflictRetry;
}

/** A calendar's SplitStore: its own writes (cache and delete log kept) and a plain lookup. */
export function splitStoreOf(
  calendar: Pick<SplitStore, 'create' | 'save' | 'remove'>,
  lookup: SplitStore['lookup'],
  ctx: { clock: Clock; log: Logger; retry: ConflictRetry },
): SplitStore {
  return {
    create: (uid, type, vcalendar) => calendar.create(uid, type, vcalendar),
    save: (item) => calendar.save(item),
    remove: (item) => calendar.remove(item),
    lookup,
    clock: ctx.clock,
    log: ctx.log,
    retry: ctx.retry,
  };
}

/** A split as mapping/series-edit.ts decided it. */
export interface PlannedSplit {
  /** The original, already truncated in memory (`vcalendar` holds what it keeps). */
  original: Item;
  newUid: string;
  /** The new series' object. */
  separate: ICAL.Component;
  /** The instance the client named (iCalendar UTC or DATE form) and the kind of split. */
  rid: string;
  mod: 2 | 3;
}

/**
 * Writes a split so that a crash at any point leaves a state the next access repairs
 * (docs/architecture.md#series-splits): 1. the new series, carrying the intent; 2. the original,
 * truncated (If-Match the version the edit was made on); 3. the new series again, without the
 * intent. After 1 alone every later reader sees the marker and completes 2 and 3; after 2 it only
 * removes the marker. When 2 loses a race (someone changed the original meanwhile, maybe a reader
 * completing this very split), the truncation is redone on a fresh read — the merge a split's
 * second write needs. When 2 is refused outright (invalid, forbidden), the new series is removed
 * again and the calendar is as it was. When the server cannot be reached, the marker stays.
 */
export async function writeSplit(store: SplitStore, split: PlannedSplit): Promise<void> {
  const intent: SplitIntent = { originalUid: split.original.uid, originalVersion: split.original.stored.version, rid: split.rid, mod: split.mod };
  const master = split.separate.getFirstSubcomponent(split.original.type.toLowerCase())!;
  markSplit(master, intent);
  let created: Item;
  try {
    created = await store.create(split.newUid, split.original.type, split.separate);
  } finally {
    // The caller answers with these components: the marker is the server's business only.
    clearSplitMarker(master);
  }
  try {
    await store.save(split.original);
  } catch (err) {
    if (isGatewayError(err, 'changed')) {
      const fresh = await store.lookup(split.newUid, split.original.type);
      if (fresh) await completeSplit(store, fresh);
      return;
    }
    if (!isGatewayError(err, 'unavailable')) await store.remove(created).catch(() => undefined);
    throw err;
  }
  // `created` holds the new series without the marker now: writing it is the third write.
  await store.save(created).catch((err: unknown) => {
    // Harmless: whoever reads the new series next removes the marker (the original is truncated).
    store.log.warn({ err: messageOf(err) }, 'split complete; its marker stays until the next read');
  });
}

/**
 * Completes the split `pending` (the new series, carrying a marker) records: truncates the
 * original if it still holds the instances the new series took over, then removes the marker.
 * Idempotent, so any number of readers in any processes may race to do it; each write is
 * conditional and redone from a fresh read when it loses. Returns false when `pending` holds no
 * (believable) marker.
 *
 * The decision is made from the original's content, not from its version: the instance named by
 * the marker is still in the original exactly when the truncation has not happened. If someone
 * changed the original between the two writes, the truncation applies to their version: the result
 * is the one the split followed by their change would have given (their change keeps the part the
 * original keeps), so nothing shows twice and nothing acknowledged is thrown away. A split whose
 * original has gone leaves the new series on its own.
 */
export async function completeSplit(store: SplitStore, pending: Item): Promise<boolean> {
  const first = masterOf(pending);
  const intent = first && splitIntentOf(first);
  if (!intent) return false;
  await retryOnConflict(store.retry, async (n) => {
    const current = n === 0 ? pending : await store.lookup(pending.uid, pending.type);
    const master = current && masterOf(current);
    const still = master && splitIntentOf(master);
    if (!current || !still) return;
    const original = await store.lookup(still.originalUid, current.type);
    if (original) await truncate(store, original, still);
    await unmark(store, current);
  });
  return true;
}

/** Removes from the original what the new series took over, unless that already happened. */
async function truncate(store: SplitStore, original: Item, intent: SplitIntent): Promise<void> {
  const now = new Date(store.clock.now());
  const outcome = deleteInstances(original.vcalendar, original.uid, original.type, ridOf(intent), intent.mod, undefined, now);
  // 'not-an-instance': the instance is gone, so the truncation happened. 'delete-object' would
  // mean the original changed so much that it lies wholly in the new part: never delete data on
  // a guess, keep it.
  if (outcome.outcome !== 'updated') return;
  if (original.stored.version !== intent.originalVersion) {
    store.log.warn({ uid: original.uid }, 'completing an interrupted series split on an original changed since');
  } else {
    store.log.info({ uid: original.uid }, 'completing an interrupted series split');
  }
  await store.save(original);
}

async function unmark(store: SplitStore, item: Item): Promise<void> {
  const master = masterOf(item);
  if (master && clearSplitMarker(master)) await store.save(item);
}

/**
 * Completes the splits recorded in `items` (as a read found them); true when any was found. Costs
 * one text scan per object when none is: markers live only for the moments of a split. A split
 * that cannot be completed now (server unreachable, permission) is logged and left for the next
 * access; the read itself goes on.
 */
export async function completePendingSplits(store: SplitStore, items: readonly Item[]): Promise<boolean> {
  const pending = items.filter((item) => mayHoldSplitIntent(item.stored.ical));
  let found = false;
  for (const item of pending) {
    try {
      found = (await completeSplit(store, item)) || found;
    } catch (err) {
      store.log.warn({ uid: item.uid, err: messageOf(err) }, 'an interrupted series split could not be completed yet');
    }
  }
  return found;
}
