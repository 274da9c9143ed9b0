/**
 * Index from (calendar URL, UID) to the URL of the object resource that holds that UID.
 * Objects created by other CalDAV clients have hrefs unrelated to the UID; the index saves a UID
 * REPORT on every lookup. It is a cache: losing it loses no data (lookups fall back to a query),
 * and an entry may be stale (callers verify by fetching).
 */
export interface GuidStore {
  get(calendarUrl: string, uid: string): Promise<string | null>;
  set(calendarUrl: string, uid: string, objectUrl: string): Promise<void>;
  delete(calendarUrl: string, uid: string): Promise<void>;
  close(): Promise<void>;
}
