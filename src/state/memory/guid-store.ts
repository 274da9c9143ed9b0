import type { GuidStore } from '../guid-store.js';

export interface MemoryGuidStoreOptions {
  /** Most entries held; above it the least recently used entry is dropped. Default 100,000. */
  maxEntries?: number;
}

/**
 * GuidStore in process memory: a Map kept in least-recently-used order (get and set move an entry
 * to the end) and capped at `maxEntries`. Dropping entries is safe because the index is only a
 * cache (see GuidStore).
 */
export class MemoryGuidStore implements GuidStore {
  private readonly entries = new Map<string, string>();
  private readonly maxEntries: number;

  constructor(options: MemoryGuidStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!(this.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  async get(calendarUrl: string, uid: string): Promise<string | null> {
    const key = keyFor(calendarUrl, uid);
    const objectUrl = this.entries.get(key);
    if (objectUrl === undefined) return null;
    this.entries.delete(key);
    this.entries.set(key, objectUrl);
    return objectUrl;
  }

  async set(calendarUrl: string, uid: string, objectUrl: string): Promise<void> {
    const key = keyFor(calendarUrl, uid);
    this.entries.delete(key);
    this.entries.set(key, objectUrl);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  async delete(calendarUrl: string, uid: string): Promise<void> {
    this.entries.delete(keyFor(calendarUrl, uid));
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/** Length-prefixed so that no (calendar, uid) pair can collide with another, whatever they contain. */
function keyFor(calendarUrl: string, uid: string): string {
  return `${calendarUrl.length}:${calendarUrl}${uid}`;
}
