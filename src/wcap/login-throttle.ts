import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { addressGroupOf } from '../http/client-address.js';
import type { AttemptTicket, LoginThrottleStore, ThrottleSubject } from '../state/login-throttle-store.js';
import { Errno } from './errno.js';
import { WcapError } from './wcap-error.js';

/** What a refused login is told: the same for a right and a wrong password (README, "Login throttling"). */
export const THROTTLED_MESSAGE = 'Login failed: too many failed attempts. Try again later';
/** The longest user name written to a log line. */
const LOGGED_USER_LENGTH = 200;

/** One login attempt that was let through; exactly one of its methods is called. */
export interface LoginAttempt {
  /** The CalDAV server refused the credentials: logged at warn with user and address. */
  failed(): Promise<void>;
  succeeded(): Promise<void>;
  /** Nobody could decide (CalDAV server unreachable): the attempt does not count. */
  undecided(): Promise<void>;
}

/**
 * Login throttling per user name and per client address (README, "Login throttling"), over a
 * LoginThrottleStore. User names are compared trimmed and lower-cased, so case variants of one
 * name share a limit, and hashed, so keys stay short whatever a client sends. IPv6 clients are
 * limited per /64 network (addressGroupOf); logs name the full address.
 */
export class LoginThrottle {
  constructor(private readonly store: LoginThrottleStore) {}

  /**
   * Counts an attempt of `user` from `address`, or refuses it with errno 1 (THROTTLED_MESSAGE)
   * while either is blocked, before anything asks the CalDAV server.
   */
  async begin(user: string, address: string, log: Logger): Promise<LoginAttempt> {
    const subjects: ThrottleSubject[] = [
      { kind: 'user', id: createHash('sha256').update(user.trim().toLowerCase(), 'utf8').digest('hex') },
      { kind: 'address', id: addressGroupOf(address) },
    ];
    const who = { user: user.slice(0, LOGGED_USER_LENGTH), address };
    const verdict = await this.store.attempt(subjects);
    if (!verdict.allowed) {
      const { kind, remainingMs } = verdict.block;
      log.warn({ ...who, blockedBy: kind, retryAfterSeconds: Math.ceil(remainingMs / 1000) }, 'login refused: too many failed attempts');
      throw new WcapError(Errno.LOGIN_FAILED, THROTTLED_MESSAGE);
    }
    const settle = (ticket: AttemptTicket, outcome: 'succeeded' | 'undecided') => this.store.settle(ticket, outcome);
    return {
      async failed() {
        const blocks = Object.fromEntries(verdict.started.map((b) => [`${b.kind}BlockedSeconds`, Math.ceil(b.remainingMs / 1000)]));
        log.warn({ ...who, ...blocks }, 'login failed');
      },
      succeeded: () => settle(verdict.ticket, 'succeeded'),
      undecided: () => settle(verdict.ticket, 'undecided'),
    };
  }
}
