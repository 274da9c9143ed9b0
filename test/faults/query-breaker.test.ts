import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementsByTagName, textContent } from '../support/parse-xml.js';
import { startForwardingProxy, type ForwardingProxy } from '../support/forwarding-proxy.js';
import { startHarness, xmlValue, type Harness } from '../support/gateway-harness.js';
import { startRadicale, type RunningRadicale } from '../support/services.js';

/**
 * A calendar whose time-range queries the CalDAV server works on long past the gateway's time-out
 * (as Radicale does expanding a series another client stored with an instance every second). After
 * three time-outs the gateway stops asking for that calendar for a while (errno 11001 at once, for
 * that calendar alone), while the user's other calendar in the same request still answers.
 *
 * The stuck server is a proxy holding those queries unanswered in front of an idle Radicale: a real
 * expansion keeps Radicale's threads busy after each time-out, and on a loaded machine that delays
 * the healthy calendar past the time-out as well, which is not what this test is about.
 */
const USER = 'breaker';
const PASSWORD = 'breaker-secret-pw';
const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

describe('a calendar whose queries keep timing out', () => {
  let radicale: RunningRadicale;
  let stuck: ForwardingProxy;
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    radicale = await startRadicale({ [USER]: PASSWORD });
    stuck = await startForwardingProxy(radicale.url, {
      intercept: (req) => req.method === 'REPORT' && req.headers.depth === '1' && req.url === `/${USER}/calendar/`,
    });
    // Plain queries every time (no snapshot), and a short time-out.
    h = await startHarness({ WCAP_CALDAV_URL: stuck.url, WCAP_REDIS_URL: '', WCAP_CACHE_MAX_MB: '0', WCAP_CALDAV_TIMEOUT_MS: '1000' });
    const login = await h.wcap('login', `fmt-out=text%2Fcalendar&user=${USER}&password=${PASSWORD}`);
    id = String(login.ical!.getFirstPropertyValue('x-nscp-wcap-session-id'));
    const dav = (path: string, init: RequestInit) => fetch(new URL(path, radicale.url), { ...init, headers: { Authorization: auth, ...init.headers } });
    expect((await dav(`/${USER}/work/`, { method: 'MKCALENDAR' })).status).toBe(201);
    const event = (uid: string, lines: string[]) =>
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//another client//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20280101T000000Z', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const meeting = event('planning', ['DTSTART:20290110T090000Z', 'DTEND:20290110T100000Z', 'SUMMARY:Planning']);
    expect((await dav(`/${USER}/work/planning.ics`, { method: 'PUT', body: meeting, headers: { 'Content-Type': 'text/calendar' } })).status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
    await stuck?.close();
    await radicale?.stop();
  });

  const january = async () => {
    const before = h.caldavRequests.length;
    const answer = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER};${USER}%3Awork&component-type=event&dtstart=20290101T000000Z&dtend=20290201T000000Z&fmt-out=text%2Fxml`);
    const [own, work] = elementsByTagName(answer.xml!, 'iCal');
    // Time-range queries (Depth 1); the Depth 0 REPORT is a sync-collection, which costs no expansion.
    const reportsToOwn = h.caldavRequests.slice(before).filter((r) => r.method === 'REPORT' && r.depth === '1' && r.url.endsWith(`/${USER}/calendar/`)).length;
    return {
      own: { errno: xmlValue(own!, 'X-NSCP-WCAP-ERRNO'), message: xmlValue(own!, 'X-NSCP-WCAP-ERRNO-MESSAGE') ?? '' },
      work: { errno: xmlValue(work!, 'X-NSCP-WCAP-ERRNO'), summaries: elementsByTagName(work!, 'SUMMARY').map(textContent) },
      reportsToOwn,
    };
  };

  it('answers 11001 for that calendar after each time-out, then stops asking it, while the other calendar answers', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await january();
      expect(answer.own).toEqual({ errno: '11001', message: 'The calendar back end cannot be reached' });
      expect(answer.work.errno).toBe('0');
      expect(answer.reportsToOwn).toBe(1);
    }
    const refused = await january();
    expect(refused.own).toEqual({ errno: '11001', message: 'The CalDAV server kept timing out on this calendar; it is not asked again for 30 s' });
    expect(refused.reportsToOwn).toBe(0);
    expect(refused.work).toEqual({ errno: '0', summaries: ['Planning'] });

    // After the cool-down one query tries again (and times out again: the server is still stuck).
    h.clock.advance(31);
    const probe = await january();
    expect(probe.reportsToOwn).toBe(1);
    expect(probe.own.message).toBe('The calendar back end cannot be reached');
    expect((await january()).own.message).toBe('The CalDAV server kept timing out on this calendar; it is not asked again for 60 s');
  });
});
