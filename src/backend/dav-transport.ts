import { GatewayError, isGatewayError, type UpstreamExchange } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { basicToken, redact } from './dav-errors.js';
import { MovedCollections } from './moved-collections.js';

/** A complete HTTP answer; the body is read under the same timeout as the request. */
export interface DavAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** The URL that answered, when a redirect was followed to get there. */
  url?: string;
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

/**
 * Methods whose same-origin redirects are followed (reads, object writes, property and ACL changes;
 * never MKCALENDAR). A DELETE of a collection is sent with `follow: false` (calendar-changes.ts).
 */
const FOLLOWED_METHODS = new Set(['PROPFIND', 'REPORT', 'GET', 'PUT', 'DELETE', 'PROPPATCH', 'ACL', 'OPTIONS']);
const REDIRECT_STATUSES = new Set([301, 302, 307, 308]);
/** Hops followed before giving up (a loop, or a misconfigured proxy). */
const MAX_REDIRECTS = 5;

/** What the transport adds to every request: Basic auth, the timeout signal, no automatic redirects. */
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
  private readonly moved = new MovedCollections();
  private readonly log: ExchangeLog | undefined;
  private readonly logPath: ((path: string, user: string) => string) | undefined;

  /** `logPath`: see CalDavBackendOptions.logPath. */
  constructor(timeoutMs: number, fetchImpl?: typeof fetch, log?: ExchangeLog, logPath?: (path: string, user: string) => string) {
    this.timeoutMs = timeoutMs;
    this.fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.log = log;
    this.logPath = logPath;
  }

  /** One request with an optional body, through the injected fetch (redirects: see `exchange`). */
  request(
    credentials: BackendCredentials,
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: string; follow?: boolean } = {},
  ): Promise<DavAnswer> {
    return this.exchange(
      credentials,
      method,
      url,
      (extras, target) =>
        this.fetch(target, {
          method,
          headers: { ...options.headers, ...extras.headers },
          ...(options.body === undefined ? {} : { body: options.body }),
          ...extras.init,
        }),
      options.follow,
    );
  }

  private loggedPath(path: string, user: string): string {
    return this.logPath ? this.logPath(path, user) : path;
  }

  /**
   * Runs `perform` against `url` (it must use `extras`, `target` and this transport's `fetch`) and
   * reads the answer; used directly for tsdav calls, which take headers, fetchOptions and a fetch
   * override. Reads (OPTIONS included), object writes, PROPPATCH and ACL follow same-origin
   * redirects, at most MAX_REDIRECTS hops, with method, body and conditions unchanged: Cyrus answers
   * 301 for another user's calendar and its objects, pointing at the requester's view of them, and
   * `/.well-known/caldav` redirects (RFC 6764). A redirect to another origin is refused, never
   * followed: it would carry the credentials elsewhere. Permanent redirects of collections are
   * remembered per user (MovedCollections), so the next request for them, or for an object in
   * them, goes straight to the target. The answer names the URL that gave it. `follow: false` sends
   * the request to `url` itself and returns a redirect as the answer.
   */
  async exchange(
    credentials: BackendCredentials,
    method: string,
    url: string,
    perform: (extras: RequestExtras, target: string) => Promise<Response>,
    follow = true,
  ): Promise<DavAnswer> {
    const follows = follow && FOLLOWED_METHODS.has(method);
    let target = follows ? this.moved.resolve(credentials.user, url) : url;
    for (let hop = 0; ; hop++) {
      const current = target;
      const answer = await this.once(credentials, method, current, (extras) => perform(extras, current));
      const location = answer.headers.get('location');
      if (!follows || !REDIRECT_STATUSES.has(answer.status) || location === null) {
        if (current !== url && (answer.status === 404 || answer.status === 410)) this.moved.forget(credentials.user, url);
        return current === url ? answer : { ...answer, url: current };
      }
      const action = `${method} ${pathOf(url)}`;
      const next = new URL(location, current);
      if (next.origin !== new URL(current).origin) {
        throw new GatewayError('backend', `CalDAV ${action} was redirected to another server; not followed`, { status: answer.status, exchange: answer.exchange });
      }
      if (hop >= MAX_REDIRECTS) {
        throw new GatewayError('backend', `CalDAV ${action}: more than ${MAX_REDIRECTS} redirects`, { status: answer.status, exchange: answer.exchange });
      }
      if (answer.status === 301 || answer.status === 308) this.moved.remember(credentials.user, current, next.href);
      target = next.href;
    }
  }

  /** One exchange: Basic auth, the time-out, no redirect following; failures to answer become 'unavailable'. */
  private async once(
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
      // fetch would replay the Authorization header to wherever a redirect points: `exchange`
      // follows redirects itself, same origin only.
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
