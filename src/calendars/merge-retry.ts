import { isGatewayError } from '../model/errors.js';

/**
 * How often, and after which pause, a write that lost an If-Match race is redone from a fresh
 * read. Injected so tests never sleep.
 */
export interface ConflictRetry {
  /** Redos after the first attempt (so attempts = retries + 1). */
  retries: number;
  /** Waits before redo number `retry` (1-based). */
  pause(retry: number): Promise<void>;
}

/** Redos after a lost race before the store answers "changed at the same time". */
export const CONFLICT_RETRIES = 3;

/**
 * The default: a few milliseconds, doubling, with full jitter — two sessions that collided once
 * must not collide again in lock step. Bounded: at most 8 + 16 + 32 ms.
 */
export const jitteredConflictRetry: ConflictRetry = {
  retries: CONFLICT_RETRIES,
  pause: (retry) => new Promise((resolve) => setTimeout(resolve, Math.random() * 4 * 2 ** retry)),
};

/**
 * Runs `attempt` and, when it fails with GatewayError 'changed' (a conditional write met a newer
 * version: HTTP 412), runs it again up to `policy.retries` times. Each attempt must read the
 * stored object afresh and re-apply only what the request names, so a concurrent change to other
 * fields is kept (a merge) and one to the same field is overwritten by the later writer — WCAP's
 * last-writer-wins, never a silent loss: every acknowledged write was applied to the version
 * current at its moment. `alsoRetry` widens what counts as a lost race (e.g. a create racing a
 * create of the same UID, which the next attempt turns into a modify).
 */
export async function retryOnConflict<T>(
  policy: ConflictRetry,
  attempt: (n: number) => Promise<T>,
  alsoRetry: (err: unknown) => boolean = () => false,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const lostRace = isGatewayError(err, 'changed') || alsoRetry(err);
      if (!lostRace || n >= policy.retries) throw err;
      await policy.pause(n + 1);
    }
  }
}
