import type { Logger } from 'pino';
import { isGatewayError } from '../model/errors.js';
import type { ErrnoOutcome } from './error-mapping.js';

/**
 * The log line of a command that failed in an expected way. A failure of the calendar server itself
 * (no answer, or an answer the gateway cannot use) is a warning, with the errno next to the
 * exchange that failed (`upstream`: method, path, status, ms — the facts of its debug line,
 * backend/dav-transport.ts); refusals that are the client's business (403, 404, conflicts) stay at
 * info. Neither carries credentials or session ids: the message and detail are redacted where they
 * are made (backend/dav-errors.ts).
 */
export function logFailure(
  log: Logger,
  err: unknown,
  outcome: ErrnoOutcome,
  user: string | undefined,
  logText: ((text: string, user: string) => string) | undefined,
): void {
  // The detail quotes CalDAV paths, which hold the user's name in Radicale's layout.
  const detail = outcome.detail && user && logText ? logText(outcome.detail, user) : outcome.detail;
  const fields = {
    errno: outcome.errno,
    reason: outcome.message,
    ...(detail ? { detail } : {}),
    ...(isGatewayError(err) && err.exchange ? { upstream: err.exchange } : {}),
  };
  const serverFailed = isGatewayError(err) && err.source === 'calendar-server' && (err.kind === 'backend' || err.kind === 'unavailable');
  if (serverFailed) log.warn(fields, 'calendar back end failed');
  else log.info(fields, 'command failed');
}
