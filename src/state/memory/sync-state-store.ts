import type { SeenObject, SyncStateStore } from '../sync-state-store.js';

interface CalendarState {
  token: string | null;
  seen: Map<string, SeenObject>;
}

/** SyncStateStore in process memory (single replica). Holds one entry per object URL of each calendar. */
export class MemorySyncStateStore implements SyncStateStore {
  private readonly calendars = new Map<string, CalendarState>();

  async token(calendarUrl: string): Promise<string | null> {
    return this.calendars.get(calendarUrl)?.token ?? null;
  }

  async seen(calendarUrl: string, urls: readonly string[]): Promise<Map<string, SeenObject>> {
    const entries = this.calendars.get(calendarUrl)?.seen;
    const out = new Map<string, SeenObject>();
    for (const url of urls) {
      const entry = entries?.get(url);
      if (entry) out.set(url, { ...entry });
    }
    return out;
  }

  async knownUrls(calendarUrl: string): Promise<string[]> {
    return [...(this.calendars.get(calendarUrl)?.seen.keys() ?? [])];
  }

  async advance(
    calendarUrl: string,
    expected: string | null,
    next: string,
    seen: ReadonlyMap<string, SeenObject>,
    gone: readonly string[],
  ): Promise<boolean> {
    if (next === '') throw new RangeError('a sync token is never empty');
    const state = this.calendars.get(calendarUrl) ?? { token: null, seen: new Map<string, SeenObject>() };
    if (state.token !== expected) return false;
    state.token = next;
    for (const [url, entry] of seen) state.seen.set(url, { ...entry });
    for (const url of gone) state.seen.delete(url);
    this.calendars.set(calendarUrl, state);
    return true;
  }

  async forget(calendarUrl: string, urls: readonly string[]): Promise<void> {
    const entries = this.calendars.get(calendarUrl)?.seen;
    for (const url of urls) entries?.delete(url);
  }

  async close(): Promise<void> {
    this.calendars.clear();
  }
}
