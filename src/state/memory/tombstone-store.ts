import type { Clock } from '../../model/clock.js';
import type { Tombstone } from '../../model/deletion.js';
import { tombstoneKey, type TombstoneStore } from '../tombstone-store.js';

export interface MemoryTombstoneStoreOptions {
  clock: Clock;
  /** How long a tombstone is kept, in seconds. */
  retentionSeconds: number;
}

/** TombstoneStore in process memory (single replica); trimmed to the retention period on each record. */
export class MemoryTombstoneStore implements TombstoneStore {
  private readonly calendars = new Map<string, Map<string, Tombstone>>();
  private readonly clock: Clock;
  private readonly retentionMs: number;

  constructor(options: MemoryTombstoneStoreOptions) {
    if (!Number.isInteger(options.retentionSeconds) || options.retentionSeconds < 1) {
      throw new RangeError('retentionSeconds must be a positive integer');
    }
    this.clock = options.clock;
    this.retentionMs = options.retentionSeconds * 1000;
  }

  async record(calendarUrl: string, tombstones: Tombstone[]): Promise<void> {
    let entries = this.calendars.get(calendarUrl);
    if (!entries) {
      entries = new Map();
      this.calendars.set(calendarUrl, entries);
    }
    for (const tombstone of tombstones) {
      const key = tombstoneKey(tombstone);
      // Re-inserting keeps the Map in insertion order close to deletion order.
      entries.delete(key);
      entries.set(key, { ...tombstone });
    }
    const oldest = this.oldestKept();
    for (const [key, tombstone] of entries) if (tombstone.deletedAt < oldest) entries.delete(key);
  }

  async list(calendarUrl: string, fromMs: number, toMs: number): Promise<Tombstone[]> {
    const from = Math.max(fromMs, this.oldestKept());
    return [...(this.calendars.get(calendarUrl)?.values() ?? [])]
      .filter((t) => t.deletedAt >= from && t.deletedAt <= toMs)
      .sort((a, b) => a.deletedAt - b.deletedAt)
      .map((t) => ({ ...t }));
  }

  async close(): Promise<void> {
    this.calendars.clear();
  }

  private oldestKept(): number {
    return this.clock.now() - this.retentionMs;
  }
}
