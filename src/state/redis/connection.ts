import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { GatewayError, isGatewayError } from '../../model/errors.js';

/**
 * Redis client set-up and error translation shared by the Redis stores.
 *
 * The client fails fast instead of queueing: while Redis is down every command rejects at once and
 * the stores turn that into GatewayError 'unavailable' (WCAP errno 11001). Queueing would make
 * Lightning's requests hang until its own timeout, and a store that answered "no session" instead
 * would produce errno 1, on which clients re-login without limit
 * (docs/caldav-servers.md#outages-and-timeouts).
 */

export interface RedisConnectionOptions {
  /** Milliseconds to establish the TCP connection before giving up on this attempt. Default 2000. */
  connectTimeoutMs?: number;
  /** Milliseconds a single command may wait for its reply (a hung server, not a down one). Default 2000. */
  commandTimeoutMs?: number;
  /**
   * Receives connection errors (refused, reset, timeout…) with any password removed from the
   * message. Without it they are dropped: ioredis would otherwise print every reconnect failure to
   * stderr, and each affected request already reports its own failure.
   */
  onError?: (err: Error) => void;
}

/**
 * An ioredis client for `url` (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS)
 * that connects immediately, reconnects in the background with a capped back-off, and never
 * queues commands while disconnected.
 *
 * Commands sent before the first connection is ready reject; call {@link waitUntilReady} at start
 * if that matters. The caller owns the client and closes it with {@link closeRedis}; the stores
 * built on it do not close it.
 */
export function createRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    // A command in flight when the connection drops is retried after at most one reconnect
    // attempt, then rejected, instead of waiting for Redis to come back.
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    // Keep trying for ever (Redis may come back), waiting at most 2 s between attempts.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Commands of concurrent requests issued in the same tick share one write to the socket: under
    // load the write system calls, not Redis, are what a session lookup costs.
    enableAutoPipelining: true,
  });
  const onError = options.onError;
  redis.on('error', (err: unknown) => {
    const clean = sanitizedError(err);
    lastErrors.set(redis, clean);
    onError?.(clean);
  });
  redis.on('ready', () => lastErrors.delete(redis));
  return redis;
}

/** The last connection error of each client made by createRedis (cleaned), until it is ready again. */
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Resolves when `redis` answers a PING (the readiness probe). Rejects while it is not connected —
 * with its last connection error (code kept, credentials removed) when there is one — or when the
 * PING fails.
 */
export async function pingRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw lastErrors.get(redis) ?? new Error(`not connected (${redis.status})`);
  try {
    await redis.ping();
  } catch (err) {
    throw sanitizedError(err);
  }
}

/**
 * Resolves once `redis` answers a PING. Polls rather than waiting for the 'ready' event: right after
 * the server dies, ioredis may still report status 'ready' for a moment while its socket is no
 * longer writeable.
 * @throws GatewayError 'unavailable' when it does not answer within `timeoutMs` or was closed.
 */
export async function waitUntilReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error(`no answer within ${timeoutMs} ms`);
  while (Date.now() < deadline) {
    if (redis.status === 'end') throw new GatewayError('unavailable', 'Redis connection closed', { source: 'state-store' });
    if (redis.status === 'ready') {
      try {
        await redis.ping();
        return;
      } catch (err) {
        lastError = err;
      }
    }
    await sleep(50);
  }
  throw toUnavailable(lastError, 'waiting for the connection');
}

/** Closes the client: a polite QUIT when connected, else an immediate disconnect. Never throws. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through: the connection died while quitting
    }
  }
  redis.disconnect(false);
}

/**
 * Runs one Redis operation and turns any failure into GatewayError 'unavailable'.
 * @param what short description for the message, e.g. "reading a session".
 */
export async function callRedis<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw toUnavailable(err, what);
  }
}

/**
 * GatewayError 'unavailable' for a Redis/connection error. The message and the attached cause carry
 * the error's name, code and message with URL credentials removed; the original error is not
 * attached because ioredis errors may carry the failed command's arguments (an AUTH password).
 * A GatewayError passes through unchanged.
 */
export function toUnavailable(err: unknown, what: string): GatewayError {
  if (isGatewayError(err)) return err;
  const cause = sanitizedError(err);
  return new GatewayError('unavailable', `Redis unavailable while ${what}: ${cause.message}`, { cause, source: 'state-store' });
}

/** `url` with any user name and password replaced by `***`, for log lines. */
export function redactRedisUrl(url: string): string {
  return redactCredentials(url);
}

function sanitizedError(err: unknown): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redactCredentials(source.message));
  copy.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** Replaces the userinfo part of every URL in `text` ("redis://u:p@h" → "redis://***@h"). */
function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@');
}

const scriptHashes = new Map<string, string>();

/**
 * Runs a Lua script by its SHA-1 (EVALSHA), so the script text crosses the connection only the
 * first time a Redis server sees it (EVAL then loads it; a server restarted since answers NOSCRIPT
 * and gets the text again). Keys first, then arguments, as with EVAL.
 */
export async function runScript(redis: Redis, script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  let sha = scriptHashes.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script, 'utf8').digest('hex');
    scriptHashes.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
