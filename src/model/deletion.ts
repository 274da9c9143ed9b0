import type { ComponentType } from './calendar.js';

/**
 * A deleted item or deleted instance of a series, as fetch_deletedcomponents reports it
 * (docs/lightning.md#offline-sync: UID, plus RECURRENCE-ID and DTSTART for instances).
 * Times are iCalendar text: `YYYYMMDDTHHMMSSZ` (UTC) or `YYYYMMDD` (a DATE, for all-day items).
 */
export interface DeletedItem {
  uid: string;
  type: ComponentType;
  /** Set for one deleted instance: the instance's RECURRENCE-ID. Absent: the whole item. */
  recurrenceId?: string;
  /** Start of the deleted item or instance, when known. */
  dtstart?: string;
}

/** A DeletedItem with the time it was deleted (or, for deletions made elsewhere, detected). */
export interface Tombstone extends DeletedItem {
  /** Epoch milliseconds. */
  deletedAt: number;
}
