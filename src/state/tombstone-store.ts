import type { Tombstone } from '../model/deletion.js';

/**
 * The gateway's delete log (Sun's "deletelog database"): deleted items and instances per calendar,
 * dated, kept for a retention period, read by fetch_deletedcomponents.
 * - `record` stores tombstones. Recording a tombstone equal to a stored one in everything but
 *   `deletedAt` replaces it (one entry per deletion, dated by the latest record). Entries older
 *   than the retention period (relative to the store's clock) are dropped.
 * - `list` returns the tombstones with `fromMs <= deletedAt <= toMs` (epoch milliseconds, either
 *   bound may be ±Infinity), oldest first, never ones older than the retention period.
 * - Storage failures reject with GatewayError 'unavailable'.
 * Losing the log loses no calendar data, but clients that sync later miss those deletions (they
 * keep items that no longer exist until they reload the calendar).
 */
export interface TombstoneStore {
  record(calendarUrl: string, tombstones: Tombstone[]): Promise<void>;
  list(calendarUrl: string, fromMs: number, toMs: number): Promise<Tombstone[]>;
  close(): Promise<void>;
}

/** Identity of a tombstone without its date, used to keep one entry per deletion. */
export function tombstoneKey(t: Tombstone): string {
  return JSON.stringify([t.uid, t.type, t.recurrenceId ?? null, t.dtstart ?? null]);
}

/** Inverse of {@link tombstoneKey}. Throws on text it did not produce. */
export function tombstoneOfKey(key: string, deletedAt: number): Tombstone {
  const parsed: unknown = JSON.parse(key);
  if (!Array.isArray(parsed) || parsed.length !== 4) throw new Error('not a tombstone key');
  const [uid, type, recurrenceId, dtstart] = parsed as [unknown, unknown, unknown, unknown];
  if (typeof uid !== 'string' || (type !== 'VEVENT' && type !== 'VTODO')) throw new Error('not a tombstone key');
  const tombstone: Tombstone = { uid, type, deletedAt };
  if (typeof recurrenceId === 'string') tombstone.recurrenceId = recurrenceId;
  if (typeof dtstart === 'string') tombstone.dtstart = dtstart;
  return tombstone;
}
