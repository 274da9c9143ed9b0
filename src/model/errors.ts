/**
 * Failures of the layers below the protocol edge (backend, state), in words that do not depend on
 * CalDAV or Redis. `wcap/error-mapping.ts` turns them into WCAP errnos.
 */
export type GatewayErrorKind =
  /** The backend rejected the user's credentials (HTTP 401 on a call that should succeed). */
  | 'unauthorized'
  /** The user may not read or write the addressed calendar or item (HTTP 403). */
  | 'forbidden'
  /** The addressed calendar or item does not exist (HTTP 404). */
  | 'not-found'
  /** The calendar a request names does not exist, or its name cannot name a calendar. */
  | 'no-calendar'
  /** An object with that UID already exists (create precondition, UID conflict). */
  | 'exists'
  /** The object changed or vanished since it was read (If-Match failed). */
  | 'changed'
  /** The backend (CalDAV server, Redis) is unreachable or did not answer in time. */
  | 'unavailable'
  /** The backend answered with something the gateway cannot use (5xx, malformed data). */
  | 'backend'
  /** The data sent by the client cannot be stored (rejected by the server as invalid). */
  | 'invalid';

/**
 * Which part below the protocol edge failed: the CalDAV server, the gateway's own state store
 * (Redis), or the gateway's breaker holding back queries to a calendar that keeps timing out
 * (calendars/query-breaker.ts; its message is meant for the client).
 */
export type GatewayErrorSource = 'calendar-server' | 'state-store' | 'query-breaker';

/**
 * One request to the server behind the gateway, as the logs may show it: method, path (never the
 * query, headers or body), status when there was an answer, and duration.
 */
export interface UpstreamExchange {
  method: string;
  path: string;
  status?: number;
  ms: number;
}

export class GatewayError extends Error {
  readonly kind: GatewayErrorKind;
  /** HTTP status of the upstream answer, when there was one. */
  readonly status?: number;
  /** Where the failure happened; the CalDAV server unless a state store says otherwise. */
  readonly source: GatewayErrorSource;
  /** The exchange whose answer (or lack of one) this error reports, for the warn log line. */
  readonly exchange?: UpstreamExchange;

  constructor(
    kind: GatewayErrorKind,
    message: string,
    options?: { status?: number; cause?: unknown; source?: GatewayErrorSource; exchange?: UpstreamExchange | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.kind = kind;
    this.source = options?.source ?? 'calendar-server';
    if (options?.status !== undefined) this.status = options.status;
    if (options?.exchange !== undefined) this.exchange = options.exchange;
  }
}

/** The message of anything thrown, for logs. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isGatewayError(err: unknown, kind?: GatewayErrorKind): err is GatewayError {
  return err instanceof GatewayError && (kind === undefined || err.kind === kind);
}
