import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, xmlValue, type WcapAnswer } from '../support/gateway-harness.js';
import { elementsByTagName, textContent } from '../support/parse-xml.js';
import { calendarsInHome, servers, startServerSuite, type ServerSuite } from '../support/server-suite.js';

/**
 * One user's own calendar through the gateway, on every CalDAV server of test/support/test-servers.ts
 * with nothing but its URL configured: login and the set-up calls, events in a zone, all-day events,
 * tasks, a daily series with exceptions, range fetches, fetch by id, free/busy. Everything written
 * is read back directly from the server.
 */
const USER = 'wendy';
const STORE_TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';
const BERLIN = enc('Europe/Berlin');

describe.each(servers().map((s) => [s.name, s] as const))('%s: own calendar through the gateway', (name, server) => {
  let s: ServerSuite;
  let id: string;
  beforeAll(async () => {
    s = await startServerSuite(server);
    id = await s.login(USER);
  });
  afterAll(() => s.h.close());

  const store = (cmd: string, params: string) => s.h.wcap(cmd, `appid=mozilla-calendar&id=${id}${params}&${STORE_TAIL}&calid=${USER}`);
  const stored = (uid: string) => s.readObject(USER, `${s.defaultPath(USER)}${uid}.ics`);
  const line = (c: ICAL.Component, prop: string) => c.getAllProperties(prop).map((p) => p.toICALString());
  const uids = (answer: WcapAnswer, type = 'vevent') => answer.ical!.getAllSubcomponents(type).map((c) => String(c.getFirstPropertyValue('uid')));
  const range = (from: string, to: string, recurring: 0 | 1) =>
    s.h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}&component-type=event&dtstart=${from}&dtend=${to}&recurring=${recurring}&fmt-out=text%2Fcalendar`);

  it(`${name}: logs in, uses the server's default calendar and answers get_calprops and get_userprefs`, async () => {
    // The server's own default calendar is the user's calendar: no second one beside it.
    expect(await calendarsInHome(s, USER)).toEqual([server.defaultCalendar]);
    const props = await s.h.wcap('get_calprops', `id=${id}&calid=${USER}&fmt-out=text%2Fxml`);
    expect(props.errno).toBe(0);
    expect(xmlValue(props.xml!, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe(USER);
    expect(xmlValue(props.xml!, 'X-NSCP-CALPROPS-PRIMARY-OWNER')).toBe(USER);
    const prefs = await s.h.wcap('get_userprefs', `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fxml&userid=${USER}`);
    expect(prefs.errno).toBe(0);
    expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-icsCalendar')).toBe(USER);
    expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-mail')).toBe(`${USER}@example.com`);
  });

  it(`${name}: stores a timed event in a zone, an all-day event and a task where the server keeps them`, async () => {
    const [timed, allDay, task] = [randomUUID(), randomUUID(), randomUUID()];
    expect((await store('storeevents', `&dtstart=20310115T090000Z&dtend=20310115T100000Z&isAllDay=0&summary=Zoned&tzid=${BERLIN}&uid=${timed}&storetype=1`)).errno).toBe(0);
    expect((await store('storeevents', `&dtstart=20310116T000000Z&dtend=20310117T000000Z&isAllDay=1&summary=Holiday&uid=${allDay}&storetype=1`)).errno).toBe(0);
    expect((await s.h.wcap('storetodos', `appid=mozilla-calendar&id=${id}&dtstart=0&due=20310120T170000Z&summary=Report&uid=${task}&storetype=1&${STORE_TAIL}&calid=${USER}`)).errno).toBe(0);

    const event = (await stored(timed))!.getFirstSubcomponent('vevent')!;
    // 09:00Z in January is 10:00 in Berlin.
    expect(line(event, 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20310115T100000']);
    const day = (await stored(allDay))!.getFirstSubcomponent('vevent')!;
    expect(line(day, 'dtstart')).toEqual(['DTSTART;VALUE=DATE:20310116']);
    const todo = (await stored(task))!.getFirstSubcomponent('vtodo')!;
    expect(todo.getFirstPropertyValue('summary')).toBe('Report');
    expect(line(todo, 'due')[0]).toMatch(/^DUE.*:20310120T(170000Z|180000)$/);
  });

  it(`${name}: a daily series with one changed and one deleted occurrence, fetched by range and by id`, async () => {
    const uid = randomUUID();
    const rule = `${enc('"')}${enc('FREQ=DAILY;COUNT=10')}${enc('"')}`;
    expect((await store('storeevents', `&dtstart=20310301T080000Z&dtend=20310301T090000Z&summary=Daily&rrules=${rule}&tzid=${BERLIN}&uid=${uid}&storetype=1`)).errno).toBe(0);
    expect((await store('storeevents', `&summary=Changed&uid=${uid}&mod=1&rid=20310303T080000Z&storetype=2`)).errno).toBe(0);
    const deleted = await s.h.wcap('deleteevents_by_id', `id=${id}&uid=${uid}&mod=1&rid=20310305T080000Z&fmt-out=text%2Fxml&calid=${USER}`);
    expect(deleted.errno).toBe(0);

    const onServer = (await stored(uid))!.getAllSubcomponents('vevent');
    const master = onServer.find((e) => !e.hasProperty('recurrence-id'))!;
    expect(line(master, 'exdate')).toEqual(['EXDATE;TZID=Europe/Berlin:20310305T090000']);
    const override = onServer.find((e) => e.hasProperty('recurrence-id'))!;
    expect(override.getFirstPropertyValue('summary')).toBe('Changed');

    // A window that starts after the series began. recurring=0: its occurrences, expanded.
    const expanded = await range('20310302T000000Z', '20310307T000000Z', 0);
    expect(expanded.errno).toBe(0);
    const occurrences = expanded.ical!.getAllSubcomponents('vevent').filter((e) => e.getFirstPropertyValue('uid') === uid);
    const days = occurrences.map((e) => (e.getFirstPropertyValue('recurrence-id') as ICAL.Time).toJSDate().toISOString().slice(0, 10)).sort();
    expect(days).toEqual(['2031-03-02', '2031-03-03', '2031-03-04', '2031-03-06']);
    expect(occurrences.filter((e) => e.getFirstPropertyValue('summary') === 'Changed')).toHaveLength(1);

    // recurring=1: the series itself (rule, exception date, changed occurrence).
    const series = await range('20310306T000000Z', '20310307T000000Z', 1);
    expect(series.errno).toBe(0);
    const mine = series.ical!.getAllSubcomponents('vevent').filter((e) => e.getFirstPropertyValue('uid') === uid);
    expect(mine.find((e) => !e.hasProperty('recurrence-id'))?.hasProperty('rrule')).toBe(true);
    expect(mine.filter((e) => e.hasProperty('recurrence-id')).map((e) => e.getFirstPropertyValue('summary'))).toEqual(['Changed']);
    // After the series: nothing.
    expect(uids(await range('20310320T000000Z', '20310330T000000Z', 1))).not.toContain(uid);

    const byId = await s.h.wcap('fetchevents_by_id', `id=${id}&calid=${USER}&uid=${uid}&recurring=0&fmt-out=text%2Fcalendar`);
    expect(byId.errno).toBe(0);
    expect(new Set(uids(byId))).toEqual(new Set([uid]));
  });

  it(`${name}: free/busy of the own calendar from a series that began before the window`, async () => {
    const uid = randomUUID();
    const rule = `${enc('"')}${enc('FREQ=DAILY;COUNT=5')}${enc('"')}`;
    expect((await store('storeevents', `&dtstart=20310401T060000Z&dtend=20310401T070000Z&summary=Standup&rrules=${rule}&tzid=${BERLIN}&uid=${uid}&storetype=1`)).errno).toBe(0);
    const answer = await s.h.wcap('get_freebusy', `id=${id}&calid=${USER}&busyonly=1&dtstart=20310403T000000Z&dtend=20310404T000000Z&fmt-out=text%2Fxml`);
    expect(answer.errno).toBe(0);
    const periods = elementsByTagName(answer.xml!, 'FB').map((fb) => textContent(fb));
    expect(periods).toEqual(['20310403T060000Z/20310403T070000Z']);
  });

  it(`${name}: a wrong password is refused where the server authenticates (errno 1), and accepted where it cannot tell`, async () => {
    const answer = await s.h.wcap('login', `fmt-out=text%2Fcalendar&user=${USER}&password=definitely-wrong`);
    // Xandikos 0.2.8 takes any credentials: the gateway can only pass on what it is told.
    expect(answer.errno).toBe(server.limits.noAuthentication ? 0 : 1);
  });

  it(`${name}: preferences and calendar settings are kept on the server, or refused naming the property where it stores no dead properties`, async () => {
    const prefs = await s.h.wcap('set_userprefs', `id=${id}&set_attrs=${enc('ceBgcolor=black')}&fmt-out=text%2Fcalendar`);
    const settings = await s.h.wcap('set_calprops', `id=${id}&calid=${USER}&doublebooking=0&fmt-out=text%2Fxml`);
    const read = await s.h.wcap('get_userprefs', `id=${id}&fmt-out=text%2Fxml&userid=${USER}`);
    if (server.limits.noDeadProperties) {
      expect(prefs.errno).toBe(26);
      // The message line is folded (RFC 5545 §3.1).
      expect(prefs.body.replace(/\r\n /g, '')).toContain('does not store the gateway property user-preferences');
      expect(settings.errno).toBe(8);
      expect(settings.body).toContain('allow-double-booking');
      expect(xmlValue(read.xml!, 'X-NSCP-WCAP-PREF-ceBgcolor')).toBeUndefined();
      return;
    }
    expect([prefs.errno, settings.errno]).toEqual([0, 0]);
    expect(xmlValue(read.xml!, 'X-NSCP-WCAP-PREF-ceBgcolor')).toBe('black');
    expect(xmlValue(settings.xml!, 'X-S1CS-CALPROPS-ALLOW-DOUBLEBOOKING')).toBe('0');
    // Back as it was, for the other tests.
    expect((await s.h.wcap('set_calprops', `id=${id}&calid=${USER}&doublebooking=1&fmt-out=text%2Fxml`)).errno).toBe(0);
  });

  it(`${name}: logout ends the session`, async () => {
    const other = await s.login(USER);
    // WCAP answers a logout with -1.
    expect((await s.h.wcap('logout', `fmt-out=text%2Fxml&id=${other}`)).errno).toBe(-1);
    expect((await s.h.wcap('gettime', `id=${other}&fmt-out=text%2Fcalendar`)).errno).toBe(1);
  });
});
