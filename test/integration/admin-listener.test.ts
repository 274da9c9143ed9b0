import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer, startHarness, xmlValue, type Harness, type WcapAnswer } from '../support/gateway-harness.js';
import { childElements } from '../support/parse-xml.js';

/**
 * The 3.x administrative group on the admin listener (WCAP_ADMIN_PORT, WCAP_ADMIN_TOKEN), against
 * the real Radicale and Redis. The user is jdoe; other test files also log in as jdoe, so counts
 * are compared with what this file's own logins add.
 */
const TOKEN = 'admin-token-for-tests-0123456789';
const ADMIN = { WCAP_ADMIN_PORT: '0', WCAP_ADMIN_TOKEN: TOKEN };
const MONTH = 'dtstart=20290101T000000Z&dtend=20290201T000000Z';
const FETCH = `calid=jdoe&${MONTH}&component-type=event&fmt-out=text%2Fcalendar`;

/** An admin request with `token` as Bearer (none at all for null). */
async function admin(h: Harness, command: string, query: string, token: string | null = TOKEN): Promise<WcapAnswer> {
  const headers: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${token}` };
  return parseAnswer(await fetch(`${h.gateway.adminUrl}${command}.wcap?${query}`, { headers }));
}

async function requestsDuring(h: Harness, action: () => Promise<unknown>): Promise<string[]> {
  const before = h.caldavRequests.length;
  await action();
  return h.caldavRequests.slice(before).map((r) => `${r.method} ${r.depth ?? ''}`.trim());
}

describe('the admin listener', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    [a, b] = await Promise.all([startHarness(ADMIN), startHarness(ADMIN)]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('listens on loopback apart from the WCAP listener, which answers the admin commands 52', async () => {
    expect(new URL(a.gateway.adminUrl!).hostname).toBe('127.0.0.1');
    expect(a.gateway.adminUrl).not.toBe(a.gateway.url);
    for (const command of ['get_session', 'admin_logout', 'refresh', 'shutdown']) {
      expect((await a.wcap(command, 'userid=jdoe&fmt-out=text%2Fxml')).errno).toBe(52);
    }
    // And the WCAP commands are not served on the admin listener.
    expect((await admin(a, 'login', 'user=jdoe&password=x')).errno).toBe(52);
  });

  it('refuses requests without the token, or with another one: HTTP 401 and errno 76, in the asked format', async () => {
    const missing = await admin(a, 'get_session', 'fmt-out=text%2Fxml', null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.contentType).toMatch(/^text\/xml/);
    expect(missing.errno).toBe(76);
    const wrong = await admin(a, 'shutdown', '', `${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.errno).toBe(76);
    expect(a.logText()).not.toContain(TOKEN);
  });

  it('get_session lists a user\'s sessions by login and last access, never their ids', async () => {
    const before = Number((await admin(a, 'get_session', '')).ical!.getFirstPropertyValue('x-nscp-wcap-session-count'));
    const first = await a.login('jdoe');
    const second = await b.login('jdoe');
    const answer = await admin(a, 'get_session', 'userid=jdoe&fmt-out=text%2Fxml');
    expect(answer.errno).toBe(0);
    const block = childElements(answer.xml!, 'iCal')[0]!;
    expect(xmlValue(block, 'X-NSCP-WCAP-USER-ID')).toBe('jdoe');
    const sessions = childElements(block, 'X-NSCP-WCAP-SESSION');
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(Number(xmlValue(block, 'X-NSCP-WCAP-SESSION-COUNT'))).toBe(sessions.length);
    expect(sessions[0]!.attributes.LOGIN).toMatch(/^\d{8}T\d{6}Z$/);
    expect(sessions[0]!.attributes.ACCESS).toMatch(/^\d{8}T\d{6}Z$/);
    expect(answer.body).not.toContain(first);
    expect(answer.body).not.toContain(second);
    const total = await admin(b, 'get_session', 'fmt-out=text%2Fcalendar');
    expect(Number(total.ical!.getFirstPropertyValue('x-nscp-wcap-session-count'))).toBeGreaterThanOrEqual(before + 2);
    expect((await admin(a, 'get_session', 'tid=12345')).errno).toBe(60);
  });

  it('admin_logout on one replica ends the user\'s sessions on every replica', async () => {
    const onA = await a.login('jdoe');
    const onB = await b.login('jdoe');
    const other = await a.login('team');
    const answer = await admin(b, 'admin_logout', 'userid=jdoe');
    expect(answer.errno).toBe(0);
    expect(Number(answer.ical!.getFirstPropertyValue('x-nscp-wcap-sessions-ended'))).toBeGreaterThanOrEqual(2);
    expect((await a.wcap('gettime', `id=${onA}&fmt-out=text%2Fcalendar`)).errno).toBe(1);
    expect((await b.wcap('gettime', `id=${onB}&fmt-out=text%2Fcalendar`)).errno).toBe(1);
    expect((await a.wcap('gettime', `id=${other}&fmt-out=text%2Fcalendar`)).errno).toBe(0);
    expect(Number((await admin(a, 'get_session', 'userid=jdoe')).ical!.getFirstPropertyValue('x-nscp-wcap-session-count'))).toBe(0);
    expect((await admin(a, 'admin_logout', 'fmt-out=text%2Fxml')).errno).toBe(46);
    expect((await admin(a, 'admin_logout', 'addr=10.0.0.1')).errno).toBe(60);
  });
});

