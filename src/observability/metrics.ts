import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheReadOutcome } from '../calendars/cache-observer.js';

/** Seconds; from a cached answer (a few ms) to the CalDAV timeout's order of magnitude. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Methods the backend sends (backend/). Anything else is counted as `other`, so a label value can
 * never come from outside the gateway's own code.
 */
const CALDAV_METHODS = new Set(['GET', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR', 'MKCOL', 'OPTIONS', 'HEAD', 'POST']);

export type RedisErrorSource = 'connection' | 'store';

export interface GatewayMetricsOptions {
  /**
   * Counts the live sessions (the session store's count). Absent: no `wcap_sessions_live` gauge.
   * Called on every scrape.
   */
  liveSessions?: () => Promise<number>;
  /** Process metrics (CPU, memory, event loop lag, GC) from prom-client. Default true. */
  processMetrics?: boolean;
}

/**
 * The Prometheus metrics of one gateway, in a registry of its own (several gateways may run in one
 * process: the tests and the benchmark start them side by side).
 *
 * Label values are bounded sets chosen by the gateway: command names of the command table (an
 * unknown command is `(unknown)`), errno numbers, HTTP methods and status codes. Never a user
 * name, session id or calid: they would make the series unbounded and tell who uses the service.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly wcapRequests: Counter<'command' | 'errno'>;
  private readonly wcapDuration: Histogram<'command'>;
  private readonly caldavRequests: Counter<'method' | 'status'>;
  private readonly caldavDuration: Histogram<'method'>;
  private readonly cacheReads: Counter<'result'>;
  private readonly redisErrors: Counter<'source'>;
  private readonly mails: Counter<'result'>;

  constructor(options: GatewayMetricsOptions = {}) {
    const registers = [this.registry];
    this.wcapRequests = new Counter({
      name: 'wcap_requests_total',
      help: 'WCAP requests answered, by command and WCAP errno.',
      labelNames: ['command', 'errno'],
      registers,
    });
    this.wcapDuration = new Histogram({
      name: 'wcap_request_duration_seconds',
      help: 'Time to answer a WCAP request, by command.',
      labelNames: ['command'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.caldavRequests = new Counter({
      name: 'wcap_caldav_requests_total',
      help: 'Requests to the CalDAV server, by method and HTTP status (error: no answer).',
      labelNames: ['method', 'status'],
      registers,
    });
    this.caldavDuration = new Histogram({
      name: 'wcap_caldav_request_duration_seconds',
      help: 'Time of one request to the CalDAV server, by method.',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.cacheReads = new Counter({
      name: 'wcap_calendar_cache_reads_total',
      help: 'Calendar reads: hit (served from a current snapshot), refreshed (snapshot caught up first), miss (plain query).',
      labelNames: ['result'],
      registers,
    });
    this.redisErrors = new Counter({
      name: 'wcap_redis_errors_total',
      help: 'Redis failures: connection errors reported by the client, and store operations that failed.',
      labelNames: ['source'],
      registers,
    });
    this.mails = new Counter({
      name: 'wcap_mails_total',
      help: 'Mails (invitations, notifications) handed to the mail server, by result.',
      labelNames: ['result'],
      registers,
    });
    // Series that exist from the start, so alerts on rate() see a 0 before the first event.
    for (const result of ['hit', 'refreshed', 'miss'] satisfies CacheReadOutcome[]) this.cacheReads.labels(result).inc(0);
    for (const source of ['connection', 'store'] satisfies RedisErrorSource[]) this.redisErrors.labels(source).inc(0);
    for (const result of ['sent', 'failed']) this.mails.labels(result).inc(0);

    const liveSessions = options.liveSessions;
    if (liveSessions) {
      new Gauge({
        name: 'wcap_sessions_live',
        help: 'WCAP sessions that have not ended or expired.',
        registers,
        async collect() {
          try {
            this.set(await liveSessions());
          } catch {
            // Redis down: no number rather than a stale one (wcap_redis_errors_total tells why).
            this.set(Number.NaN);
          }
        },
      });
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** One answered WCAP request; `command` is a name from the command table or `(unknown)`. */
  wcapRequest(command: string, errno: number, seconds: number): void {
    this.wcapRequests.labels(command, String(errno)).inc();
    this.wcapDuration.labels(command).observe(seconds);
  }

  /** One CalDAV exchange; `status` undefined when no answer came (refused, reset, timeout). */
  caldavRequest(method: string, status: number | undefined, seconds: number): void {
    const label = CALDAV_METHODS.has(method) ? method : 'other';
    this.caldavRequests.labels(label, status === undefined ? 'error' : String(status)).inc();
    this.caldavDuration.labels(label).observe(seconds);
  }

  cacheRead(outcome: CacheReadOutcome): void {
    this.cacheReads.labels(outcome).inc();
  }

  redisError(source: RedisErrorSource): void {
    this.redisErrors.labels(source).inc();
  }

  /** One scheduling mail handed to the relay (`sent`) or not, wholly or for some recipients (`failed`). */
  mail(result: 'sent' | 'failed'): void {
    this.mails.labels(result).inc();
  }

  /** The text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.registry.clear();
  }
}
