import http from 'node:http';

/**
 * One HTTP client for every request of the benchmark (node:http with a keep-alive Agent), used the
 * same way for the gateway and for Radicale, in the main process and in the load generator. Every
 * answer is checked, so a fast path that answers wrongly aborts the run instead of being measured.
 */

export type Check =
  /** A WCAP answer: every X-NSCP-WCAP-ERRNO is 0; optionally the number of VEVENTs and a UID in it. */
  | { kind: 'wcap'; events?: number; uid?: string }
  /** A CalDAV multistatus (207) with this many responses. */
  | { kind: 'multistatus'; responses: number }
  /** A plain 200, optionally containing this text. */
  | { kind: 'ok'; contains?: string };

export interface RequestSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  check: Check;
}

export interface Answer {
  status: number;
  body: string;
}

/** Sends one request; the body is read completely. */
export function send(agent: http.Agent, spec: RequestSpec): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(spec.url);
    const headers: Record<string, string | number> = { ...spec.headers };
    if (spec.body !== undefined) headers['Content-Length'] = Buffer.byteLength(spec.body);
    const req = http.request(
      { agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: spec.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

export const countEvents = (body: string) => body.match(/^BEGIN:VEVENT\r?$/gm)?.length ?? 0;
export const countResponses = (body: string) => body.match(/<(?:[A-Za-z][\w.-]*:)?response[\s>]/g)?.length ?? 0;

/** Undefined when the answer is what the check expects, else what is wrong with it. */
export function problemWith(check: Check, answer: Answer): string | undefined {
  const head = () => answer.body.slice(0, 400).replace(/\r?\n/g, ' | ');
  if (check.kind === 'multistatus') {
    if (answer.status !== 207) return `HTTP ${answer.status}, expected 207: ${head()}`;
    const n = countResponses(answer.body);
    return n === check.responses ? undefined : `${n} responses, expected ${check.responses}`;
  }
  if (answer.status !== 200) return `HTTP ${answer.status}: ${head()}`;
  if (check.kind === 'ok') {
    return check.contains === undefined || answer.body.includes(check.contains) ? undefined : `answer lacks "${check.contains}": ${head()}`;
  }
  const errnos = [...answer.body.matchAll(/^X-NSCP-WCAP-ERRNO:(-?\d+)\r?$/gm)].map((m) => m[1]);
  if (errnos.length === 0 || errnos.some((e) => e !== '0')) return `WCAP errno ${errnos.join(',') || 'missing'}: ${head()}`;
  if (check.events !== undefined) {
    const n = countEvents(answer.body);
    if (n !== check.events) return `${n} VEVENTs, expected ${check.events}`;
  }
  if (check.uid !== undefined && !answer.body.includes(`UID:${check.uid}`)) return `answer lacks UID:${check.uid}`;
  return undefined;
}

export class BenchError extends Error {
  override name = 'BenchError';
}

/** Sends, checks (abort on a wrong answer) and returns the answer with its latency in ms. */
export async function timed(agent: http.Agent, spec: RequestSpec): Promise<Answer & { ms: number }> {
  const start = performance.now();
  const answer = await send(agent, spec);
  const ms = performance.now() - start;
  const problem = problemWith(spec.check, answer);
  if (problem) throw new BenchError(`${spec.method ?? 'GET'} ${redact(spec.url)}: ${problem}`);
  return { ...answer, ms };
}

/** URLs in error messages without passwords and session ids. */
export function redact(url: string): string {
  return url.replace(/([?&](?:password|id)=)[^&]*/g, '$1…');
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
