/**
 * What the gateway keeps of a calendar collection's contents between requests, so that a read of
 * an unchanged calendar costs one validation instead of a query (docs/architecture.md#calendar-cache).
 * A snapshot is only ever served after the collection's current content tag, read with the user's
 * own credentials, has been compared with `tag`.
 */

/** One stored object as a snapshot keeps it. */
export interface SnapshotObject {
  /** The object's ETag ('' when the server sent none). */
  version: string;
  /** The complete iCalendar text as stored. */
  ical: string;
}

export interface CalendarSnapshot {
  /**
   * The collection's content tag (CalendarInfo.contentTag) read BEFORE the contents, so a change
   * made while they were being read makes the next validation fail rather than hide it. '' when
   * the contents are known to be newer than any tag (after the gateway's own writes): such a
   * snapshot never validates, it is only a base for an incremental refresh.
   */
  tag: string;
  /** RFC 6578 sync token describing these contents (or an older state); absent without sync support. */
  syncToken?: string;
  /** Object URL → object, sorted by URL (a stable order for every replica). */
  objects: ReadonlyMap<string, SnapshotObject>;
}

/** A change to a snapshot: objects to set and URLs to remove, and the new tag and token. */
export interface SnapshotChange {
  tag: string;
  syncToken?: string;
  /** true: `set` is the complete new content (everything else goes). */
  complete: boolean;
  set: ReadonlyMap<string, SnapshotObject>;
  remove: readonly string[];
}

/**
 * Snapshots per collection URL, bounded in size (least recently used go first). Contract:
 * - `get` returns the last stored snapshot (objects sorted by URL) or null, and marks it used.
 * - `apply` changes the snapshot whose tag is still `basedOn` (null: there is none) and returns
 *   true; when another writer changed it first it changes nothing and returns false (the caller
 *   keeps its result to itself). A complete change with basedOn null also replaces an existing one.
 *   A snapshot larger than the whole bound is not kept (false).
 * - `patch` records the gateway's own write of some objects: it sets/removes them and clears the
 *   tag (so the next read refreshes from the sync token instead of trusting the entries).
 * - Losing snapshots loses no data: the next read queries the CalDAV server.
 * - Storage failures reject with GatewayError 'unavailable'.
 */
export interface SnapshotStore {
  get(calendarUrl: string): Promise<CalendarSnapshot | null>;
  /** The stored tag only (null when there is no snapshot), without loading the objects. */
  tag(calendarUrl: string): Promise<string | null>;
  apply(calendarUrl: string, change: SnapshotChange, basedOn: string | null): Promise<boolean>;
  patch(calendarUrl: string, set: ReadonlyMap<string, SnapshotObject>, remove: readonly string[]): Promise<void>;
  delete(calendarUrl: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Approximate memory one object costs a process that holds it in a snapshot, in bytes: its text
 * (one byte per character for the ASCII that calendar data mostly is) plus what comes with it —
 * the Map entry and the object, and the summary and UID index entry the calendar cache keeps for
 * it. About 500 bytes of those were measured with 10,000 events of 400 bytes.
 */
export function objectBytes(url: string, object: SnapshotObject): number {
  return url.length + object.version.length + object.ical.length + 576;
}

/** The objects of `base` with `change` applied, sorted by URL. */
export function appliedObjects(
  base: ReadonlyMap<string, SnapshotObject> | undefined,
  change: Pick<SnapshotChange, 'complete' | 'set' | 'remove'>,
): Map<string, SnapshotObject> {
  const merged = new Map(change.complete || !base ? [] : base);
  for (const url of change.remove) merged.delete(url);
  for (const [url, object] of change.set) merged.set(url, object);
  return new Map([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
