import { afterEach, describe, expect, it } from 'vitest';
import { hashedUser } from '../../src/observability/log-user.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * CalDAV traffic in the log: at debug one line per exchange with Radicale (method, path, status,
 * duration), at warn a failure of the server with the errno the client got next to the facts of the
 * failing exchange. Never a password, a Basic token, a session id or a body.
 */
const USER = 'erin';
const SECRET = 'integration-test-secret-0123456789'; // the harness's WCAP_SECRET
/** The user's path segment as the log writes it (WCAP_LOG_USER defaults to hashed). */
const LOGGED_USER = hashedUser(SECRET, USER);

interface LogLine {
  level: number;
  msg: string;
  errno?: number;
  upstream?: { method: string; path: string; status?: number; ms: number; failure?: string };
  [field: string]: unknown;
}

/**
 * Without the calendar cache: a fetch then always queries Radicale (with it, a snapshot that an
 * earlier test file left in Redis could answer without the REPORTs these tests break).
 */
const NO_CACHE = { WCAP_CACHE_MAX_MB: '0' };

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const lines = (h: Harness): LogLine[] =>
  h
    .logText()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);

const exchangeLines = (h: Harness) => lines(h).filter((l) => l.msg === 'caldav exchange');

function expectNoSecrets(h: Harness, sessionId: string): void {
  const text = h.logText();
  const password = h.password(USER);
  expect(text).not.toContain(password);
  expect(text).not.toContain(Buffer.from(`${USER}:${password}`).toString('base64'));
  expect(text).not.toContain(sessionId);
  // No bodies: neither iCalendar nor the XML the server answered.
  expect(text).not.toMatch(/BEGIN:VCALENDAR|multistatus/);
}

describe('CalDAV traffic log', () => {
  it('writes one debug line per exchange: method, path, status, duration', async () => {
    const h = await startHarness(NO_CACHE);
    harnesses.push(h);
    const id = await h.login(USER);
    const from = exchangeLines(h).length;
    const sentFrom = h.caldavRequests.length;
    const answer = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}&dtstart=20270101T000000Z&dtend=20270201T000000Z&fmt-out=text%2Fcalendar`);
    expect(answer.errno).toBe(0);
    const logged = exchangeLines(h).slice(from);
    const sent = h.caldavRequests.slice(sentFrom);
    // The same reqId as the request's own line.
    const [request] = lines(h).filter((l) => l.msg === 'wcap' && l.cmd === 'fetchcomponents_by_range');
    expect(new Set(logged.map((l) => l.reqId))).toEqual(new Set([request!.reqId]));
    expect(logged.length).toBe(sent.length);
    expect(logged.length).toBeGreaterThan(0);
    // Lines come in the order of the answers, requests in the order they were sent (some in parallel).
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const expected = sent.map((r) => key({ method: r.method, path: new URL(r.url).pathname.replace(`/${USER}/`, `/${LOGGED_USER}/`) }));
    expect(logged.map((l) => key(l.upstream!)).sort()).toEqual(expected.sort());
    for (const line of logged) {
      expect(line.level).toBe(20);
      expect(line.upstream).toEqual({ method: expect.any(String), path: expect.any(String), status: expect.any(Number), ms: expect.any(Number) });
      expect(Object.keys(line).sort()).toEqual(['cmd', 'level', 'msg', 'reqId', 'service', 'time', 'upstream']);
      expect(line).toMatchObject({ cmd: 'fetchcomponents_by_range', reqId: expect.any(String) });
    }
    expectNoSecrets(h, id);
    expect(logged.some((l) => l.upstream!.path.includes(`/${LOGGED_USER}/`))).toBe(true);
    expect(exchangeLines(h).some((l) => l.upstream!.path.includes(`/${USER}/`))).toBe(false);
  });

  it('warns about a failing server with the errno next to the failing exchange', async () => {
    let broken = false;
    const h = await startHarness(NO_CACHE, {
      wrapFetch: (inner) => async (input, init) => {
        if (broken && init?.method === 'REPORT') return new Response('<error>disk full</error>', { status: 500 });
        return inner(input, init);
      },
    });
    harnesses.push(h);
    const id = await h.login(USER);
    broken = true;
    const answer = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}&dtstart=20270301T000000Z&dtend=20270401T000000Z&fmt-out=text%2Fcalendar`);
    expect(answer.errno).not.toBe(0);
    const warnings = lines(h).filter((l) => l.level === 40 && l.msg === 'calendar back end failed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      errno: answer.errno,
      upstream: { method: 'REPORT', path: expect.stringMatching(new RegExp(`^/${LOGGED_USER}/`)), status: 500, ms: expect.any(Number) },
    });
    // The detail quotes the same path, the user written the same way.
    expect(String(warnings[0]!.detail)).toBe(`CalDAV REPORT ${warnings[0]!.upstream!.path} answered HTTP 500: disk full`);
    // The same facts were on the exchange's own debug line.
    expect(exchangeLines(h).some((l) => l.upstream?.status === 500 && l.upstream.path === warnings[0]!.upstream!.path)).toBe(true);
    expectNoSecrets(h, id);
  });

  it('warns with the reason when the server does not answer, and keeps refusals at info', async () => {
    let mode: 'ok' | 'down' | 'forbidden' = 'ok';
    const h = await startHarness(NO_CACHE, {
      wrapFetch: (inner) => async (input, init) => {
        if (mode === 'down' && init?.method === 'REPORT') throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        if (mode === 'forbidden' && init?.method === 'REPORT') return new Response('', { status: 403 });
        return inner(input, init);
      },
    });
    harnesses.push(h);
    const id = await h.login(USER);
    const fetchRange = (month: string) =>
      h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}&dtstart=2027${month}01T000000Z&dtend=2027${month}28T000000Z&fmt-out=text%2Fcalendar`);
    mode = 'down';
    const down = await fetchRange('05');
    const [warning] = lines(h).filter((l) => l.level === 40 && l.msg === 'calendar back end failed');
    expect(warning).toMatchObject({ errno: down.errno, upstream: { method: 'REPORT', ms: expect.any(Number) } });
    expect(warning!.upstream).not.toHaveProperty('status');
    expect(String(warning!.detail)).toContain('ECONNRESET');
    mode = 'forbidden';
    const refused = await fetchRange('06');
    expect(refused.errno).toBe(28);
    const info = lines(h).filter((l) => l.msg === 'command failed' && l.errno === 28);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ level: 30, upstream: { method: 'REPORT', status: 403 } });
    expectNoSecrets(h, id);
  });

  it('leaves the user out of exchange lines and failure details with WCAP_LOG_USER=off', async () => {
    let broken = false;
    const h = await startHarness({ ...NO_CACHE, WCAP_LOG_USER: 'off' }, {
      wrapFetch: (inner) => async (input, init) => (broken && init?.method === 'REPORT' ? new Response('', { status: 500 }) : inner(input, init)),
    });
    harnesses.push(h);
    const id = await h.login(USER);
    broken = true;
    expect((await h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}&dtstart=20270701T000000Z&dtend=20270801T000000Z`)).errno).toBe(13);
    const [warning] = lines(h).filter((l) => l.msg === 'calendar back end failed');
    expect(warning!.upstream!.path).toMatch(/^\/~\//);
    expect(h.logText()).not.toContain(USER);
    expect(h.logText()).not.toContain(LOGGED_USER);
  });
});