describe('admin refresh and shutdown', () => {
  it('refuses everything when no token is configured', async () => {
    const h = await startHarness({ WCAP_ADMIN_PORT: '0' });
    try {
      const answer = await admin(h, 'get_session', 'fmt-out=text%2Fxml', 'anything-at-all');
      expect(answer.status).toBe(403);
      expect(answer.errno).toBe(76);
      expect(h.logText()).toContain('WCAP_ADMIN_TOKEN is not');
    } finally {
      await h.close();
    }
  });

  it('refresh empties the calendar cache of this process: the next read queries the calendar again', async () => {
    const h = await startHarness({ ...ADMIN, WCAP_REDIS_URL: '' });
    try {
      const id = await h.login('jdoe');
      const read = async () => expect((await h.wcap('fetchcomponents_by_range', `id=${id}&${FETCH}`)).errno).toBe(0);
      await read();
      await read();
      await h.settled();
      expect(await requestsDuring(h, read)).toEqual(['PROPFIND 0']);
      expect((await admin(h, 'refresh', '')).errno).toBe(0);
      // The snapshot is gone: the calendar's contents are asked for again.
      expect((await requestsDuring(h, read)).some((r) => r.startsWith('REPORT'))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('shutdown answers, refuses new connections, lets the request in flight finish, then stops', async () => {
    let hold = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held: () => void = () => undefined;
    const heldNow = new Promise<void>((resolve) => (held = resolve));
    const h = await startHarness(ADMIN, {
      wrapFetch: (pooled) => async (input, init) => {
        if (hold) {
          hold = false;
          held();
          await gate;
        }
        return pooled(input, init);
      },
    });
    try {
      const id = await h.login('jdoe');
      hold = true;
      const inFlight = fetch(`${h.gateway.url}fetchcomponents_by_range.wcap?id=${id}&${FETCH}`).then(parseAnswer);
      await heldNow;
      const answer = await admin(h, 'shutdown', 'fmt-out=text%2Fxml');
      expect(answer.status).toBe(200);
      expect(answer.errno).toBe(0);
      await expect(fetch(`${h.gateway.url}gettime.wcap?id=${id}`, { headers: { Connection: 'close' } })).rejects.toThrow();
      release();
      expect((await inFlight).errno).toBe(0);
      await h.gateway.stopped;
    } finally {
      release();
      await h.close();
    }
  });
});
