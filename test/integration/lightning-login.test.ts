import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementsByTagName, textContent } from '../support/parse-xml.js';
import { enc, startHarness, xmlValue, type Harness } from '../support/gateway-harness.js';

/**
 * The login sequence (docs/lightning.md#login-sequence), request by request, with the URLs exactly
 * as Mozilla Lightning's WCAP provider builds them, against real Radicale and Redis.
 */
describe('Lightning login sequence', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('step 1: version.wcap answers WCAP ≥ 3 with PRODID and server version', async () => {
    const answer = await h.wcap('version', 'fmt-out=text%2Fcalendar');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/calendar; charset=UTF-8');
    expect(answer.errno).toBe(0);
    expect(Number.parseInt(String(answer.ical!.getFirstPropertyValue('x-nscp-wcapversion')), 10)).toBeGreaterThanOrEqual(3);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-serverversion')).toBeTruthy();
    expect(answer.ical!.getFirstPropertyValue('prodid')).toBeTruthy();
  });

  it('steps 3–4: login, then userprefs, gettime, timezones and calprops work with the new id', async () => {
    const login = await h.wcap('login', `fmt-out=text%2Fcalendar&user=erin&password=${enc(h.password('erin'))}`);
    expect(login.errno).toBe(0);
    const id = String(login.ical!.getFirstPropertyValue('x-nscp-wcap-session-id'));
    expect(id).toMatch(/^[A-Za-z0-9]{22,}$/);
    expect(Number(login.ical!.getFirstPropertyValue('x-nscp-recurrence-bound'))).toBeGreaterThanOrEqual(1000);
    // WCap'Cal and OpenSync parse the lines in this order
    // (docs/wcap-protocol.md#login-answer-line-order).
    const names = login.ical!.getAllProperties().map((p) => p.name);
    expect(names.indexOf('x-nscp-wcap-session-id')).toBeLessThan(names.indexOf('x-nscp-wcap-user-id'));
    expect(names.indexOf('x-nscp-wcap-user-id')).toBeLessThan(names.indexOf('x-nscp-wcap-calendar-id'));

    // The three setup requests are sent in parallel.
    const [prefs, time, zones] = await Promise.all([
      h.wcap('get_userprefs', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fxml&userid=erin`),
      h.wcap('gettime', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fcalendar`),
      h.wcap('get_all_timezones', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fcalendar`),
    ]);
    expect(prefs.errno).toBe(0);
    // Case-sensitive element names, as getElementsByTagName reads them.
    expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-icsCalendar')).toBe('erin');
    expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-mail')).toBe('erin@example.com');
    const subscribed = xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-icsSubscribed') ?? '';
    expect(subscribed.split(',').every((entry) => entry.includes('$'))).toBe(true);

    expect(time.errno).toBe(0);
    const wcapTime = String(time.ical!.getFirstProperty('x-nscp-wcaptime')!.toICALString().split(':').pop());
    expect(wcapTime).toMatch(/^\d{8}T\d{6}Z$/);
    const [, y, mo, d, hh, mm, ss] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(wcapTime)!.map(Number);
    // The gateway's clock, which other tests move forward.
    expect(Math.abs(Date.UTC(y!, mo! - 1, d, hh, mm, ss) - h.clock.now())).toBeLessThan(60_000);

    expect(zones.errno).toBe(0);
    const tzids = zones.ical!.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'));
    expect(tzids).toEqual(expect.arrayContaining(['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Tokyo']));
    expect(tzids.length).toBeGreaterThan(400);
    // Every zone registers with ical.js as Lightning would register it.
    const berlin = zones.ical!.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === 'Europe/Berlin')!;
    const zone = new ICAL.Timezone(berlin);
    const july = ICAL.Time.fromData({ year: 2025, month: 7, day: 1, hour: 12 }, zone);
    expect(july.utcOffset()).toBe(7200);

    const calprops = await h.wcap(
      'get_calprops',
      `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fxml&calid=${enc('erin')};${enc('erin:nope')};${enc('frank')}`,
    );
    const blocks = elementsByTagName(calprops.xml!, 'iCal');
    expect(blocks).toHaveLength(3);
    const [own, missing, foreign] = blocks;
    expect(xmlValue(own!, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('erin');
    expect(xmlValue(own!, 'X-NSCP-WCAP-ERRNO')).toBe('0');
    expect(xmlValue(own!, 'X-NSCP-CALPROPS-PRIMARY-OWNER')).toBe('erin');
    expect(xmlValue(own!, 'X-NSCP-CALPROPS-NAME')).toBeTruthy();
    expect(xmlValue(own!, 'X-NSCP-CALPROPS-TZID')).toBeTruthy();
    expect(elementsByTagName(own!, 'X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY').length).toBeGreaterThan(0);
    expect(xmlValue(missing!, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('erin:nope');
    expect(xmlValue(missing!, 'X-NSCP-WCAP-ERRNO')).toBe('29');
    expect(xmlValue(foreign!, 'X-NSCP-WCAP-ERRNO')).toBe('28');
  });

  it('login created the default calendar on Radicale', async () => {
    // Radicale is shared by every test file (recurrence.test.ts logs frank in too): start without it.
    await h.radicale('frank', '/frank/calendar/', { method: 'DELETE' });
    expect((await h.radicale('frank', '/frank/calendar/', { method: 'PROPFIND', headers: { Depth: '0' } })).status).toBe(404);
    await h.login('frank');
    const res = await h.radicale('frank', '/frank/calendar/', { method: 'PROPFIND', headers: { Depth: '0' } });
    expect(res.status).toBe(207);
    expect(await res.text()).toContain('calendar');
  });

  it('a login costs at most three CalDAV requests for an existing user', async () => {
    await h.login('erin');
    // Snapshot builds of earlier reads must not show up among this request's CalDAV requests.
    await h.settled();
    const before = h.caldavRequests.length;
    await h.login('erin');
    expect(h.caldavRequests.length - before).toBeLessThanOrEqual(3);
  });

  it("the first fetch after a login costs one CalDAV request: the login's read of the calendar serves its properties", async () => {
    const march = (id: string) =>
      h.wcap('fetchcomponents_by_range', `id=${id}&calid=erin&component-type=event&dtstart=20280301T000000Z&dtend=20280401T000000Z&fmt-out=text%2Fcalendar`);
    // Two reads, whatever earlier tests did, make the gateway keep a snapshot of the calendar; once
    // it is built, no background build can add requests to the count below.
    const earlier = await h.login('erin');
    await march(earlier);
    await march(earlier);
    await h.settled();
    // Whatever earlier reads left in the gateway's one-minute memo of calendar properties is gone.
    h.clock.advance(120);
    const id = await h.login('erin');
    const before = h.caldavRequests.length;
    const fetched = await march(id);
    expect(fetched.errno).toBe(0);
    // The snapshot's validation, a Depth 0 PROPFIND, and never a second PROPFIND for the properties.
    expect(h.caldavRequests.slice(before).map((r) => `${r.method} ${r.depth}`)).toEqual(['PROPFIND 0']);
  });

  it('fetching an item by UID costs one GET once the gateway knows where the item lives', async () => {
    const id = await h.login('erin');
    const uid = `by-uid-${Date.now()}`;
    const stored = await h.wcap('storeevents', `id=${id}&calid=erin&uid=${uid}&dtstart=20280305T090000Z&dtend=20280305T100000Z&summary=Lookup&storetype=1&fmt-out=text%2Fcalendar`);
    expect(stored.errno).toBe(0);
    const fetchIt = () => h.wcap('fetchevents_by_id', `id=${id}&calid=erin&uid=${uid}&recurring=1&fmt-out=text%2Fcalendar`);
    expect((await fetchIt()).errno).toBe(0);
    // Snapshot builds of earlier reads must not show up among this request's CalDAV requests.
    await h.settled();
    const before = h.caldavRequests.length;
    expect((await fetchIt()).errno).toBe(0);
    expect(h.caldavRequests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it('a user name or password longer than any server takes → errno 1 without asking the server (never -1)', async () => {
    const before = h.caldavRequests.length;
    const longUser = await h.wcap('login', `fmt-out=text%2Fxml&user=${'u'.repeat(64_000)}&password=x`);
    const longPassword = await h.wcap('login', `fmt-out=text%2Fxml&user=erin&password=${'p'.repeat(200_000)}`);
    for (const answer of [longUser, longPassword]) {
      expect(answer.errno).toBe(1);
      expect(xmlValue(answer.xml!, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBe('Login failed: a user name has at most 256 characters, a password at most 4096');
    }
    expect(h.caldavRequests.length).toBe(before);
  });

  it('wrong password → errno 1 (Lightning shows its password prompt); unknown user too', async () => {
    const wrong = await h.wcap('login', 'fmt-out=text%2Fcalendar&user=erin&password=not-it');
    expect(wrong.status).toBe(200);
    expect(wrong.errno).toBe(1);
    expect(wrong.ical!.getFirstPropertyValue('x-nscp-wcap-session-id')).toBeNull();
    const nobody = await h.wcap('login', 'fmt-out=text%2Fxml&user=nobody&password=x');
    expect(nobody.errno).toBe(1);
  });

  it('logout answers -1 and the id is dead afterwards (errno 1)', async () => {
    const id = await h.login('erin');
    const out = await h.wcap('logout', `fmt-out=text%2Fxml&id=${id}`);
    expect(out.errno).toBe(-1);
    const after = await h.wcap('gettime', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fcalendar`);
    expect(after.errno).toBe(1);
  });

  it('an idle session expires (errno 1), check_id reports it, and an active one lives on', async () => {
    const idle = await h.login('erin');
    const active = await h.login('erin');
    h.clock.advance(1000);
    expect((await h.wcap('ping', `id=${active}`)).errno).toBe(0);
    await h.wcap('gettime', `id=${active}&fmt-out=text%2Fcalendar`);
    h.clock.advance(1000);
    expect((await h.wcap('gettime', `id=${active}&fmt-out=text%2Fcalendar`)).errno).toBe(0);
    const check = await h.wcap('check_id', `id=${idle}&fmt-out=text%2Fxml`);
    expect(check.errno).toBe(0);
    expect(xmlValue(check.xml!, 'X-NSCP-WCAP-CHECK-ID')).toBe('0');
    expect((await h.wcap('gettime', `id=${idle}&fmt-out=text%2Fcalendar`)).errno).toBe(1);
  });

  it('commands answer under any path prefix and by POST', async () => {
    const prefixed = await h.wcap('version', 'fmt-out=text%2Fxml', 'wcap/');
    expect(prefixed.errno).toBe(0);
    const form = await fetch(`${h.gateway.url}login.wcap`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `fmt-out=text%2Fcalendar&user=erin&password=${enc(h.password('erin'))}`,
    });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('X-NSCP-WCAP-SESSION-ID');
    const data = new FormData();
    data.set('fmt-out', 'text/xml');
    data.set('user', 'erin');
    data.set('password', h.password('erin'));
    const multipart = await fetch(`${h.gateway.url}iwc/svc/wcap/login.wcap`, { method: 'POST', body: data });
    expect(await multipart.text()).toMatch(/<X-NSCP-WCAP-SESSION-ID>[A-Za-z0-9]+<\/X-NSCP-WCAP-SESSION-ID>/);
  });

  it('unknown command → 52, unknown fmt-out → 58 without echoing it, no-cache headers', async () => {
    const unknown = await h.wcap('frobnicate', 'fmt-out=text%2Fxml');
    expect(unknown.status).toBe(200);
    expect(unknown.errno).toBe(52);
    const format = await h.wcap('version', `fmt-out=${enc('text/<script>alert(1)</script>')}`);
    expect(format.errno).toBe(58);
    expect(format.body).not.toContain('script');
    expect(format.body).toContain('X-NSCP-WCAP-ERRNO-MESSAGE');
    expect(format.headers.get('cache-control')).toContain('no-cache');
    expect(format.headers.get('pragma')).toBe('no-cache');
  });

  it('the log of a whole login-to-logout run holds neither the password nor the session id', async () => {
    const id = await h.login('erin');
    await h.wcap('get_userprefs', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fxml&userid=erin`);
    await h.wcap('fetchcomponents_by_range', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&calid=erin`);
    await h.wcap('storeevents', `appid=mozilla-calendar&id=${id}&dtstart=20270101T100000Z&dtend=20270101T110000Z&summary=x&storetype=1&fetch=1&fmt-out=text%2Fcalendar&calid=erin`);
    await h.wcap('login', 'fmt-out=text%2Fcalendar&user=erin&password=a-wrong-password-value');
    await h.wcap('logout', `fmt-out=text%2Fxml&id=${id}`);
    const log = h.logText();
    expect(log.length).toBeGreaterThan(0);
    expect(log).toContain('"cmd":"login"');
    expect(log).not.toContain(id);
    expect(log).not.toContain(h.password('erin'));
    expect(log).not.toContain('a-wrong-password-value');
  });
});

describe('XML errno placement', () => {
  it('every <iCal> carries exactly one errno element', async () => {
    const h = await startHarness();
    try {
      const id = await h.login('erin');
      const answer = await h.wcap('get_calprops', `id=${id}&fmt-out=text%2Fxml&calid=erin;bob`);
      for (const block of elementsByTagName(answer.xml!, 'iCal')) {
        expect(elementsByTagName(block, 'X-NSCP-WCAP-ERRNO').map(textContent)).toHaveLength(1);
      }
    } finally {
      await h.close();
    }
  });
});
