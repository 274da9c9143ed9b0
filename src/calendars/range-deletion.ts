import { instanceDeletions, wholeItemDeletion } from '../mapping/deletions.js';
import { applyRangePlan, planRangeDelete, type RangeOptions, type RangePlan } from '../mapping/range-delete.js';
import { cloneInTree } from '../mapping/timezones.js';
import type { ComponentType, TimeRange } from '../model/calendar.js';
import type { Clock } from '../model/clock.js';
import type { Calendar } from './calendar.js';
import type { Item } from './item.js';
import { retryOnConflict } from './merge-retry.js';

/** Why a range delete was refused before it changed anything. */
export class RangeTooLarge extends Error {}

/** How far a range delete got; `done` of `planned` items were deleted or shortened. */
export interface RangeProgress {
  planned: number;
  done: number;
}

/**
 * Deletes what lies wholly in `range` from one calendar (mapping/range-delete.ts decides per
 * item). Everything is decided from one read before anything is written: more than `maxItems`
 * items to delete or shorten, or a series the walk cannot finish, refuses the whole calendar
 * (RangeTooLarge) with nothing changed. Then each item is deleted (DELETE, If-Match) or shortened
 * (PUT, If-Match) in turn, a write that lost a race redone from a fresh read of that item; the
 * delete log gets the whole items and the instances that went. `progress` is kept current, so a
 * failure part way through can say how much had been done.
 */
export async function deleteRange(
  calendar: Calendar,
  range: TimeRange,
  types: readonly ComponentType[],
  options: RangeOptions & { maxItems: number; clock: Clock },
  progress: RangeProgress,
): Promise<void> {
  const { timezone } = await calendar.properties();
  const planOptions: RangeOptions = { ...options, ...(timezone ? { floatingZone: timezone } : {}) };
  const plan = (item: Item) => planRangeDelete(item.components, range, planOptions);
  const items = await calendar.query(range, types);
  const planned: Array<{ item: Item; plan: RangePlan }> = [];
  for (const item of items) {
    const decided = plan(item);
    if (decided.kind === 'too-large') throw new RangeTooLarge(`Item ${item.uid} cannot be cut to the range: ${decided.reason}; nothing was deleted, narrow the range`);
    if (decided.kind !== 'keep') planned.push({ item, plan: decided });
  }
  if (planned.length > options.maxItems) {
    throw new RangeTooLarge(`The range holds ${planned.length} items to delete or shorten, more than ${options.maxItems} per request (WCAP_RANGE_DELETE_MAX_ITEMS); nothing was deleted, narrow the range`);
  }
  progress.planned = planned.length;
  for (const entry of planned) {
    await retryOnConflict(calendar.conflictRetry, async (attempt) => {
      const item = attempt === 0 ? entry.item : await calendar.find(entry.item.uid, entry.item.type);
      // Deleted meanwhile by someone else: what the request wanted is the case.
      if (!item) return;
      const decided = attempt === 0 ? entry.plan : plan(item);
      if (decided.kind === 'keep') return;
      if (decided.kind === 'too-large') throw new RangeTooLarge(`Item ${item.uid} changed meanwhile and cannot be cut to the range: ${decided.reason}`);
      // Copies that keep their zones for the delete log (removed overrides leave the tree).
      const before = item.components.map(cloneInTree);
      const outcome = decided.kind === 'delete-object' ? decided : applyRangePlan(item.vcalendar, item.uid, item.type, decided, new Date(options.clock.now()));
      if (outcome.kind === 'delete-object') await calendar.remove(item, wholeItemDeletion(before, item.uid, item.type));
      else await calendar.save(item, instanceDeletions(before, item.uid, item.type, outcome.removed));
    });
    progress.done++;
  }
}
