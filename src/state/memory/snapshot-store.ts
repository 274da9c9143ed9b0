import {
  appliedObjects,
  objectBytes,
  type CalendarSnapshot,
  type SnapshotChange,
  type SnapshotObject,
  type SnapshotStore,
} from '../snapshot-store.js';

export interface MemorySnapshotStoreOptions {
  /** Most bytes held over all snapshots; the least recently used snapshots are dropped beyond it. */
  maxBytes: number;
}

interface Entry {
  snapshot: CalendarSnapshot;
  bytes: number;
}

/**
 * SnapshotStore in process memory: a Map in least-recently-used order (get, apply and patch move
 * a snapshot to the end), capped at `maxBytes` in total. A single snapshot larger than the cap is
 * not kept at all (its calendar is then read from the server each time).
 */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxBytes: number;
  private total = 0;

  constructor(options: MemorySnapshotStoreOptions) {
    if (!(options.maxBytes >= 0)) throw new RangeError('maxBytes must not be negative');
    this.maxBytes = options.maxBytes;
  }

  /** Drops every snapshot (the admin's refresh): losing snapshots loses no data. */
  async clear(): Promise<void> {
    this.entries.clear();
    this.total = 0;
  }

  async get(calendarUrl: string): Promise<CalendarSnapshot | null> {
    const entry = this.entries.get(calendarUrl);
    if (!entry) return null;
    this.touch(calendarUrl, entry);
    return entry.snapshot;
  }

  async tag(calendarUrl: string): Promise<string | null> {
    return this.entries.get(calendarUrl)?.snapshot.tag ?? null;
  }

  async apply(calendarUrl: string, change: SnapshotChange, basedOn: string | null): Promise<boolean> {
    const current = this.entries.get(calendarUrl);
    const stillBase = current ? current.snapshot.tag === basedOn : basedOn === null;
    if (!stillBase && !(change.complete && basedOn === null)) return false;
    const objects = appliedObjects(current?.snapshot.objects, change);
    return this.store(calendarUrl, { tag: change.tag, ...(change.syncToken ? { syncToken: change.syncToken } : {}), objects });
  }

  async patch(calendarUrl: string, set: ReadonlyMap<string, SnapshotObject>, remove: readonly string[]): Promise<void> {
    const current = this.entries.get(calendarUrl);
    if (!current) return;
    const objects = appliedObjects(current.snapshot.objects, { complete: false, set, remove });
    const { syncToken } = current.snapshot;
    this.store(calendarUrl, { tag: '', ...(syncToken ? { syncToken } : {}), objects });
  }

  async delete(calendarUrl: string): Promise<void> {
    const entry = this.entries.get(calendarUrl);
    if (!entry) return;
    this.entries.delete(calendarUrl);
    this.total -= entry.bytes;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.total = 0;
  }

  /** Keeps the snapshot (false: larger than the whole bound, not kept), evicting as needed. */
  private store(calendarUrl: string, snapshot: CalendarSnapshot): boolean {
    const bytes = [...snapshot.objects].reduce((sum, [url, object]) => sum + objectBytes(url, object), 256);
    const previous = this.entries.get(calendarUrl);
    if (previous) {
      this.entries.delete(calendarUrl);
      this.total -= previous.bytes;
    }
    if (bytes > this.maxBytes) return false;
    this.entries.set(calendarUrl, { snapshot, bytes });
    this.total += bytes;
    for (const [url, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(url);
      this.total -= entry.bytes;
    }
    return true;
  }

  private touch(calendarUrl: string, entry: Entry): void {
    this.entries.delete(calendarUrl);
    this.entries.set(calendarUrl, entry);
  }
}
