import http from 'node:http';
import https from 'node:https';

/** How connections to the CalDAV server are kept. */
export interface ConnectionPoolOptions {
  /** Most connections open at once; further requests wait for a free one. */
  connections: number;
  /** How long an idle connection is kept for reuse, in milliseconds. */
  keepAliveMs: number;
}

/** Statuses whose answers never have a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch over node:http(s) agents that keep connections alive, so consecutive requests skip the
 * TCP (and TLS) set-up, and that cap the connections to the CalDAV server — a bulkhead: the gateway
 * never opens more than the server is sized for (Radicale's default is 8). A server that speaks
 * HTTP/1.0 (Radicale's built-in one, docs/caldav-servers.md#no-keep-alive) closes each connection
 * itself; the pool then only caps concurrency.
 *
 * It implements the part of fetch the backend uses: string or URL input, method, headers, a string
 * or byte (RFC 8607 attachment uploads) body, an AbortSignal (the request rejects with the
 * signal's reason, as fetch does), and never follows redirects. The whole answer is read into the Response.
 */
export function pooledFetch(options: ConnectionPoolOptions): { fetch: typeof fetch; close: () => Promise<void> } {
  const agentOptions = { keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections, timeout: options.keepAliveMs };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const fetchThroughPool = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const secure = url.protocol === 'https:';
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const request = (secure ? https : http).request(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init.headers)),
        agent: secure ? agents.https : agents.http,
      });
      const abort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', abort, { once: true });
      const done = () => signal?.removeEventListener('abort', abort);
      request.on('error', (err) => {
        done();
        reject(signal?.aborted ? signal.reason : err);
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (err) => {
          done();
          reject(signal?.aborted ? signal.reason : err);
        });
        response.on('end', () => {
          done();
          const status = response.statusCode ?? 0;
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined) continue;
            for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
          }
          try {
            resolve(new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers }));
          } catch (err) {
            // A status a Response cannot carry (outside 200–599): as unusable as a broken connection.
            reject(err);
          }
        });
      });
      if (typeof init.body === 'string' || init.body instanceof Uint8Array) request.end(init.body);
      else request.end();
    });
  };
  return {
    fetch: fetchThroughPool as typeof fetch,
    async close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
