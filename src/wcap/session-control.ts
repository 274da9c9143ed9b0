import type { Logger } from 'pino';
import type { CalendarService } from '../calendars/calendar-service.js';
import { isGatewayError } from '../model/errors.js';
import type { SessionStore } from '../state/session-store.js';
import type { SessionControl } from './command.js';
import { Errno } from './errno.js';
import type { LoginThrottle } from './login-throttle.js';
import { WcapError } from './wcap-error.js';

/** What opening a session needs besides the stores: the throttle and who is asking. */
export interface LoginGuard {
  throttle: LoginThrottle;
  /** The client's address (app.ts, client-address.ts). */
  clientAddress: string;
}

/**
 * The SessionControl of one request: `sessionId` is the id the request carries (if any). Opening a
 * session asks the CalDAV server first, so the gateway never holds a session for credentials the
 * server refuses; the login throttle is asked before that, so a blocked login costs the CalDAV
 * server nothing.
 */
export function sessionControl(
  store: SessionStore,
  calendars: CalendarService,
  sessionId: string | undefined,
  log: Logger,
  guard: LoginGuard,
  /** Told the user a session was opened for (the request log names it, as WCAP_LOG_USER says). */
  onOpened: (user: string) => void = () => undefined,
): SessionControl {
  return {
    async open(user, password) {
      const attempt = await guard.throttle.begin(user, guard.clientAddress, log);
      let home;
      try {
        home = await calendars.open({ user, password });
      } catch (err) {
        if (isGatewayError(err, 'unauthorized') || isGatewayError(err, 'forbidden')) {
          await attempt.failed();
          throw new WcapError(Errno.LOGIN_FAILED, 'Login failed: wrong user name or password');
        }
        // The answer reports the original failure; a throttle that fails too only gets logged.
        await attempt.undecided().catch((settleErr: unknown) => log.warn({ err: settleErr }, 'login attempt not taken back'));
        throw err;
      }
      await attempt.succeeded();
      const id = await store.create({ user, password, ...home });
      // No log line of its own: the request's line names the user in the form WCAP_LOG_USER asks
      // for. Failed logins are logged by the throttle, with user and address (for fail2ban).
      onOpened(user);
      return id;
    },
    async end() {
      if (sessionId) await store.delete(sessionId);
    },
    async isAlive() {
      return sessionId ? (await store.get(sessionId)) !== null : false;
    },
  };
}
