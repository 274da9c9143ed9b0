import type { Calendar } from '../calendars/calendar.js';
import { itemComponents } from '../mapping/calendar-object.js';
import { ITEM_TYPES } from '../model/calendar.js';
import type { LegacyItem } from './legacy-items.js';
import type { Verification } from './migration-report.js';

/** How many UIDs a report lists by name; the counts are always complete. */
const LISTED_UIDS = 20;

/**
 * Compares the old calendar's items with what the new server holds now, read back fresh (one
 * REPORT): every UID must be there with as many components (master plus exceptions).
 */
export async function verifyCalendar(calendar: Calendar, oldItems: readonly LegacyItem[], oldUnusable: readonly string[]): Promise<Verification> {
  const stored = new Map<string, number>();
  for (const item of await calendar.all(ITEM_TYPES)) stored.set(item.uid, (stored.get(item.uid) ?? 0) + item.components.length);
  const missing: string[] = [];
  const differing: string[] = [];
  let present = 0;
  for (const item of oldItems) {
    const count = stored.get(item.uid);
    if (count === undefined) {
      missing.push(item.uid);
      continue;
    }
    present += 1;
    if (count !== itemComponents(item.vcalendar).length) differing.push(item.uid);
  }
  const oldUids = new Set([...oldItems.map((i) => i.uid), ...oldUnusable]);
  const extra = [...stored.keys()].filter((uid) => !oldUids.has(uid)).length;
  for (const uid of oldUnusable) if (!stored.has(uid)) missing.push(uid);
  return {
    oldCount: oldUids.size,
    newCount: present + oldUnusable.filter((uid) => stored.has(uid)).length,
    missing: missing.slice(0, LISTED_UIDS),
    missingCount: missing.length,
    differing: differing.slice(0, LISTED_UIDS),
    differingCount: differing.length,
    extra,
  };
}
