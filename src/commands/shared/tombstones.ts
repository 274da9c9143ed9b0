import type ICAL from 'ical.js';
import { wholeItemDeletion } from '../../mapping/deletions.js';
import { useZonesOf } from '../../mapping/instances.js';
import type { ComponentType } from '../../model/calendar.js';
import type { DeletedItem } from '../../model/deletion.js';
import type { CommandContext } from '../../wcap/command.js';
import type { ResolvedCalendar } from './calendars.js';
import { componentsOf, type LoadedItem } from './items.js';

/** The deletions of the instances a partial delete removed (its `removed` RECURRENCE-IDs). */
export { instanceDeletions } from '../../mapping/deletions.js';

/** A deletion made through the gateway. */
export interface Deletion extends DeletedItem {
  /**
   * The object's URL when the whole object is gone: deletion detection (sync-collection) then
   * does not report the same deletion a second time, dated later.
   */
  url?: string;
}

/**
 * Records deletions made through the gateway in the delete log, dated now, for
 * fetch_deletedcomponents. Never fails: the user's delete has already happened on the CalDAV
 * server, so a delete log that cannot be written (Redis down) only costs a warning; clients that
 * sync later keep the deleted items until they reload the calendar.
 */
export async function recordDeletions(
  ctx: CommandContext<unknown>,
  calendar: ResolvedCalendar,
  deletions: Deletion[],
): Promise<void> {
  if (deletions.length === 0) return;
  const calendarUrl = calendar.info.url;
  const deletedAt = ctx.deps.clock.now();
  const gone = deletions.flatMap((d) => (d.url === undefined ? [] : [d.url]));
  try {
    await ctx.deps.tombstones.record(
      calendarUrl,
      deletions.map(({ url: _url, ...item }) => ({ ...item, deletedAt })),
    );
    await ctx.deps.syncState.forget(calendarUrl, gone);
  } catch (err) {
    ctx.log.warn(
      { err: err instanceof Error ? err.message : String(err), calid: calendar.address.calid, count: deletions.length },
      'deletion not recorded in the delete log; clients syncing later will not learn of it',
    );
  }
}

/**
 * The components of `uid` as they are before a delete changes them (zones registered first, so
 * the delete and the tombstones read the same times), for itemDeletion and instanceDeletions.
 */
export function componentsBeforeDeletion(loaded: LoadedItem, uid: string, type: ComponentType): ICAL.Component[] {
  const components = componentsOf(loaded.vcalendar, uid, type);
  useZonesOf(components);
  return components;
}

/** The deletion of the whole item `uid` held by `loaded`. */
export function itemDeletion(loaded: LoadedItem, uid: string, type: ComponentType, before: ICAL.Component[]): Deletion {
  return { ...wholeItemDeletion(before, uid, type), url: loaded.object.url };
}
