import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  PASSWORDS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  checkIcs,
  enc,
  normalise,
  parseIcs,
  tokenOf,
  tokensOf,
  type GoldenGateway,
} from '../support/golden-gateway.js';
import { checkJsAgainstIcs, xmlAsJson } from '../support/golden-formats.js';
import { loadJsAnswer } from '../support/js-answer.js';
import { childElements, elementsByTagName, parseXml, textContent } from '../support/parse-xml.js';

/**
 * Golden answers of the session-level commands (docs/lightning.md#login-sequence): version, login,
 * logout, check_id, ping, gettime, get_guids, get_userprefs, get_all_timezones, in text/calendar
 * and text/xml, with Lightning's own URLs where Lightning sends the command.
 */
describe('golden: session-level commands', () => {
  let g: GoldenGateway;
  let sid: string;
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.createCalendar('alice', 'work', { displayName: 'Work $ stuff, "Team" <A&B>', timezone: 'Europe/Berlin' });
  });

  it.each(FORMATS)('version.wcap ($ext): WCAP ≥ 3, server version, errno 0', async (f) => {
    const answer = await g.get('version', `fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    expect(Number.parseInt(tokenOf(answer, 'X-NSCP-WCAPVERSION') ?? '', 10)).toBeGreaterThanOrEqual(3);
    expect(tokenOf(answer, 'X-NSCP-SERVERVERSION')).toBeTruthy();
    await matchGolden(answer, `version.${f.ext}`);
  });

  it.each(FORMATS)('login.wcap ($ext): session id, user, calendar id in that order, large recurrence bound', async (f) => {
    const answer = await g.get('login', `fmt-out=${f.fmtOut}&user=alice&password=${enc(PASSWORDS.alice)}`);
    checkAnswer(answer, f, 0);
    const id = tokenOf(answer, 'X-NSCP-WCAP-SESSION-ID') ?? '';
    expect(id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(tokenOf(answer, 'X-NSCP-WCAP-USER-ID')).toBe('alice');
    expect(tokenOf(answer, 'X-NSCP-WCAP-CALENDAR-ID')).toBe('alice');
    expect(Number(tokenOf(answer, 'X-NSCP-RECURRENCE-BOUND'))).toBeGreaterThanOrEqual(1000);
    // WCap'Cal and OpenSync read the lines in this order
    // (docs/wcap-protocol.md#login-answer-line-order).
    const order = ['X-NSCP-WCAP-SESSION-ID', 'X-NSCP-WCAP-USER-ID', 'X-NSCP-WCAP-CALENDAR-ID', 'X-NSCP-WCAP-ERRNO'];
    const positions = order.map((name) => answer.body.indexOf(name));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(answer.body).not.toContain('wörd');
    // The new session works.
    const check = await g.get('check_id', `id=${id}&fmt-out=text%2Fcalendar`);
    expect(tokenOf(check, 'X-NSCP-WCAP-CHECK-ID')).toBe('1');
    const body = normalise(answer.body);
    expect(body).not.toContain(id);
    expect(body).toContain('SESSIONID-1');
    await matchGolden(answer, `login.${f.ext}`);
  });

  it.each(FORMATS)('login.wcap ($ext) with a wrong password: errno 1, no session, password never echoed', async (f) => {
    const answer = await g.get('login', `fmt-out=${f.fmtOut}&user=alice&password=${enc('Wrong p@ss&1')}`);
    checkAnswer(answer, f, 1);
    expect(tokenOf(answer, 'X-NSCP-WCAP-SESSION-ID')).toBeUndefined();
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    expect(answer.body).not.toMatch(/Wrong|p@ss/);
    await matchGolden(answer, `login.bad-password.${f.ext}`);
  });

  it.each(FORMATS)('logout.wcap ($ext): errno -1 and the session is gone', async (f) => {
    const id = await g.login('bob');
    const answer = await g.get('logout', `fmt-out=${f.fmtOut}&id=${id}`);
    checkAnswer(answer, f, -1);
    // -1 is a success: no failure message.
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeUndefined();
    const after = await g.get('gettime', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fcalendar`);
    checkIcs(after, 1);
    await matchGolden(answer, `logout.${f.ext}`);
  });

  it.each(FORMATS)('check_id.wcap ($ext): 1 for a live session, 0 for an unknown one, errno 0 both times', async (f) => {
    const live = await g.get('check_id', `id=${sid}&fmt-out=${f.fmtOut}`);
    checkAnswer(live, f, 0);
    expect(tokenOf(live, 'X-NSCP-WCAP-CHECK-ID')).toBe('1');
    const dead = await g.get('check_id', `id=NoSuchSession0000000000000000000&fmt-out=${f.fmtOut}`);
    checkAnswer(dead, f, 0);
    expect(tokenOf(dead, 'X-NSCP-WCAP-CHECK-ID')).toBe('0');
    await matchGolden(live, `check_id.${f.ext}`);
    await matchGolden(dead, `check_id.unknown.${f.ext}`);
  });

  it.each(FORMATS)('ping.wcap ($ext): errno 0', async (f) => {
    const answer = await g.get('ping', `fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    await matchGolden(answer, `ping.${f.ext}`);
  });

  it.each(FORMATS)('gettime.wcap ($ext): the fixed clock as a UTC date-time', async (f) => {
    const answer = await g.get('gettime', `appid=mozilla-calendar&id=${sid}&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-WCAPTIME')).toBe('20260302T100000Z');
    await matchGolden(answer, `gettime.${f.ext}`);
  });

  it.each(FORMATS)('get_guids.wcap ($ext): guidCount distinct UIDs X-NSCP-GUID0 …', async (f) => {
    const answer = await g.get('get_guids', `guidCount=3&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    const guids = [0, 1, 2].map((i) => tokenOf(answer, `X-NSCP-GUID${i}`) ?? '');
    for (const guid of guids) expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(guids).size).toBe(3);
    expect(tokenOf(answer, 'X-NSCP-GUID3')).toBeUndefined();
    const body = normalise(answer.body);
    expect(body).toContain('GUID-3');
    await matchGolden(answer, `get_guids.${f.ext}`);
  });

  it.each(FORMATS)('get_userprefs.wcap ($ext): icsCalendar, mail, "calid$" + "name" subscriptions, default alarm', async (f) => {
    const answer = await g.get('get_userprefs', `appid=mozilla-calendar&id=${sid}&fmt-out=${f.fmtOut}&userid=alice`);
    checkAnswer(answer, f, 0);
    // Case-sensitive element names: Lightning uses getElementsByTagName
    // (docs/lightning.md#user-preferences).
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-icsCalendar')).toBe('alice');
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-mail')).toBe('alice@example.com');
    const alarmEmails = tokenOf(answer, 'X-NSCP-WCAP-PREF-ceDefaultAlarmEmail') ?? '';
    expect(alarmEmails.split(/[,;]/).map((s) => s.trim())).toEqual(['alice@example.com']);
    // Sun's sign convention: a positive duration means before the start; Lightning repairs a
    // missing T and flips the sign (docs/lightning.md#user-preferences), so this must read as a
    // reminder 15 minutes before.
    const alarmStart = tokenOf(answer, 'X-NSCP-WCAP-PREF-ceDefaultAlarmStart') ?? '';
    expect(alarmStart).toMatch(/^\+?PT?15M$/);
    const lightning = alarmStart.replace(/^\+/, '').replace(/^P(?=\d+[HMS]$)/, 'PT');
    expect(`-${lightning}`).toBe('-PT15M');
    const subscribed = tokensOf(answer, 'X-NSCP-WCAP-PREF-icsSubscribed').flatMap((v) => v.split(','));
    expect(subscribed.every((entry) => entry.includes('$'))).toBe(true);
    const calids = subscribed.map((entry) => entry.slice(0, entry.indexOf('$')));
    expect(calids).toEqual(expect.arrayContaining(['alice', 'alice:work']));
    await matchGolden(answer, `get_userprefs.${f.ext}`);
  });

  it.each(FORMATS)("get_userprefs.wcap ($ext) for another user's userid: errno 44", async (f) => {
    const answer = await g.get('get_userprefs', `appid=mozilla-calendar&id=${sid}&fmt-out=${f.fmtOut}&userid=bob`);
    checkAnswer(answer, f, 44);
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-mail')).toBeUndefined();
    await matchGolden(answer, `get_userprefs.other-user.${f.ext}`);
  });

  it('get_all_timezones.wcap (ics): every IANA zone registers in ical.js under its IANA name', async () => {
    const answer = await g.get('get_all_timezones', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fcalendar`);
    const [calendar] = checkIcs(answer, 0);
    const zones = calendar!.getAllSubcomponents('vtimezone');
    expect(zones.length).toBeGreaterThan(400);
    const byId = new Map(zones.map((z) => [String(z.getFirstPropertyValue('tzid')), z]));
    expect(byId.size).toBe(zones.length);
    const offset = (tzid: string, month: number) =>
      ICAL.Time.fromData({ year: 2026, month, day: 15, hour: 12 }, new ICAL.Timezone(byId.get(tzid)!)).utcOffset() / 3600;
    expect([offset('Europe/Berlin', 1), offset('Europe/Berlin', 7)]).toEqual([1, 2]);
    expect([offset('America/New_York', 1), offset('America/New_York', 7)]).toEqual([-5, -4]);
    expect([offset('Australia/Sydney', 1), offset('Australia/Sydney', 7)]).toEqual([11, 10]);
    const berlin = answer.body.split(/(?=BEGIN:VTIMEZONE\r\n)/).filter((chunk) => chunk.includes('\r\nTZID:Europe/Berlin\r\n'));
    expect(berlin).toHaveLength(1);
    const text = berlin[0]!.slice(0, berlin[0]!.indexOf('END:VTIMEZONE\r\n') + 'END:VTIMEZONE\r\n'.length);
    expect(parseIcs(`BEGIN:VCALENDAR\r\n${text}END:VCALENDAR\r\n`)[0]!.getFirstSubcomponent('vtimezone')).toBeTruthy();
    await expect(text).toMatchFileSnapshot('./__golden__/get_all_timezones.Europe-Berlin.ics');
  });

  it('get_all_timezones.wcap (xml): one <TIMEZONE> per zone, TZID the IANA name', async () => {
    const answer = await g.get('get_all_timezones', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fxml`);
    checkAnswer(answer, FORMATS[1], 0);
    const zones = elementsByTagName(parseXml(answer.body).root, 'TIMEZONE');
    expect(zones.length).toBeGreaterThan(400);
    const tzids = zones.map((z) => textContent(childElements(z, 'TZID')[0]!));
    expect(tzids).toEqual(expect.arrayContaining(['Europe/Berlin', 'America/New_York', 'Australia/Sydney']));
    expect(new Set(tzids).size).toBe(tzids.length);
    const berlin = answer.body.split(/(?=<TIMEZONE>)/).filter((chunk) => chunk.includes('<TZID>Europe/Berlin</TZID>'));
    expect(berlin).toHaveLength(1);
    const text = berlin[0]!.slice(0, berlin[0]!.indexOf('</TIMEZONE>') + '</TIMEZONE>'.length);
    const berlinElement = parseXml(text).root;
    expect(childElements(berlinElement, 'STANDARD').length + childElements(berlinElement, 'DAYLIGHT').length).toBeGreaterThan(0);
    await expect(`${text}\n`).toMatchFileSnapshot('./__golden__/get_all_timezones.Europe-Berlin.xml');
  });

  it('get_all_timezones.wcap in text/js and text/json: the same zones as text/calendar and text/xml', async () => {
    const query = (fmtOut: string) => `appid=mozilla-calendar&id=${sid}&fmt-out=${fmtOut}`;
    const [ics, js, xml, json] = await Promise.all(['text%2Fcalendar', 'text%2Fjs', 'text%2Fxml', 'text%2Fjson'].map((f) => g.get('get_all_timezones', query(f))));
    checkJsAgainstIcs(js!.body, ics!.body, { command: 'get_all_timezones' });
    expect(loadJsAnswer(js!.body).callbacks).toEqual([['Calget_all_timezonesCallback', 'wcap-frame']]);
    const doc = JSON.parse(json!.body) as { iCalendar: { iCal: Array<{ TIMEZONE: Array<{ TZID: Array<{ value: string }> }> }> } };
    expect(doc).toEqual(xmlAsJson(xml!.body));
    const tzids = doc.iCalendar.iCal[0]!.TIMEZONE.map((z) => z.TZID[0]!.value);
    expect(tzids.length).toBeGreaterThan(400);
    expect(tzids).toEqual(expect.arrayContaining(['Europe/Berlin', 'America/New_York', 'Australia/Sydney']));
  });
});
