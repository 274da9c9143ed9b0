import type { Clock } from '../../model/clock.js';
import type { Session, SessionData } from '../../model/session.js';
import type { SecretBox } from '../secret-box.js';
import { looksLikeSessionId, newSessionId, sessionKeyHash } from '../session-id.js';
import { sessionFrom, type SessionLimits, type SessionStore, type SessionTimes } from '../session-store.js';

export interface MemorySessionStoreOptions {
  limits: SessionLimits;
  secretBox: SecretBox;
  clock: Clock;
  /**
   * Most sessions held at once; above it the least recently used session is dropped (its user sees
   * errno 1 and logs in again). Default 100,000. A backstop against login floods, not a quota.
   */
  maxSessions?: number;
}

/** What the map holds per session: the password only sealed, the id only as the map key's hash. */
interface StoredSession {
  user: string;
  sealedPassword: string;
  principalUrl: string;
  calendarHomeUrl: string;
  defaultCalendarUrl?: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * SessionStore in process memory, for a single replica (sessions die with the process).
 *
 * The map is keyed by sha256(id) and kept in least-recently-used order (an entry is moved to the
 * end on every successful `get`). Expired entries are removed when looked up and by a sweep over the
 * whole map that runs lazily, at most once per `min(idle timeout, 60 s)` of clock time, from
 * `create` and `get`. No timer is involved, so nothing keeps the process alive and a fake clock
 * drives everything.
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, StoredSession>();
  private readonly secretBox: SecretBox;
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly maxSessions: number;
  private readonly sweepEveryMs: number;
  private lastSweepAt: number;

  constructor(options: MemorySessionStoreOptions) {
    const { idleSeconds, maxSeconds } = options.limits;
    if (!(idleSeconds > 0) || !(maxSeconds > 0)) throw new RangeError('session limits must be positive');
    this.secretBox = options.secretBox;
    this.clock = options.clock;
    this.idleMs = idleSeconds * 1000;
    this.maxMs = maxSeconds * 1000;
    this.maxSessions = options.maxSessions ?? 100_000;
    this.sweepEveryMs = Math.min(this.idleMs, 60_000);
    this.lastSweepAt = this.clock.now();
  }

  async create(data: SessionData): Promise<string> {
    const now = this.clock.now();
    this.sweepIfDue(now);
    const id = newSessionId();
    const hash = sessionKeyHash(id);
    this.entries.set(hash, {
      user: data.user,
      sealedPassword: this.secretBox.seal(data.password, hash),
      principalUrl: data.principalUrl,
      calendarHomeUrl: data.calendarHomeUrl,
      ...(data.defaultCalendarUrl === undefined ? {} : { defaultCalendarUrl: data.defaultCalendarUrl }),
      createdAt: now,
      lastSeenAt: now,
    });
    while (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return id;
  }

  async get(id: string): Promise<Session | null> {
    if (!looksLikeSessionId(id)) return null;
    const now = this.clock.now();
    this.sweepIfDue(now);
    const hash = sessionKeyHash(id);
    const stored = this.entries.get(hash);
    if (stored === undefined) return null;
    if (this.isExpired(stored, now)) {
      this.entries.delete(hash);
      return null;
    }
    // Sealed by this process with this box; a failure here is a bug, not a miss, so it throws.
    const password = this.secretBox.open(stored.sealedPassword, hash);
    stored.lastSeenAt = now;
    // Re-insert to keep the map in least-recently-used order for the maxSessions eviction.
    this.entries.delete(hash);
    this.entries.set(hash, stored);
    return sessionFrom(stored, password, now);
  }

  async delete(id: string): Promise<void> {
    if (!looksLikeSessionId(id)) return;
    this.entries.delete(sessionKeyHash(id));
  }

  /** One pass over the map (at most `maxSessions` entries); expired entries found are dropped. */
  async count(): Promise<number> {
    const now = this.clock.now();
    let live = 0;
    for (const [hash, stored] of this.entries) {
      if (this.isExpired(stored, now)) this.entries.delete(hash);
      else live += 1;
    }
    return live;
  }

  async deleteForUser(user: string): Promise<number> {
    const now = this.clock.now();
    let ended = 0;
    for (const [hash, stored] of this.entries) {
      if (stored.user !== user) continue;
      if (!this.isExpired(stored, now)) ended += 1;
      this.entries.delete(hash);
    }
    return ended;
  }

  async sessionsOf(user: string, limit: number): Promise<SessionTimes[]> {
    const now = this.clock.now();
    return [...this.entries.values()]
      .filter((stored) => stored.user === user && !this.isExpired(stored, now))
      .map(({ createdAt, lastSeenAt }) => ({ createdAt, lastSeenAt }))
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, Math.max(0, limit));
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private isExpired(stored: StoredSession, now: number): boolean {
    return now - stored.lastSeenAt > this.idleMs || now - stored.createdAt > this.maxMs;
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweepAt < this.sweepEveryMs) return;
    this.lastSweepAt = now;
    for (const [hash, stored] of this.entries) {
      if (this.isExpired(stored, now)) this.entries.delete(hash);
    }
  }
}
