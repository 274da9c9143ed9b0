import type { Clock } from '../../model/clock.js';
import {
  blockMs,
  checkThrottlePolicy,
  forgetAfterMs,
  limitedSubjects,
  type AttemptTicket,
  type AttemptVerdict,
  type LoginThrottleStore,
  type ThrottleBlock,
  type ThrottlePolicy,
  type ThrottleSubject,
} from '../login-throttle-store.js';

export interface MemoryLoginThrottleStoreOptions {
  clock: Clock;
  policy: ThrottlePolicy;
  /** Most subjects held; above it the oldest is dropped. Default 100,000. */
  maxEntries?: number;
}

interface Entry {
  /** Attempts counted in the window. */
  count: number;
  windowStart: number;
  blockedUntil: number;
  level: number;
  expiresAt: number;
}

/**
 * LoginThrottleStore in process memory (single replica), the same rules as the Redis script
 * (redis/login-throttle-store.ts). Bounded: expired entries are dropped as new ones come, and
 * beyond `maxEntries` the oldest goes (an attacker would need that many distinct names to make the
 * gateway forget one).
 */
export class MemoryLoginThrottleStore implements LoginThrottleStore {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly policy: ThrottlePolicy;
  private readonly maxEntries: number;

  constructor(options: MemoryLoginThrottleStoreOptions) {
    checkThrottlePolicy(options.policy);
    this.clock = options.clock;
    this.policy = options.policy;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  async attempt(subjects: readonly ThrottleSubject[]): Promise<AttemptVerdict> {
    const now = this.clock.now();
    const limited = limitedSubjects(this.policy, subjects);
    let longest: ThrottleBlock | undefined;
    for (const subject of limited) {
      const entry = this.live(subject, now);
      const remainingMs = entry ? entry.blockedUntil - now : 0;
      if (remainingMs > 0 && remainingMs > (longest?.remainingMs ?? 0)) longest = { kind: subject.kind, remainingMs };
    }
    if (longest) return { allowed: false, block: longest };
    const ticket: AttemptTicket = { counted: [] };
    const started: ThrottleBlock[] = [];
    for (const subject of limited) {
      const limits = this.policy[subject.kind];
      const entry = this.live(subject, now) ?? { count: 0, windowStart: now, blockedUntil: 0, level: 0, expiresAt: 0 };
      if (now - entry.windowStart >= limits.windowSeconds * 1000) {
        entry.count = 0;
        entry.windowStart = now;
      }
      entry.count += 1;
      let blockStarted = 0;
      if (entry.count >= limits.maxFailures) {
        entry.level = Math.min(entry.level + 1, 64);
        blockStarted = now + blockMs(limits, entry.level);
        entry.blockedUntil = blockStarted;
        started.push({ kind: subject.kind, remainingMs: blockStarted - now });
      }
      entry.expiresAt = Math.max(entry.blockedUntil, now) + forgetAfterMs(limits);
      this.put(keyOf(subject), entry);
      ticket.counted.push({ subject, windowStart: entry.windowStart, blockStarted });
    }
    return { allowed: true, ticket, started };
  }

  async settle(ticket: AttemptTicket, outcome: 'succeeded' | 'undecided'): Promise<void> {
    const now = this.clock.now();
    for (const { subject, windowStart, blockStarted } of ticket.counted) {
      const entry = this.live(subject, now);
      if (!entry) continue;
      if (blockStarted > 0 && entry.blockedUntil === blockStarted) {
        entry.blockedUntil = 0;
        entry.level = Math.max(entry.level - 1, 0);
      }
      if (entry.windowStart === windowStart && entry.count > 0) entry.count -= 1;
      if (outcome === 'succeeded' && subject.kind === 'user') entry.count = 0;
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private live(subject: ThrottleSubject, now: number): Entry | undefined {
    const key = keyOf(subject);
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, entry: Entry): void {
    // Re-inserting keeps the Map in order of last attempt, so the first entries are the oldest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    const now = this.clock.now();
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && old.expiresAt > now) break;
      this.entries.delete(oldKey);
    }
  }
}

function keyOf(subject: ThrottleSubject): string {
  return `${subject.kind}:${subject.id}`;
}
