import { isGatewayError } from '../model/errors.js';
import { WcapError } from './wcap-error.js';

export interface ErrnoOutcome {
  errno: number;
  message: string;
  /** true for errors nobody anticipated: logged with their stack. */
  unexpected: boolean;
}

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
        return { errno: failsWith, message: err.message, unexpected: false };
      case 'not-found':
      case 'changed':
        return { errno: failsWith, message: err.message, unexpected: false };
      case 'backend':
        return { errno: failsWith, message: 'The calendar back end failed', unexpected: false };
    }
  }
  return { errno: failsWith, message: 'Internal error', unexpected: true };
}
