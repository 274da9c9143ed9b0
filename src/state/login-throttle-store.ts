/**
 * Counts login attempts per subject (a user name, a client address) so that password guessing is
 * refused before it reaches the CalDAV server. Shared by the replicas when it lives in Redis.
 *
 * Per subject the store keeps the attempts counted in the current window, the window's start, the
 * time a block ends and a block level:
 * - `attempt` refuses, changing nothing, when any subject is blocked. Otherwise it counts the
 *   attempt for every subject *before* the password is checked, so parallel guesses cannot outrun
 *   the limit. A window ends `windowSeconds` after its first attempt. The attempt that reaches
 *   `maxFailures` in a window starts a block of `blockSeconds × 2^(level)`, at most
 *   `blockMaxSeconds`, and raises the level; while the window lasts, every further attempt after
 *   the block starts the next, longer block.
 * - `settle` takes an attempt back when it did not fail: a success (which also clears the user's
 *   count, not the level) or an attempt nobody could decide (CalDAV server unreachable). A block
 *   the attempt started is lifted and its level taken back. A failed attempt needs no settling.
 * - A subject is forgotten (level included) once nothing was counted for the length of its block
 *   plus `windowSeconds + blockMaxSeconds`.
 * - A kind whose `maxFailures` is 0 is not limited: its subjects are ignored.
 * - Storage failures reject with GatewayError 'unavailable'.
 */
export interface LoginThrottleStore {
  attempt(subjects: readonly ThrottleSubject[]): Promise<AttemptVerdict>;
  settle(ticket: AttemptTicket, outcome: 'succeeded' | 'undecided'): Promise<void>;
  close(): Promise<void>;
}

export type ThrottleKind = 'user' | 'address';

/** `id` is bounded and free of separators (the policy hashes user names). */
export interface ThrottleSubject {
  kind: ThrottleKind;
  id: string;
}

export interface ThrottleLimits {
  /** Attempts in a window that start a block; 0 = this kind is not limited. */
  maxFailures: number;
  windowSeconds: number;
  /** Length of the first block. */
  blockSeconds: number;
  /** Longest block. */
  blockMaxSeconds: number;
}

export type ThrottlePolicy = Readonly<Record<ThrottleKind, ThrottleLimits>>;

/** What one counted attempt changed, enough to take it back. */
export interface AttemptTicket {
  counted: Array<{ subject: ThrottleSubject; windowStart: number; /** End of the block this attempt started, else 0. */ blockStarted: number }>;
}

/** A block that keeps a subject from trying, or that an attempt started. */
export interface ThrottleBlock {
  kind: ThrottleKind;
  /** Milliseconds until the subject may try again. */
  remainingMs: number;
}

export type AttemptVerdict =
  | { allowed: true; ticket: AttemptTicket; /** Blocks this attempt started (they apply from the next one). */ started: ThrottleBlock[] }
  | { allowed: false; block: ThrottleBlock };

/** Throws RangeError for limits a store cannot work with. */
export function checkThrottlePolicy(policy: ThrottlePolicy): void {
  for (const [kind, limits] of Object.entries(policy)) {
    const { maxFailures, windowSeconds, blockSeconds, blockMaxSeconds } = limits;
    const whole = [maxFailures, windowSeconds, blockSeconds, blockMaxSeconds].every((n) => Number.isInteger(n) && n >= 0);
    if (!whole || windowSeconds < 1 || blockSeconds < 1 || blockMaxSeconds < blockSeconds) {
      throw new RangeError(`login limits for ${kind}: whole numbers, window and block at least 1 s, maximum block not below the first`);
    }
  }
}

/** The subjects a store limits under `policy`. */
export function limitedSubjects(policy: ThrottlePolicy, subjects: readonly ThrottleSubject[]): ThrottleSubject[] {
  return subjects.filter((s) => policy[s.kind].maxFailures > 0);
}

/** Length of the block at `level` (1 = first block), in milliseconds. */
export function blockMs(limits: ThrottleLimits, level: number): number {
  // Capped exponent: 2^40 s is beyond any maximum block already.
  return Math.min(limits.blockSeconds * 2 ** Math.min(level - 1, 40), limits.blockMaxSeconds) * 1000;
}

/** How long a subject's record outlives its last counted attempt (and the block it started). */
export function forgetAfterMs(limits: ThrottleLimits): number {
  return (limits.windowSeconds + limits.blockMaxSeconds) * 1000;
}
