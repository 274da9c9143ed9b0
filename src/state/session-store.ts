import type { Session, SessionData } from '../model/session.js';

/**
 * Server-side WCAP sessions.
 * - `create` returns a fresh id: at least 128 random bits, URL-safe alphanumeric ([A-Za-z0-9]).
 * - `get` returns the session and refreshes its idle expiry, or null when the id is unknown, idle
 *   longer than the idle timeout, older than the absolute lifetime, or deleted. Only storage
 *   failures throw (GatewayError 'unavailable'), never a miss.
 * - The password is stored only encrypted (AES-256-GCM); ids are stored only as hashes.
 * - `count` answers how many sessions are live now (expired ones are never counted), without
 *   refreshing any of them.
 * - `deleteForUser` ends every live session of `user` (the operator's `sessions --logout`) and
 *   answers how many it ended; sessions already expired are removed too but not counted.
 * - `sessionsOf` describes the live sessions of `user` (at most `limit`, oldest login first) by
 *   their times only — never ids or passwords — without refreshing them (admin get_session).
 */
export interface SessionStore {
  create(data: SessionData): Promise<string>;
  get(id: string): Promise<Session | null>;
  delete(id: string): Promise<void>;
  count(): Promise<number>;
  deleteForUser(user: string): Promise<number>;
  sessionsOf(user: string, limit: number): Promise<SessionTimes[]>;
  close(): Promise<void>;
}

/** What an administrator may learn about one session. */
export interface SessionTimes {
  /** Login, ms since the epoch. */
  createdAt: number;
  /** Last request, ms since the epoch. */
  lastSeenAt: number;
}

export interface SessionLimits {
  /** Seconds of inactivity after which a session ends. */
  idleSeconds: number;
  /** Seconds after login after which a session ends regardless of activity. */
  maxSeconds: number;
}

/** The Session a store hands out: the stored fields, the decrypted password and the new lastSeenAt. */
export function sessionFrom(
  stored: Omit<SessionData, 'password'> & { createdAt: number },
  password: string,
  lastSeenAt: number,
): Session {
  return {
    user: stored.user,
    password,
    principalUrl: stored.principalUrl,
    calendarHomeUrl: stored.calendarHomeUrl,
    ...(stored.defaultCalendarUrl === undefined ? {} : { defaultCalendarUrl: stored.defaultCalendarUrl }),
    createdAt: stored.createdAt,
    lastSeenAt,
  };
}
