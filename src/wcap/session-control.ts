import type { Logger } from 'pino';
import type { CalendarService } from '../calendars/calendar-service.js';
import { isGatewayError } from '../model/errors.js';
import type { SessionStore } from '../state/session-store.js';
import type { SessionControl } from './command.js';
import { Errno } from './errno.js';
import { WcapError } from './wcap-error.js';

/**
 * The SessionControl of one request: `sessionId` is the id the request carries (if any). Opening a
 * session asks the CalDAV server first, so the gateway never holds a session for credentials the
 * server refuses.
 */
export function sessionControl(
  store: SessionStore,
  calendars: CalendarService,
  sessionId: string | undefined,
  log: Logger,
  /** Told the user a session was opened for (the request log names it, as WCAP_LOG_USER says). */
  onOpened: (user: string) => void = () => undefined,
): SessionControl {
  return {
    async open(user, password) {
      const credentials = { user, password };
      let home;
      try {
        home = await calendars.open(credentials);
      } catch (err) {
        if (isGatewayError(err, 'unauthorized') || isGatewayError(err, 'forbidden')) {
          throw new WcapError(Errno.LOGIN_FAILED, 'Login failed: wrong user name or password');
        }
        throw err;
      }
      const id = await store.create({ user, password, ...home });
      // No log line of its own: the request's line names the user in the form WCAP_LOG_USER asks for.
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
