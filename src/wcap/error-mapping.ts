import { isGatewayError, type GatewayErrorSource } from '../model/errors.js';
import { Errno } from './errno.js';
import { WcapError } from './wcap-error.js';

const CALENDAR_SERVER_DOWN = 'The calendar back end cannot be reached';
const STATE_STORE_DOWN = 'The gateway state store (Redis) cannot be reached';

/** What a client is told when something is unreachable; the breaker's own message says when to retry. */
const UNAVAILABLE_MESSAGES: Partial<Record<GatewayErrorSource, string>> = {
  'calendar-server': CALENDAR_SERVER_DOWN,
  'state-store': STATE_STORE_DOWN,
};

export interface ErrnoOutcome {
  errno: number;
  /** What the client is told (X-NSCP-WCAP-ERRNO-MESSAGE); never a secret. */
  message: string;
  /** What went wrong underneath (request, path, status), for the log only. */
  detail?: string;
  /** true for errors nobody anticipated: logged with their stack. */
  unexpected: boolean;
}

/**
 * Maps anything a command threw to the errno the client sees. errno 1 is never produced here: it
 * means "session expired" and makes Lightning log in again without limit
 * (docs/lightning.md#errno-1-and-re-login), so back-end failures get their own numbers:
 * unreachable (CalDAV server or Redis, each named in the message) → 11001 CDWP_ERR_CANNOT_CONNECT, refused credentials of a live session → 11007,
 * 403 → 28, a calendar that does not exist → 29, a UID taken → 63, anything else → the command's
 * own failure errno.
 */
export function errorToErrno(err: unknown, failsWith: number): ErrnoOutcome {
  if (err instanceof WcapError) return { errno: err.errno, message: err.message, unexpected: false };
  if (isGatewayError(err)) {
    const detail = err.message;
    switch (err.kind) {
      case 'unavailable':
        // Same errno (Lightning only needs "not errno 1"); the message tells an operator where to look.
        return { errno: Errno.CDWP_ERR_CANNOT_CONNECT, message: UNAVAILABLE_MESSAGES[err.source] ?? err.message, detail, unexpected: false };
      case 'unauthorized':
        return { errno: Errno.CDWP_ERR_AUTH_FAILED, message: 'The calendar back end rejected the credentials of this session', detail, unexpected: false };
      case 'forbidden':
        return { errno: Errno.ACCESS_DENIED_TO_CALENDAR, message: 'Access denied to calendar', detail, unexpected: false };
      case 'no-calendar':
        return { errno: Errno.CALENDAR_DOES_NOT_EXIST, message: 'Calendar does not exist', detail, unexpected: false };
      case 'exists':
        return { errno: Errno.WCAP_CREATE_EXISTS, message: 'An item with this UID already exists', detail, unexpected: false };
      case 'invalid':
        return { errno: safe(failsWith), message: err.message, unexpected: false };
      case 'not-found':
        return { errno: safe(failsWith), message: 'The item or calendar no longer exists', detail, unexpected: false };
      case 'changed':
        return { errno: safe(failsWith), message: 'The item was changed at the same time by someone else; try again', detail, unexpected: false };
      case 'backend':
        return { errno: safe(failsWith), message: 'The calendar back end failed', detail, unexpected: false };
    }
  }
  return { errno: safe(failsWith), message: 'Internal error', unexpected: true };
}

/**
 * login fails with errno 1 only for bad credentials (thrown as a WcapError); any other failure of a
 * command whose own errno is 1 becomes WCAP 7.0's -1 "unknown internal server error"
 * (docs/wcap-protocol.md#wcap-7-differences).
 */
function safe(failsWith: number): number {
  return failsWith === Errno.LOGIN_FAILED ? Errno.UNKNOWN_INTERNAL_ERROR : failsWith;
}
