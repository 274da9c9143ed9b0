import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { parseAnswer } from '../support/gateway-harness.js';
import { freePort } from '../support/services.js';

/**
 * A misbehaving CalDAV upstream (5xx, 412, slow, reset) and an unreachable Redis, seen through the
 * whole gateway: the client always gets HTTP 200 with a WCAP errno that is never 1 (errno 1 makes
 * Lightning log in again without limit, docs/lightning.md#errno-1-and-re-login), and nothing is
 * half-written.
 */
type Fault = 'none' | '500' | 'reset' | 'slow' | '412';

describe('CalDAV upstream faults', () => {
  let gateway: RunningGateway;
  let fault: Fault = 'none';
  let faultMethod = '';
  const users = () => inject('testUsers');
  beforeAll(async () => {
    const faulty = (pooled: typeof fetch): typeof fetch => async (input, init) => {
      const request = new Request(input, init);
      if (fault !== 'none' && (faultMethod === '' || request.method === faultMethod)) {
        if (fault === '500') return new Response('boom', { status: 500 });
        if (fault === '412') return new Response('', { status: 412 });
        if (fault === 'reset') throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        if (fault === 'slow') {
          // No answer before the gateway's deadline (WCAP_CALDAV_TIMEOUT_MS): it only ends when the
          // gateway gives up and aborts.
          await new Promise((_resolve, reject) => {
            if (request.signal.aborted) reject(request.signal.reason);
            request.signal.addEventListener('abort', () => reject(request.signal.reason));
          });
        }
      }
      return pooled(input, init);
    };
    const config = loadConfig({
      WCAP_PORT: '0',
      WCAP_CALDAV_URL: inject('radicaleUrl'),
      WCAP_REDIS_URL: inject('redisUrl'),
      WCAP_SECRET: 'faults-test-secret-0123456789',
      WCAP_LOG_LEVEL: 'silent',
      // Long enough that a loaded machine never turns a healthy exchange into a time-out.
      WCAP_CALDAV_TIMEOUT_MS: '2000',
    });
    gateway = await startGateway(config, createLogger('silent'), { wrapFetch: faulty });
  });
  afterAll(() => gateway.close());

  const wcap = async (query: string) => parseAnswer(await fetch(`${gateway.url}${query}`));
  const login = async () => {
    const answer = await wcap(`login.wcap?user=dave&password=${encodeURIComponent(users().dave!)}`);
    expect(answer.errno, answer.body).toBe(0); // a failed login must not pass for an upstream fault
    return String(answer.ical!.getFirstPropertyValue('x-nscp-wcap-session-id'));
  };
  const inject500 = (method = '') => {
    fault = '500';
    faultMethod = method;
  };
  const heal = () => {
    fault = 'none';
    faultMethod = '';
  };
  // A test that fails before it heals the upstream must not leave its fault to the next one.
  afterEach(heal);

  it.each([
    ['500', 13],
    ['reset', 11001],
    ['slow', 11001],
  ] as const)('a range fetch with the upstream answering %s → errno %i, never 1', async (kind, errno) => {
    const id = await login();
    // Every CalDAV request fails: the validation of a cached calendar as much as a REPORT.
    fault = kind;
    const answer = await wcap(`fetchcomponents_by_range.wcap?id=${id}&dtstart=0&dtend=0&calid=dave`);
    heal();
    expect(answer.status).toBe(200);
    expect(answer.errno).toBe(errno);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message')).toBeTruthy();
    // The session survives an upstream failure.
    expect((await wcap(`gettime.wcap?id=${id}`)).errno).toBe(0);
  });

  it('login while the upstream fails is not "wrong password" (never errno 1)', async () => {
    inject500();
    const answer = await wcap(`login.wcap?user=dave&password=${encodeURIComponent(users().dave!)}`);
    heal();
    expect(answer.errno).not.toBe(1);
    expect(answer.errno).not.toBe(0);
  });

  it('a store whose PUT fails leaves nothing behind, and the next try works', async () => {
    const id = await login();
    const uid = randomUUID();
    const query = `storeevents.wcap?id=${id}&dtstart=20270301T090000Z&dtend=20270301T100000Z&summary=Retry&uid=${uid}&storetype=1&calid=dave`;
    inject500('PUT');
    expect((await wcap(query)).errno).toBe(14);
    heal();
    const auth = `Basic ${Buffer.from(`dave:${users().dave}`).toString('base64')}`;
    expect((await fetch(new URL(`/dave/calendar/${uid}.ics`, inject('radicaleUrl')), { headers: { Authorization: auth } })).status).toBe(404);
    expect((await wcap(query)).errno).toBe(0);
  });

  it('a modify that keeps losing the If-Match race answers an errno instead of overwriting', async () => {
    const id = await login();
    const uid = randomUUID();
    await wcap(`storeevents.wcap?id=${id}&dtstart=20270302T090000Z&dtend=20270302T100000Z&summary=Mine&uid=${uid}&storetype=1&calid=dave`);
    fault = '412';
    faultMethod = 'PUT';
    const answer = await wcap(`storeevents.wcap?id=${id}&summary=Theirs&uid=${uid}&storetype=2&calid=dave`);
    heal();
    expect(answer.errno).toBe(14);
    const fetched = await wcap(`fetchevents_by_id.wcap?id=${id}&uid=${uid}&calid=dave`);
    expect(fetched.ical!.getFirstSubcomponent('vevent')!.getFirstPropertyValue('summary')).toBe('Mine');
  });
});

describe('Redis unreachable', () => {
  it('logins and session lookups fail with 11001, never 1', async () => {
    const config = loadConfig({
      WCAP_PORT: '0',
      WCAP_CALDAV_URL: inject('radicaleUrl'),
      WCAP_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      WCAP_SECRET: 'faults-test-secret-0123456789',
      WCAP_LOG_LEVEL: 'silent',
    });
    const gateway = await startGateway(config, createLogger('silent'));
    try {
      const users = inject('testUsers');
      const login = await parseAnswer(await fetch(`${gateway.url}login.wcap?user=dave&password=${encodeURIComponent(users.dave!)}`));
      expect(login.errno).toBe(11001);
      const lookup = await parseAnswer(await fetch(`${gateway.url}gettime.wcap?id=${'A'.repeat(32)}`));
      expect(lookup.status).toBe(200);
      expect(lookup.errno).toBe(11001);
    } finally {
      await gateway.close();
    }
  });
});
