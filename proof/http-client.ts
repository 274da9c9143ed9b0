import http from 'node:http';

/**
 * The proof suites' HTTP client: node:http over one keep-alive agent, so requests reuse
 * connections as WCAP clients do. The path is sent as given (no re-encoding); Node refuses only
 * bytes outside 0x21–0xFF in a request line, which {@link wirePath} escapes.
 */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PROPFIND' | 'REPORT' | 'PUT' | 'DELETE';
  /** Path and query exactly as sent. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** What went wrong below HTTP: no answer in time, or the connection failed. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'time-out' | 'connection',
    message: string,
    /** The connection was a kept-alive one the server closed as it was reused. */
    readonly reusedSocket = false,
  ) {
    super(message);
  }
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Requests sent again because a kept-alive connection was closed by the server just as it was
   * reused (the server closes idle connections after its keep-alive time-out; the request never
   * reached it). Browsers retry these; Node's agent leaves it to the caller
   * (https://nodejs.org/api/http.html#requestreusedsocket).
   */
  keepAliveRetries = 0;

  async send(request: HttpRequest): Promise<HttpAnswer> {
    try {
      return await this.attempt(request);
    } catch (err) {
      if (!(err instanceof TransportError && err.reusedSocket)) throw err;
      this.keepAliveRetries++;
      return this.attempt(request);
    }
  }

  private attempt(request: HttpRequest): Promise<HttpAnswer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
      const req = http.request(
        { agent: this.agent, hostname: this.base.hostname, port: this.base.port, path: request.path, method: request.method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
          );
          res.on('error', (err) => reject(new TransportError('connection', err.message)));
        },
      );
      req.setTimeout(this.timeoutMs, () => {
        req.destroy();
        reject(new TransportError('time-out', `no answer within ${this.timeoutMs} ms`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof TransportError) return;
        // Only a reset before any answer on a reused connection is the keep-alive race.
        reject(new TransportError('connection', err.message, req.reusedSocket && err.code === 'ECONNRESET'));
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Escapes what Node cannot put into a request line (space, controls, non-Latin-1), nothing else. */
export function wirePath(text: string): string {
  return text.replace(/[^\u0021-\u007E]/gu, percentEncode);
}

/** encodeURIComponent, except that a lone surrogate becomes the bytes a careless encoder sends (invalid UTF-8). */
export function percentEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\s\S]/gu, (char) => (/\p{Cs}/u.test(char) ? '%ED%A0%80' : encodeURIComponent(char)));
  }
}

/** `Authorization` header for Basic authentication. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
