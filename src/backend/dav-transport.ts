import { GatewayError, isGatewayError, type UpstreamExchange } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { basicToken, redact } from './dav-errors.js';

/** A complete HTTP answer; the body is read under the same timeout as the request. */
export interface DavAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** What the log line of this exchange says; errors about the answer carry it (GatewayError.exchange). */
  exchange: UpstreamExchange;
}

/**
 * Where each exchange is reported, at debug: one line with `upstream` (method, path, status or
 * failure, ms) and nothing else — never headers (they carry the credentials) or bodies.
 */
export interface ExchangeLog {
  debug(fields: { upstream: UpstreamExchange & { failure?: string } }, message: string): void;
}

/** What the transport adds to every request: Basic auth, the timeout signal, no redirects. */
export interface RequestExtras {
  headers: Record<string, string>;
  /** Spread into the fetch init (or tsdav's fetchOptions). */
  init: { signal: AbortSignal; redirect: 'manual' };
}

/**
 * Sends single HTTP exchanges to the CalDAV server. Every request goes through the one `fetch`
 * given at construction (so tests can count and fault-inject), carries Basic auth built from the
 * credentials of the call, and is aborted after `timeoutMs`. Connection failures and timeouts
 * become GatewayError 'unavailable'; statuses are left to the caller.
 */
export class DavTransport {
  readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly log: ExchangeLog | undefined;
  private readonly logPath: ((path: string, user: string) => string) | undefined;

  /** `logPath`: see CalDavBackendOptions.logPath. */
  constructor(timeoutMs: number, fetchImpl?: typeof fetch, log?: ExchangeLog, logPath?: (path: string, user: string) => string) {
    this.timeoutMs = timeoutMs;
    this.fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.log = log;
    this.logPath = logPath;
  }

  /** One request with an optional body, through the injected fetch. */
  request(
    credentials: BackendCredentials,
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<DavAnswer> {
    return this.exchange(credentials, method, url, (extras) =>
      this.fetch(url, {
        method,
        headers: { ...options.headers, ...extras.headers },
        ...(options.body === undefined ? {} : { body: options.body }),
        ...extras.init,
      }),
    );
  }

  private loggedPath(path: string, user: string): string {
    return this.logPath ? this.logPath(path, user) : path;
  }

  /**
   * Runs `perform` (which must use `extras` and this transport's `fetch`) and reads the answer.
   * Used directly for tsdav calls, which take headers, fetchOptions and a fetch override.
   */
  async exchange(
    credentials: BackendCredentials,
    method: string,
    url: string,
    perform: (extras: RequestExtras) => Promise<Response>,
  ): Promise<DavAnswer> {
    if (credentials.user.includes(':')) {
      // Basic auth cannot carry a colon in the user name (RFC 7617 §2).
      throw new GatewayError('unauthorized', 'user name must not contain ":"');
    }
    const extras: RequestExtras = {
      headers: { Authorization: `Basic ${basicToken(credentials)}` },
      // A redirect would replay the Authorization header to wherever it points; a CalDAV server
      // we address by its own hrefs has no reason to redirect, so a 3xx is treated as an error.
      init: { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'manual' },
    };
    const path = pathOf(url);
    const logged = this.loggedPath(path, credentials.user);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await perform(extras);
      const body = await response.text();
      const exchange: UpstreamExchange = { method, path: logged, status: response.status, ms: elapsed() };
      this.log?.debug({ upstream: exchange }, 'caldav exchange');
      return { status: response.status, headers: response.headers, body, exchange };
    } catch (err) {
      if (isGatewayError(err)) throw err;
      const reason = redact(reasonOf(err, this.timeoutMs), credentials);
      const exchange: UpstreamExchange = { method, path: logged, ms: elapsed() };
      this.log?.debug({ upstream: { ...exchange, failure: reason } }, 'caldav exchange');
      throw new GatewayError('unavailable', `CalDAV server did not answer ${method} ${path}: ${reason}`, {
        // A time-out is kept as the cause (it holds no request data): calendars/query-breaker.ts
        // counts time-outs, not quick refusals.
        ...(err instanceof Error && err.name === 'TimeoutError' ? { cause: err } : {}),
        exchange,
      });
    }
  }
}

/** The path of a URL, for messages (never the whole URL: keep hosts and queries out of errors). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid URL)';
  }
}

function reasonOf(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return 'network error';
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (err.name === 'AbortError') return 'request aborted';
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED, ...) in the cause.
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err.message;
}
