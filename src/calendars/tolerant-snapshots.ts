import type { SnapshotStore } from '../state/snapshot-store.js';

/**
 * A snapshot store whose failures never fail a request: the calendar cache is an optimisation, so
 * when the shared store (Redis) is down or slow, reads find nothing there (and query the CalDAV
 * server or use this process's snapshot), and writes to it are dropped. Never a stale read either:
 * a dropped write leaves a snapshot whose tag the server no longer has, which no read validates.
 * `onFailure` hears of each failure (for the log).
 */
export function tolerantSnapshots(store: SnapshotStore, onFailure: (what: string, err: unknown) => void): SnapshotStore {
  const attempt = async <T>(what: string, fallback: T, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      onFailure(what, err);
      return fallback;
    }
  };
  return {
    get: (url) => attempt('reading a calendar snapshot', null, () => store.get(url)),
    tag: (url) => attempt('reading a calendar snapshot', null, () => store.tag(url)),
    apply: (url, change, basedOn) => attempt('writing a calendar snapshot', false, () => store.apply(url, change, basedOn)),
    patch: (url, set, remove) => attempt('writing a calendar snapshot', undefined, () => store.patch(url, set, remove)),
    delete: (url) => attempt('deleting a calendar snapshot', undefined, () => store.delete(url)),
    close: () => store.close(),
  };
}
