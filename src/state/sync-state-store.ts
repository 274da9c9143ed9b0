import type { DeletedItem } from '../model/deletion.js';

/** What an object URL held when the gateway last saw it: enough to report its deletion. */
export type SeenObject = Omit<DeletedItem, 'recurrenceId'>;

/**
 * Per calendar, the gateway's view of the last sync-collection (RFC 6578) it made: the sync token
 * and, for every object URL, the item it held. A deletion by another CalDAV client reaches the
 * gateway only as "this URL is gone"; this map turns the URL back into a UID and DTSTART.
 * Entries expire with the store's TTL after the last `advance`. Storage failures reject with
 * GatewayError 'unavailable'.
 */
export interface SyncStateStore {
  /** The stored token, or null when there is none (never synced, expired or lost). */
  token(calendarUrl: string): Promise<string | null>;

  /** What each of `urls` held; URLs never seen (or forgotten) are absent from the map. */
  seen(calendarUrl: string, urls: readonly string[]): Promise<Map<string, SeenObject>>;

  /** Every URL with a stored entry (used after a full listing, to find what disappeared). */
  knownUrls(calendarUrl: string): Promise<string[]>;

  /**
   * Compare-and-set: when the stored token is still `expected` (null = none), stores `next`, sets
   * the entries of `seen` and removes those of `gone`, all at once, and returns true. Otherwise
   * changes nothing and returns false (a concurrent sync got there first).
   */
  advance(
    calendarUrl: string,
    expected: string | null,
    next: string,
    seen: ReadonlyMap<string, SeenObject>,
    gone: readonly string[],
  ): Promise<boolean>;

  /** Removes entries (objects the gateway deleted itself and has already recorded tombstones for). */
  forget(calendarUrl: string, urls: readonly string[]): Promise<void>;

  close(): Promise<void>;
}
