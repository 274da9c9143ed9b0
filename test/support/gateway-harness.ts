import { Writable } from 'node:stream';
import ICAL from 'ical.js';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import type { Clock } from '../../src/model/clock.js';
import { elementsByTagName, parseXml, textContent, type ParsedElement } from './parse-xml.js';

/** A clock tests can move forward; starts at the real time so Radicale sees sensible stamps. */
export class ManualClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(seconds: number): void {
    this.offset += seconds * 1000;
  }
}

export interface CalDavRequest {
  method: string;
  url: string;
  depth: string | undefined;
}

export interface Harness {
  gateway: RunningGateway;
  clock: ManualClock;
  /** Every line the gateway logged, as written. */
  logText(): string;
  /** CalDAV requests the gateway made, in order. */
  caldavRequests: CalDavRequest[];
  /** GETs `<base><cmd>.wcap?<query>` with the query exactly as given (no re-encoding). */
  wcap(command: string, query: string, path?: string): Promise<WcapAnswer>;
  /** Logs in like Lightning and returns the session id. */
  login(user: string, password?: string): Promise<string>;
  /** Reads a resource straight from Radicale as `user`. */
  radicale(user: string, path: string, init?: RequestInit): Promise<Response>;
  password(user: string): string;
  /** Resolves once the gateway builds no calendar snapshot in the background. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface WcapAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  body: string;
  /** The first X-NSCP-WCAP-ERRNO, as Lightning reads it (NaN when absent). */
  errno: number;
  /** Parsed VCALENDAR (text/calendar answers). */
  ical?: ICAL.Component;
  /** Parsed document root (text/xml answers). */
  xml?: ParsedElement;
}

/** A gateway on a free port in front of the test Radicale and Redis. */
export async function startHarness(env: Record<string, string> = {}, overrides: Pick<GatewayOverrides, 'wrapTombstones' | 'wrapFetch'> = {}): Promise<Harness> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const config = loadConfig({
    WCAP_HOST: '127.0.0.1',
    WCAP_PORT: '0',
    WCAP_CALDAV_URL: inject('radicaleUrl'),
    WCAP_REDIS_URL: inject('redisUrl'),
    WCAP_SECRET: 'integration-test-secret-0123456789',
    WCAP_LOG_LEVEL: 'debug',
    WCAP_MAIL_DOMAIN: 'example.com',
    // Every test file logs in from 127.0.0.1 against one shared Redis, and some send wrong
    // passwords on purpose: throttling is off unless a test turns it on
    // (test/integration/login-throttling.test.ts).
    WCAP_LOGIN_MAX_FAILURES: '0',
    WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0',
    ...env,
  });
  const clock = new ManualClock();
  const caldavRequests: CalDavRequest[] = [];
  // A test's own wrapper (e.g. one that breaks requests) sits between the counter and the pool.
  const counting = (pooled: typeof fetch): typeof fetch => {
    const inner = overrides.wrapFetch ? overrides.wrapFetch(pooled) : pooled;
    return async (input, init) => {
      const request = new Request(input, init);
      caldavRequests.push({ method: request.method, url: request.url, depth: request.headers.get('depth') ?? undefined });
      return inner(input, init);
    };
  };
  const gateway = await startGateway(config, createLogger('debug', sink), { ...overrides, clock, wrapFetch: counting });
  const users = inject('testUsers');
  const harness: Harness = {
    gateway,
    clock,
    caldavRequests,
    logText: () => lines.join(''),
    password: (user) => users[user] ?? '',
    async wcap(command, query, path = '') {
      const res = await fetch(`${gateway.url}${path}${command}.wcap?${query}`);
      return parseAnswer(res);
    },
    async login(user, password) {
      const answer = await harness.wcap(
        'login',
        `fmt-out=text%2Fcalendar&user=${encodeURIComponent(user)}&password=${encodeURIComponent(password ?? users[user] ?? '')}`,
      );
      const id = answer.ical?.getFirstPropertyValue('x-nscp-wcap-session-id');
      if (answer.errno !== 0 || typeof id !== 'string') throw new Error(`login failed: ${answer.body}`);
      return id;
    },
    radicale(user, path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('Authorization', `Basic ${Buffer.from(`${user}:${users[user]}`).toString('base64')}`);
      return fetch(new URL(path, inject('radicaleUrl')), { ...init, headers });
    },
    settled: () => gateway.deps.calendars.settled(),
    close: () => gateway.close(),
  };
  return harness;
}

export async function parseAnswer(res: Response): Promise<WcapAnswer> {
  const body = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const answer: WcapAnswer = { status: res.status, contentType, headers: res.headers, body, errno: Number.NaN };
  if (contentType.startsWith('text/calendar')) {
    answer.ical = new ICAL.Component(ICAL.parse(body) as unknown[]);
    const errno = answer.ical.getFirstProperty('x-nscp-wcap-errno')?.toICALString().split(':').pop();
    answer.errno = Number.parseInt(errno ?? '', 10);
  } else if (contentType.startsWith('text/xml')) {
    answer.xml = parseXml(body).root;
    const first = elementsByTagName(answer.xml, 'X-NSCP-WCAP-ERRNO')[0];
    answer.errno = first ? Number.parseInt(textContent(first), 10) : Number.NaN;
  }
  return answer;
}

/** Text of the first element `name` (trimmed, as Lightning reads it). */
export function xmlValue(root: ParsedElement, name: string): string | undefined {
  const element = elementsByTagName(root, name)[0];
  return element ? textContent(element).trim() : undefined;
}

/** Lightning's URL encoding of a value (encodeURIComponent). */
export const enc = encodeURIComponent;
