import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { hashedUser } from '../../src/observability/log-user.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * The request log: exactly one line per WCAP request with command, errno, duration, the CalDAV
 * requests the request caused, the user (WCAP_LOG_USER) and the request id, which a proxy's
 * X-Request-Id header sets and every answer echoes. Never a session id or a password.
 */
const USER = 'dave';
const SECRET = 'integration-test-secret-0123456789'; // the harness's WCAP_SECRET

interface LogLine {
  msg: string;
  reqId?: string;
  cmd?: string;
  errno?: number;
  ms?: number;
  caldav?: number;
  user?: string;
  [field: string]: unknown;
}

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness(env);
  harnesses.push(h);
  return h;
}

const lines = (h: Harness): LogLine[] =>
  h
    .logText()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);

/** The request lines (msg "wcap") of the request with this id. */
const requestLines = (h: Harness, reqId: string) => lines(h).filter((l) => l.msg === 'wcap' && l.reqId === reqId);

async function get(h: Harness, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(new URL(path, h.gateway.url), { headers });
  await res.text();
  return res;
}

describe('request log', () => {
  it('takes a sane X-Request-Id from the request, echoes it, and writes exactly one line with it', async () => {
    const h = await harness();
    const reqId = `lb-${randomUUID()}.1:2`;
    const res = await get(h, 'version.wcap?fmt-out=text%2Fcalendar', { 'X-Request-Id': reqId });
    expect(res.headers.get('x-request-id')).toBe(reqId);
    const [line, ...more] = requestLines(h, reqId);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, msg: 'wcap', reqId, cmd: 'version', errno: 0, caldav: 0, method: 'GET' });
    expect(line!.ms).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty('user'); // no session, no user
    // Every line the request logged carries its id, so they can be found together.
    expect(lines(h).filter((l) => l.reqId === reqId && l.msg !== 'wcap')).toEqual([]);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['spaces and quotes', 'id "with" spaces'],
    ['a path', '../../etc/passwd'],
  ])('replaces an X-Request-Id with %s by a generated one', async (_what, given) => {
    const h = await harness();
    const res = await get(h, 'gettime.wcap', { 'X-Request-Id': given });
    const echoed = res.headers.get('x-request-id')!;
    expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(requestLines(h, echoed)).toHaveLength(1);
    expect(h.logText()).not.toContain(given);
  });

  it('generates a different id per request without the header, and echoes it on every answer', async () => {
    const h = await harness();
    const first = (await get(h, 'gettime.wcap')).headers.get('x-request-id')!;
    const second = (await get(h, 'version.wcap')).headers.get('x-request-id')!;
    expect(first).not.toBe(second);
    expect(requestLines(h, first)).toMatchObject([{ cmd: 'gettime' }]);
    expect(requestLines(h, second)).toMatchObject([{ cmd: 'version' }]);
    // Unknown commands, /healthz and 404s echo it too.
    expect((await get(h, 'nothing.wcap')).headers.get('x-request-id')).toBeTruthy();
    expect((await get(h, 'healthz', { 'X-Request-Id': 'probe-1' })).headers.get('x-request-id')).toBe('probe-1');
    expect((await get(h, 'not-wcap', { 'X-Request-Id': 'probe-2' })).headers.get('x-request-id')).toBe('probe-2');
    expect(lines(h).filter((l) => l.msg === 'wcap').map((l) => l.cmd)).toEqual(['gettime', 'version', '(unknown)']);
  });

  it("counts the CalDAV requests a fetch caused, and not a background snapshot build's", async () => {
    const h = await harness();
    const id = await h.login(USER);
    const name = `log-${randomUUID()}`;
    expect((await h.radicale(USER, `/${USER}/${name}/`, { method: 'MKCALENDAR' })).status).toBe(201);
    const read = async (reqId: string) => {
      const from = h.caldavRequests.length;
      await get(h, `fetchcomponents_by_range.wcap?id=${id}&calid=${USER}:${name}&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`, { 'X-Request-Id': reqId });
      await h.settled();
      const [line] = requestLines(h, reqId);
      return { logged: line!.caldav!, sent: h.caldavRequests.length - from };
    };
    // First read of the calendar: a plain query and the calendar's properties, nothing in the background.
    const first = await read('read-1');
    expect(first).toEqual({ logged: 2, sent: 2 });
    // Second read: the query (the properties are remembered for a minute), while a snapshot is
    // built in the background — its validation and listing are no request's.
    const second = await read('read-2');
    expect(second.logged).toBe(1);
    expect(second.sent).toBeGreaterThanOrEqual(3);
    // Third: served from the snapshot after one validation.
    const third = await read('read-3');
    expect(third).toEqual({ logged: 1, sent: 1 });
  });

  it('names the user by a short keyed hash by default, the same on every replica', async () => {
    const a = await harness();
    const b = await harness();
    await a.login(USER);
    await b.login(USER);
    const expected = hashedUser(SECRET, USER);
    expect(expected).toMatch(/^[0-9a-f]{12}$/);
    for (const h of [a, b]) {
      expect(lines(h).filter((l) => l.msg === 'wcap' && l.cmd === 'login').map((l) => l.user)).toEqual([expected]);
      expect(h.logText()).not.toContain(`"${USER}"`);
    }
  });

  it('names the user as is with WCAP_LOG_USER=on, on login and on requests of the session', async () => {
    const h = await harness({ WCAP_LOG_USER: 'on' });
    const id = await h.login(USER);
    await get(h, `gettime.wcap?id=${id}`, { 'X-Request-Id': 'check-1' });
    await get(h, 'login.wcap?user=dave&password=wrong-password-here', { 'X-Request-Id': 'bad-login' });
    expect(lines(h).find((l) => l.msg === 'wcap' && l.cmd === 'login')?.user).toBe(USER);
    expect(requestLines(h, 'check-1')[0]?.user).toBe(USER);
    // A refused login opened no session: it acted as nobody.
    expect(requestLines(h, 'bad-login')[0]).toMatchObject({ errno: 1 });
    expect(requestLines(h, 'bad-login')[0]).not.toHaveProperty('user');
  });

  it('leaves the user out with WCAP_LOG_USER=off', async () => {
    const h = await harness({ WCAP_LOG_USER: 'off' });
    const id = await h.login(USER);
    await get(h, `get_userprefs.wcap?id=${id}`);
    const requests = lines(h).filter((l) => l.msg === 'wcap');
    expect(requests.map((l) => l.cmd)).toEqual(['login', 'get_userprefs']);
    for (const line of requests) expect(line).not.toHaveProperty('user');
    expect(h.logText()).not.toContain(USER);
    expect(h.logText()).not.toContain(hashedUser(SECRET, USER));
  });

  it('never holds a session id or a password', async () => {
    const h = await harness({ WCAP_LOG_USER: 'on' });
    const id = await h.login(USER);
    await get(h, `fetchcomponents_by_range.wcap?id=${id}&calid=${USER}&dtstart=0&dtend=0`);
    await get(h, 'login.wcap?user=dave&password=another-wrong-password');
    await get(h, `logout.wcap?id=${id}`);
    const text = h.logText();
    expect(lines(h).filter((l) => l.msg === 'wcap')).toHaveLength(4);
    expect(text).not.toContain(id);
    expect(text).not.toContain(h.password(USER));
    expect(text).not.toContain('another-wrong-password');
  });
});
