import { isGatewayError } from '../model/errors.js';
import { WcapError } from './wcap-error.js';

export interface ErrnoOutcome {
  errno: number;
  message: string;
  /** true for errors nobody anticipated: logged with their stack. */
  unexpected: boolean;
}

const LOGIN_FAILED = 1;
const INTERNAL_ERROR = -1;

/** CDWP_ERR_CANNOT_CONNECT: the back end is unreachable (architecture.md §1). */
const CANNOT_CONNECT = 11001;
/** CDWP_ERR_AUTH_FAILED: the back end refused credentials of a still-valid session. */
const BACKEND_AUTH_FAILED = 11007;

/**
 * Maps anything a command threw to the errno the client sees. errno 1 is never produced here:
 * it means "session expired" and makes Lightning log in again without limit
 * (lightning-client.md §3.3), so back-end failures get their own numbers.
 */
export function errorToErrno(err: unknown, failsWith: number): ErrnoOutcome {
  if (err instanceof WcapError) return { errno: err.errno, message: err.message, unexpected: false };
  if (isGatewayError(err)) {
    switch (err.kind) {
      case 'unavailable':
        return { errno: CANNOT_CONNECT, message: 'The calendar back end cannot be reached', unexpected: false };
      case 'unauthorized':
        return { errno: BACKEND_AUTH_FAILED, message: 'The calendar back end rejected the credentials of this session', unexpected: false };
      case 'forbidden':
        return { errno: 28, message: 'Access denied to calendar', unexpected: false };
      case 'exists':
        return { errno: 63, message: 'An item with this UID already exists', unexpected: false };
      case 'invalid':
        return { errno: safe(failsWith), message: err.message, unexpected: false };
      case 'not-found':
        return { errno: safe(failsWith), message: 'The item or calendar no longer exists', unexpected: false };
      case 'changed':
        return { errno: safe(failsWith), message: 'The item was changed at the same time by someone else; try again', unexpected: false };
      case 'backend':
        return { errno: safe(failsWith), message: 'The calendar back end failed', unexpected: false };
    }
  }
  return { errno: safe(failsWith), message: 'Internal error', unexpected: true };
}

/**
 * login fails with errno 1 only for bad credentials (thrown as a WcapError); any other failure of a
 * command whose own errno is 1 becomes WCAP 7.0's -1 "unknown internal server error" (seed 003).
 */
function safe(failsWith: number): number {
  return failsWith === LOGIN_FAILED ? INTERNAL_ERROR : failsWith;
}
