import type { BackendCredentials } from '../model/session.js';

/**
 * Whether the CalDAV server delivers invitations and replies itself (RFC 6638 automatic
 * scheduling). Then a store is all it takes and the gateway sends no mail.
 */
export interface ServerScheduling {
  schedulesItself(credentials: BackendCredentials): Promise<boolean>;
}

/** RFC 6638 §2: a server that schedules lists this DAV compliance class in OPTIONS. */
export const AUTO_SCHEDULE_CLASS = 'calendar-auto-schedule';

/** A server whose scheduling is known in advance (tests, or a detection wired elsewhere). */
export function fixedScheduling(schedules: boolean): ServerScheduling {
  return { schedulesItself: () => Promise.resolve(schedules) };
}

/**
 * Asks the server once, through `davClasses` (an OPTIONS request: the DAV header's classes, and
 * the answer's status), and keeps the first real answer for the life of the process. A failed
 * or refused request is not kept: the next store asks again, and meanwhile the server counts as
 * not scheduling — an invitation mailed in doubt reaches its attendees, one not mailed would not.
 */
export function schedulingFromDavClasses(
  davClasses: (credentials: BackendCredentials) => Promise<{ status: number; classes: string[] }>,
  onUnknown: (reason: string) => void = () => undefined,
): ServerScheduling {
  let known: boolean | undefined;
  return {
    async schedulesItself(credentials) {
      if (known !== undefined) return known;
      try {
        const answer = await davClasses(credentials);
        if (answer.status >= 400) {
          onUnknown(`OPTIONS answered ${answer.status}`);
          return false;
        }
        known = answer.classes.some((c) => c.toLowerCase() === AUTO_SCHEDULE_CLASS);
        return known;
      } catch (err) {
        onUnknown(err instanceof Error ? err.message : String(err));
        return false;
      }
    },
  };
}
