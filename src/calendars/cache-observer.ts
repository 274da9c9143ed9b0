/**
 * How a request's calendar read was served: `hit` from a snapshot whose tag was current, `refreshed`
 * from a snapshot caught up with the server first (sync-collection or a full listing), `miss` by a
 * plain query (no snapshot yet, or a calendar that cannot be cached).
 */
export type CacheReadOutcome = 'hit' | 'refreshed' | 'miss';

/**
 * Told about every calendar read made for a request (not about background snapshot builds). The
 * gateway counts them for its metrics; calendars/ knows nothing of how.
 */
export interface CacheObserver {
  read(outcome: CacheReadOutcome): void;
}
