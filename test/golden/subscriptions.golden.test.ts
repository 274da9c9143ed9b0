import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../src/admin-app.js';
import { createLogger } from '../../src/logger.js';
import {
  FORMATS,
  GATEWAY_URL,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  enc,
  normalise,
  tokenOf,
  tokensOf,
  type GoldenAnswer,
  type GoldenGateway,
} from '../support/golden-gateway.js';
import { checkJsAgainstIcs, xmlAsJson } from '../support/golden-formats.js';

/**
 * Golden answers of subscriptions, lists, preferences, search across homes, the withdrawn commands
 * and the admin group (docs/wcap-protocol.md: subscribe_calendars and unsubscribe_calendars, list and
 * list_subscribed, set_userprefs, search_calprops, administrative commands), in text/calendar and text/xml. The fake CalDAV
 * server lets alice read bob's home, as a Radicale rights rule would.
 */
const TOKEN = 'golden-admin-token-0123456789';

describe('golden: subscriptions, lists and preferences', () => {
  let g: GoldenGateway;
  let sid: string;
  const blocks = (answer: GoldenAnswer, count: number) =>
    Array.from({ length: count }, (_, i) => [tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID', i), Number(tokenOf(answer, 'X-NSCP-WCAP-ERRNO', i))]);
  beforeAll(async () => {
    g = buildGoldenGateway();
    await g.login('bob');
    await g.createCalendar('bob', 'team', { displayName: 'Team Board' });
    g.backend.grantRead('alice', 'bob');
    sid = await g.login('alice');
    await g.createCalendar('alice', 'work', { displayName: 'Work' });
  });

  it.each(FORMATS)('subscribe_calendars.wcap ($ext): one block per calid, 28 and 29 for the ones that cannot be read', async (f) => {
    const answer = await g.get('subscribe_calendars', `id=${sid}&calid=bob:team;bob:missing;carol&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0, 3);
    expect(blocks(answer, 3)).toEqual([
      ['bob:team', 0],
      ['bob:missing', 29],
      ['carol', 28],
    ]);
    await matchGolden(answer, `subscribe_calendars.${f.ext}`);
  });

  it.each(FORMATS)('list_subscribed.wcap and list.wcap ($ext): one line per calendar, errno 0', async (f) => {
    await g.get('subscribe_calendars', `id=${sid}&calid=bob:team&fmt-out=text%2Fcalendar`);
    await g.get('unsubscribe_calendars', `id=${sid}&calid=alice:work&fmt-out=text%2Fcalendar`);
    const subscribed = await g.get('list_subscribed', `id=${sid}&fmt-out=${f.fmtOut}`);
    checkAnswer(subscribed, f, 0);
    expect(tokensOf(subscribed, 'X-S1CS-CALPROPS-SUBSCRIBED-CALENDAR')).toEqual(['alice', 'bob:team']);
    await matchGolden(subscribed, `list_subscribed.${f.ext}`);
    const owned = await g.get('list', `id=${sid}&fmt-out=${f.fmtOut}`);
    checkAnswer(owned, f, 0);
    expect(tokensOf(owned, 'X-S1CS-CALPROPS-OWNED-CALENDAR')).toEqual(['alice', 'alice:work']);
    await matchGolden(owned, `list.${f.ext}`);
  });

  it.each(FORMATS)('unsubscribe_calendars.wcap ($ext): a listed calendar leaves the list, an unknown one is 29', async (f) => {
    await g.get('subscribe_calendars', `id=${sid}&calid=bob&fmt-out=text%2Fcalendar`);
    const answer = await g.get('unsubscribe_calendars', `id=${sid}&calid=bob;bob:missing&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0, 2);
    expect(blocks(answer, 2)).toEqual([
      ['bob', 0],
      ['bob:missing', 29],
    ]);
    await matchGolden(answer, `unsubscribe_calendars.${f.ext}`);
  });

  it.each(FORMATS)('set_userprefs.wcap ($ext): the get_userprefs answer with the new preferences', async (f) => {
    // The same subscriptions whatever ran before: they show in icsSubscribed.
    await g.get('subscribe_calendars', `id=${sid}&calid=bob:team&fmt-out=text%2Fcalendar`);
    await g.get('unsubscribe_calendars', `id=${sid}&calid=alice:work&fmt-out=text%2Fcalendar`);
    await g.get('set_userprefs', `id=${sid}&del_attrs=ceFontFace&fmt-out=text%2Fcalendar`);
    const answer = await g.get('set_userprefs', `id=${sid}&set_attrs=${enc('ceBgcolor=black')};${enc('ceDefaultAlarmStart=PT30M')}&add_attrs=${enc('ceFontFace=serif')}&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-ceBgcolor')).toBe('black');
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-ceDefaultAlarmStart')).toBe('PT30M');
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-ceFontFace')).toBe('serif');
    expect(tokenOf(answer, 'X-NSCP-WCAP-PREF-mail')).toBe('alice@example.com');
    await matchGolden(answer, `set_userprefs.${f.ext}`);
  });

  it.each(FORMATS)('set_userprefs.wcap ($ext): 44 for a preference the user may not set, 26 for a malformed one', async (f) => {
    const refused = await g.get('set_userprefs', `id=${sid}&set_attrs=${enc('mail=x@example.org')}&fmt-out=${f.fmtOut}`);
    checkAnswer(refused, f, 44);
    await matchGolden(refused, `set_userprefs.errno-44.${f.ext}`);
    const malformed = await g.get('set_userprefs', `id=${sid}&add_attrs=ceBgcolor&fmt-out=${f.fmtOut}`);
    checkAnswer(malformed, f, 26);
    await matchGolden(malformed, `set_userprefs.errno-26.${f.ext}`);
  });

  it.each(FORMATS)("search_calprops.wcap ($ext): finds bob's calendar in the home the server shares", async (f) => {
    const answer = await g.get('search_calprops', `id=${sid}&search-string=team&name=1&calid=1&primaryOwner=1&searchOpts=0&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    expect(blocks(answer, 1)).toEqual([['bob:team', 0]]);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-PRIMARY-OWNER')).toBe('bob');
    await matchGolden(answer, `search_calprops.other-home.${f.ext}`);
  });

  it.each(FORMATS)('change_password.wcap and addlink.wcap ($ext): 27 and 12 with the reason', async (f) => {
    const password = await g.get('change_password', `id=${sid}&oldPassword=a&newPassword=secret-new&fmt-out=${f.fmtOut}`);
    checkAnswer(password, f, 27);
    expect(tokenOf(password, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toMatch(/CalDAV server's identity store/);
    expect(password.body).not.toContain('secret-new');
    await matchGolden(password, `change_password.${f.ext}`);
    const link = await g.get('addlink', `id=${sid}&srcCal=bob&destCal=alice&uid=x&rid=0&fmt-out=${f.fmtOut}`);
    checkAnswer(link, f, 12);
    expect(tokenOf(link, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toMatch(/withdrawn in WCAP 6/);
    await matchGolden(link, `addlink.${f.ext}`);
  });
});

describe('golden: the administrative group', () => {
  let g: GoldenGateway;
  let shutdowns = 0;
  const admin = async (command: string, query: string, token = TOKEN): Promise<GoldenAnswer> => {
    const app = createAdminApp({
      logger: createLogger('silent'),
      token: TOKEN,
      limits: g.deps.limits,
      admin: {
        sessionCount: () => g.deps.sessions.count(),
        sessionsOf: (user, limit) => g.deps.sessions.sessionsOf(user, limit),
        logoutUser: (user) => g.deps.sessions.deleteForUser(user),
        refreshCaches: () => g.deps.calendars.clearCaches(),
        shutdown: () => void (shutdowns += 1),
      },
    });
    const res = await app.request(`${GATEWAY_URL}${command}.wcap?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.text() };
  };
  beforeAll(async () => {
    g = buildGoldenGateway();
    await g.login('alice');
    await g.login('alice');
    await g.login('bob');
  });

  it.each(FORMATS)('get_session.wcap ($ext): count and times of a user\'s sessions, no ids', async (f) => {
    const answer = await admin('get_session', `userid=alice&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-WCAP-SESSION-COUNT')).toBe('2');
    expect(normalise(answer.body)).not.toContain('SESSIONID');
    await expect(answer.body).toMatchFileSnapshot(`./__golden__/get_session.${f.ext}`);
  });

  it.each(FORMATS)('refresh.wcap and shutdown.wcap ($ext): errno 0', async (f) => {
    const before = shutdowns;
    const refresh = await admin('refresh', `fmt-out=${f.fmtOut}`);
    checkAnswer(refresh, f, 0);
    await expect(refresh.body).toMatchFileSnapshot(`./__golden__/refresh.${f.ext}`);
    const shutdown = await admin('shutdown', `fmt-out=${f.fmtOut}`);
    checkAnswer(shutdown, f, 0);
    expect(shutdowns).toBe(before + 1);
  });

  it.each(FORMATS)('admin_logout.wcap ($ext) without userid: 46; a wrong token: HTTP 401, errno 76', async (f) => {
    const missing = await admin('admin_logout', `fmt-out=${f.fmtOut}`);
    checkAnswer(missing, f, 46);
    await expect(missing.body).toMatchFileSnapshot(`./__golden__/admin_logout.errno-46.${f.ext}`);
    const refused = await admin('get_session', `fmt-out=${f.fmtOut}`, 'not-the-token');
    expect(refused.status).toBe(401);
    await expect(refused.body).toMatchFileSnapshot(`./__golden__/get_session.errno-76.${f.ext}`);
  });

  it.each([
    ['get_session', 'userid=alice', undefined, 'get_session'],
    ['refresh', '', undefined, 'refresh'],
    ['admin_logout', '', undefined, 'admin_logout.errno-46'],
    ['get_session', '', 'not-the-token', 'get_session.errno-76'],
  ] as const)('%s.wcap %s in text/js and text/json: the text/calendar and text/xml answers, read back', async (command, query, token, golden) => {
    const as = async (fmtOut: string) => admin(command, `${query}&fmt-out=${fmtOut}`, token);
    const [ics, js, xml, json] = await Promise.all(['text%2Fcalendar', 'text%2Fjs', 'text%2Fxml', 'text%2Fjson'].map(as));
    expect(js!.contentType).toBe('text/html; charset=UTF-8');
    checkJsAgainstIcs(js!.body, ics!.body, { command });
    expect(js!.body).toContain(`parent.Cal${command}Callback(window.name)`);
    await expect(js!.body).toMatchFileSnapshot(`./__golden__/${golden}.js`);
    expect(json!.contentType).toBe('text/json; charset=UTF-8');
    expect(JSON.parse(json!.body)).toEqual(xmlAsJson(xml!.body));
    await expect(json!.body).toMatchFileSnapshot(`./__golden__/${golden}.json`);
  });
});
