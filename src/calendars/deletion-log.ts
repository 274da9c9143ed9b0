import type { Logger } from 'pino';
import { itemOfObject } from '../mapping/deletions.js';
import type { Clock } from '../model/clock.js';
import type { DeletedItem, Tombstone } from '../model/deletion.js';
import { messageOf } from '../model/errors.js';
import type { TimeRange } from '../model/calendar.js';
import { tombstoneKey, type TombstoneStore } from '../state/tombstone-store.js';
import type { GoneObjects } from './content-cache.js';
import { parseObject } from './object-codec.js';

/**
 * The delete log behind fetch_deletedcomponents (Sun's "deletelog"): deletions made through the
 * gateway, dated when they happen, and deletions made by other CalDAV clients, dated when a cache
 * refresh finds their objects gone (docs/wcap-protocol.md#fetch_deletedcomponents).
 */
export class DeletionLog {
  constructor(
    private readonly tombstones: TombstoneStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records deletions made through the gateway, dated now. Never fails: the user's delete has
   * already happened on the CalDAV server, so a log that cannot be written (Redis down) only costs a
   * warning; clients that sync later keep the deleted items until they reload the calendar.
   */
  async recordOwn(calendarUrl: string, deletions: DeletedItem[], log: Logger): Promise<void> {
    if (deletions.length === 0) return;
    const deletedAt = this.clock.now();
    try {
      await this.tombstones.record(calendarUrl, deletions.map((d) => ({ ...d, deletedAt })));
    } catch (err) {
      log.warn(
        { err: messageOf(err), count: deletions.length },
        'deletion not recorded in the delete log; clients syncing later will not learn of it',
      );
    }
  }

  /** Records objects other clients deleted (what the cache held under their URLs), dated now; returns the tombstones. */
  async recordGone(calendarUrl: string, gone: GoneObjects): Promise<Tombstone[]> {
    const deletedAt = this.clock.now();
    const found = gone.flatMap(({ object }): Tombstone[] => {
      try {
        const item = itemOfObject(parseObject(object.ical));
        return item ? [{ ...item, deletedAt }] : [];
      } catch {
        // An object no client could read cannot be reported as deleted by UID either.
        return [];
      }
    });
    if (found.length > 0) await this.tombstones.record(calendarUrl, found);
    return found;
  }

  /**
   * Tombstones of `window` (both bounds inclusive, open when absent), plus `fresh` ones the request
   * itself found: they are dated after the dtend its client computed before sending, and would
   * otherwise reach the client only at its next sync, which then repeats them (harmless: Lightning
   * ignores deleting what it no longer has).
   */
  async list(calendarUrl: string, window: TimeRange, fresh: Tombstone[]): Promise<Tombstone[]> {
    const listed = await this.tombstones.list(calendarUrl, window.start?.getTime() ?? -Infinity, window.end?.getTime() ?? Infinity);
    const known = new Set(listed.map(tombstoneKey));
    return [...listed, ...fresh.filter((t) => !known.has(tombstoneKey(t)))];
  }
}
