import { messageOf } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';

/**
 * Whether the CalDAV server delivers invitations and replies itself (RFC 6638 automatic
 * scheduling). Then a store is all it takes and the gateway sends no mail.
 */
export interface ServerScheduling {
  schedulesItself(credentials: BackendCredentials): Promise<boolean>;
}

/** A server whose scheduling is known in advance (tests, or a detection wired elsewhere). */
export function fixedScheduling(schedules: boolean): ServerScheduling {
  return { schedulesItself: () => Promise.resolve(schedules) };
}

/**
 * Asks the CalDAV server (CalendarBackend.schedulesInvitations: one OPTIONS, whose answer the
 * backend keeps for the life of the process). A failed question is not kept: the next store asks
 * again, and meanwhile the server counts as not scheduling — an invitation mailed in doubt reaches
 * its attendees, one not mailed would not.
 */
export function schedulingOfServer(
  asks: (credentials: BackendCredentials) => Promise<boolean>,
  onUnknown: (reason: string) => void = () => undefined,
): ServerScheduling {
  return {
    async schedulesItself(credentials) {
      try {
        return await asks(credentials);
      } catch (err) {
        onUnknown(messageOf(err));
        return false;
      }
    },
  };
}
