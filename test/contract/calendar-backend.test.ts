import { randomUUID } from 'node:crypto';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CalendarBackend, UserHome } from '../../src/backend/calendar-backend.js';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import type { ComponentType } from '../../src/model/calendar.js';
import { GatewayError } from '../../src/model/errors.js';
import type { BackendCredentials } from '../../src/model/session.js';
import { MemoryBackend } from '../support/memory-backend.js';

/**
 * One contract for every CalendarBackend: the in-memory fake and CalDavBackend against the real
 * Radicale and Xandikos started by the global setup. All tests share one server of each, so every
 * calendar and UID is unique per test. What a server cannot do at all (Xandikos 0.2.8 has no
 * authentication and one home for everyone) is stated by its traits and asserted as such.
 */

interface SeenRequest {
  method: string;
  url: string;
  depth: string | null;
  authorized: boolean;
  timed: boolean;
}

function recordingFetch(seen: SeenRequest[]): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      method: init?.method ?? 'GET',
      url: String(input),
      depth: headers.get('depth'),
      authorized: headers.get('authorization')?.startsWith('Basic ') ?? false,
      timed: init?.signal instanceof AbortSignal,
    });
    return fetch(input, init);
  };
}

const users = () => Object.entries(inject('testUsers'));
const credentialsOf = (index: number): BackendCredentials => {
  const [user, password] = users()[index]!;
  return { user, password };
};

const CRLF = '\r\n';

function vcalendar(components: string[], timezones: string[] = []): string {
  const zones = timezones.map((tz) => getVtimezoneComponent(tz)!.replace(/\r?\n/g, CRLF).trimEnd());
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//wcap-gateway//contract test//EN', ...zones, ...components, 'END:VCALENDAR', ''].join(CRLF);
}

function vevent(uid: string, lines: string[]): string {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'SUMMARY:contract test', ...lines, 'END:VEVENT'].join(CRLF);
}

function vtodo(uid: string, lines: string[]): string {
  return ['BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'SUMMARY:contract todo', ...lines, 'END:VTODO'].join(CRLF);
}

const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const utc = (iso: string) => new Date(iso);

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return err instanceof GatewayError ? err.kind : `not a GatewayError: ${String(err)}`;
  }
}

/** What a server does beyond plain storage. */
interface Traits {
  /**
   * Checks credentials and gives each user a home of their own named after them, with other users'
   * calendars forbidden (Radicale with owner-only rights). Xandikos 0.2.8 accepts any credentials
   * and shows everyone the same home.
   */
  usersApart: boolean;
  /** Refuses a text value holding a bare CR (Radicale's vobject does; Xandikos 0.2.8 stores it). */
  refusesBareCr: boolean;
  /**
   * A sync token names one calendar's state, so another calendar's token is refused (RFC 6578 §3.2).
   * Xandikos 0.2.8's token is a git tree id, which names content wherever it is: another calendar's
   * token is taken as a state this one could have had, and the answer is the difference from it.
   */
  tokensNameCalendar: boolean;
  /** Keeps calendar-description and calendar-timezone given at MKCALENDAR (Xandikos 0.2.8 refuses both). */
  keepsCalendarProps: boolean;
}

const implementations: Array<[string, (seen: SeenRequest[]) => CalendarBackend, Traits]> = [
  ['MemoryBackend', () => new MemoryBackend({ users: inject('testUsers') }), { usersApart: true, refusesBareCr: true, tokensNameCalendar: true, keepsCalendarProps: true }],
  [
    'CalDavBackend on Radicale',
    (seen) => new CalDavBackend({ serverUrl: inject('radicaleUrl'), timeoutMs: 10_000, fetch: recordingFetch(seen) }),
    { usersApart: true, refusesBareCr: true, tokensNameCalendar: true, keepsCalendarProps: true },
  ],
  [
    'CalDavBackend on Xandikos',
    (seen) => new CalDavBackend({ serverUrl: inject('xandikosUrl'), timeoutMs: 10_000, fetch: recordingFetch(seen) }),
    { usersApart: false, refusesBareCr: false, tokensNameCalendar: false, keepsCalendarProps: false },
  ],
];

describe.each(implementations)('CalendarBackend contract: %s', (_name, makeBackend, traits) => {
  /**
   * A test of what only a server that keeps users apart can do (see Traits); on the others it does
   * not exist, and 'has no authentication' below asserts what they do instead.
   */
  const itApart = (name: string, test: () => unknown) => {
    if (traits.usersApart) it(name, test);
  };
  const seen: SeenRequest[] = [];
  let backend: CalendarBackend;
  let alice: BackendCredentials;
  let bob: BackendCredentials;
  let home: UserHome;
  let bobHome: UserHome;

  beforeAll(async () => {
    backend = makeBackend(seen);
    alice = credentialsOf(0);
    bob = credentialsOf(1);
    home = await backend.discoverHome(alice);
    bobHome = await backend.discoverHome(bob);
  });

  /** URL of calendar `name` in alice's home (as calendarUrl builds it for her own calendars). */
  const own = (name: string) => `${home.calendarHomeUrl}${encodeURIComponent(name)}/`;

  /** A fresh calendar of alice's. */
  async function newCalendar(): Promise<string> {
    const url = own(uniqueName('cal'));
    await backend.createCalendar(alice, url, {});
    return url;
  }

  describe('login and addressing', () => {
    itApart('discovers a home per user that ends with "/" and names the user', () => {
      expect(home.calendarHomeUrl).toMatch(/\/$/);
      expect(home.calendarHomeUrl).toContain(`/${alice.user}/`);
      expect(home.principalUrl).toMatch(/^https?:\/\//);
      expect(bobHome.calendarHomeUrl).not.toBe(home.calendarHomeUrl);
    });

    itApart('rejects a wrong password and an unknown user as unauthorized', async () => {
      expect(await kindOf(backend.discoverHome({ user: alice.user, password: `${alice.password}-wrong` }))).toBe('unauthorized');
      expect(await kindOf(backend.discoverHome({ user: `nobody-${randomUUID()}`, password: 'x' }))).toBe('unauthorized');
    });

    itApart('builds calendar URLs inside the own home and in sibling homes, encoding names', () => {
      expect(backend.calendarUrl(home, alice.user, 'work')).toBe(`${home.calendarHomeUrl}work/`);
      expect(backend.calendarUrl(home, alice.user, 'a b ü')).toBe(`${home.calendarHomeUrl}a%20b%20%C3%BC/`);
      expect(backend.calendarUrl(home, bob.user, 'calendar')).toBe(`${bobHome.calendarHomeUrl}calendar/`);
    });

    it('refuses names that would leave the home', () => {
      expect(() => backend.calendarUrl(home, alice.user, '..')).toThrow(GatewayError);
      expect(() => backend.calendarUrl(home, alice.user, 'a/b')).toThrow(GatewayError);
      expect(() => backend.calendarUrl(home, '..', 'calendar')).toThrow(GatewayError);
    });
  });

  if (!traits.usersApart) {
    it('has no authentication: any credentials see the same home, and nothing is forbidden', async () => {
      expect(home.calendarHomeUrl).toMatch(/\/$/);
      expect(bobHome).toEqual(home);
      expect(await backend.discoverHome({ user: `nobody-${randomUUID()}`, password: 'x' })).toEqual(home);
      const url = await newCalendar();
      expect(await backend.getCalendar({ user: bob.user, password: 'wrong' }, url)).toMatchObject({ url });
    });
  }

  describe('calendars', () => {
    it('creates a calendar and reads back its properties', async () => {
      const name = uniqueName('props');
      const url = own(name);
      const created = await backend.createCalendar(alice, url, {
        displayName: '2024 <Team> & "Friends"',
        description: 'line one\nline two',
        timezone: 'Europe/Berlin',
      });
      const read = await backend.getCalendar(alice, url);
      for (const info of [created, read]) {
        expect(info).toMatchObject({
          url,
          // The owner is read from the URL in Radicale's layout; Xandikos has one home for everyone.
          ...(traits.usersApart ? { owner: alice.user } : {}),
          name,
          displayName: '2024 <Team> & "Friends"',
          ...(traits.keepsCalendarProps ? { description: 'line one\nline two', timezone: 'Europe/Berlin' } : {}),
        });
        // What the server did not keep is not claimed either.
        if (!traits.keepsCalendarProps) expect(info).not.toHaveProperty('timezone');
        expect(info?.componentTypes).toEqual(expect.arrayContaining(['VEVENT', 'VTODO']));
      }
    });

    it("answers 'exists' when the calendar is taken", async () => {
      const url = await newCalendar();
      expect(await kindOf(backend.createCalendar(alice, url, { displayName: 'again' }))).toBe('exists');
    });

    it("answers 'invalid' for an unknown time zone", async () => {
      const url = own(uniqueName('tz'));
      expect(await kindOf(backend.createCalendar(alice, url, { timezone: 'Mars/Olympus_Mons' }))).toBe('invalid');
      expect(await backend.getCalendar(alice, url)).toBeNull();
    });

    it('returns null for a missing calendar and for the home, which is not a calendar', async () => {
      expect(await backend.getCalendar(alice, own(uniqueName('missing')))).toBeNull();
      expect(await backend.getCalendar(alice, home.calendarHomeUrl)).toBeNull();
    });

    itApart("answers 'forbidden' for another user's calendars, existing or not", async () => {
      const url = await newCalendar();
      expect(await kindOf(backend.getCalendar(bob, url))).toBe('forbidden');
      expect(await kindOf(backend.getCalendar(bob, backend.calendarUrl(bobHome, alice.user, uniqueName('x'))))).toBe('forbidden');
      expect(await kindOf(backend.createCalendar(bob, backend.calendarUrl(bobHome, alice.user, uniqueName('x')), {}))).toBe('forbidden');
      expect(await kindOf(backend.listCalendars(bob, home))).toBe('forbidden');
    });

    itApart('lists the calendars of the own home only', async () => {
      const a = await newCalendar();
      const b = await newCalendar();
      const bobs = backend.calendarUrl(bobHome, bob.user, uniqueName('bob'));
      await backend.createCalendar(bob, bobs, { displayName: 'Bob' });
      const listed = (await backend.listCalendars(alice, home)).map((c) => c.url);
      expect(listed).toEqual(expect.arrayContaining([a, b]));
      expect(listed).not.toContain(bobs);
      expect(listed).not.toContain(home.calendarHomeUrl);
      expect((await backend.listCalendars(bob, bobHome)).map((c) => c.url)).toContain(bobs);
    });
  });

  describe('objects', () => {
    let cal: string;
    beforeAll(async () => {
      cal = await newCalendar();
    });

    it('creates an object and reads it back with the same version', async () => {
      const uid = `uid-${randomUUID()}`;
      const created = await backend.createObject(alice, cal, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z', 'DTEND:20240110T110000Z'])]));
      expect(created.url).toBe(`${cal}${uid}.ics`);
      expect(created.version).not.toBe('');
      const read = await backend.getObject(alice, created.url);
      expect(read?.version).toBe(created.version);
      expect(read?.ical).toContain(`UID:${uid}`);
      expect(read?.ical).toContain('SUMMARY:contract test');
    });

    it('stores odd UIDs under a hashed, plain resource name', async () => {
      const uid = `odd/uid with spaces ü ${randomUUID()}`;
      const created = await backend.createObject(alice, cal, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]));
      expect(created.url.slice(cal.length)).toMatch(/^[0-9a-f]{64}\.ics$/);
      expect((await backend.getObject(alice, created.url))?.ical).toContain('ü');
      expect((await backend.findByUid(alice, cal, uid))?.url).toBe(created.url);
    });

    it("answers 'exists' for a second create with the same UID, at the same or another name", async () => {
      const uid = `dup-${randomUUID()}`;
      const ical = vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]);
      await backend.createObject(alice, cal, uid, ical);
      expect(await kindOf(backend.createObject(alice, cal, uid, ical))).toBe('exists');
      // Same UID inside, different resource name: Radicale's no-uid-conflict.
      expect(await kindOf(backend.createObject(alice, cal, `other-${randomUUID()}`, ical))).toBe('exists');
    });

    it("answers 'invalid' for data the server refuses, without leaking the password", async () => {
      const uid = `bad-${randomUUID()}`;
      const bareCr = vcalendar([vevent(uid, ['DTSTART:20240110T100000Z', 'DESCRIPTION:a\rb'])]);
      const broken = traits.refusesBareCr ? bareCr : 'BEGIN:VCALENDAR\r\nnonsense\r\n';
      const error = await backend.createObject(alice, cal, uid, broken).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).kind).toBe('invalid');
      expect((error as GatewayError).message).not.toContain(alice.password);
      expect(await kindOf(backend.createObject(alice, cal, uid, 'BEGIN:VCALENDAR\r\nnonsense\r\n'))).toBe('invalid');
    });

    it("answers 'not-found' when creating in a missing calendar", async () => {
      const missing = own(uniqueName('gone'));
      const uid = `nf-${randomUUID()}`;
      expect(await kindOf(backend.createObject(alice, missing, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])])))).toBe('not-found');
    });

    it('updates with the current version and refuses a stale one', async () => {
      const uid = `upd-${randomUUID()}`;
      const v1 = await backend.createObject(alice, cal, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]));
      const v2 = await backend.updateObject(alice, v1, vcalendar([vevent(uid, ['DTSTART:20240111T100000Z'])]));
      expect(v2.url).toBe(v1.url);
      expect(v2.version).not.toBe(v1.version);
      expect((await backend.getObject(alice, v1.url))?.version).toBe(v2.version);
      expect((await backend.getObject(alice, v1.url))?.ical).toContain('DTSTART:20240111T100000Z');
      expect(await kindOf(backend.updateObject(alice, v1, vcalendar([vevent(uid, ['DTSTART:20240112T100000Z'])])))).toBe('changed');
      expect((await backend.getObject(alice, v1.url))?.ical).toContain('DTSTART:20240111T100000Z');
    });

    it("deletes with the current version; stale is 'changed', gone is 'not-found' (and 'changed' on update)", async () => {
      const uid = `del-${randomUUID()}`;
      const v1 = await backend.createObject(alice, cal, uid, vcalendar([vtodo(uid, ['DUE:20240110T100000Z'])]));
      const v2 = await backend.updateObject(alice, v1, vcalendar([vtodo(uid, ['DUE:20240111T100000Z'])]));
      expect(await kindOf(backend.deleteObject(alice, v1))).toBe('changed');
      await backend.deleteObject(alice, v2);
      expect(await backend.getObject(alice, v2.url)).toBeNull();
      expect(await kindOf(backend.deleteObject(alice, v2))).toBe('not-found');
      expect(await kindOf(backend.updateObject(alice, v2, vcalendar([vtodo(uid, [])])))).toBe('changed');
    });

    it('returns null for a missing object', async () => {
      expect(await backend.getObject(alice, `${cal}missing-${randomUUID()}.ics`)).toBeNull();
    });

    itApart("answers 'forbidden' when another user touches the objects", async () => {
      const uid = `priv-${randomUUID()}`;
      const obj = await backend.createObject(alice, cal, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]));
      expect(await kindOf(backend.getObject(bob, obj.url))).toBe('forbidden');
      expect(await kindOf(backend.queryRange(bob, cal, ['VEVENT'], {}))).toBe('forbidden');
      expect(await kindOf(backend.findByUid(bob, cal, uid))).toBe('forbidden');
      expect(await kindOf(backend.createObject(bob, cal, `b-${uid}`, vcalendar([vevent(`b-${uid}`, ['DTSTART:20240110T100000Z'])])))).toBe('forbidden');
      expect(await kindOf(backend.updateObject(bob, obj, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])])))).toBe('forbidden');
      expect(await kindOf(backend.deleteObject(bob, obj))).toBe('forbidden');
      expect(await backend.getObject(alice, obj.url)).not.toBeNull();
    });

    itApart("answers 'unauthorized' for a wrong password on any call", async () => {
      const wrong = { user: alice.user, password: 'definitely-wrong' };
      expect(await kindOf(backend.getCalendar(wrong, cal))).toBe('unauthorized');
      expect(await kindOf(backend.queryRange(wrong, cal, ['VEVENT'], {}))).toBe('unauthorized');
      expect(await kindOf(backend.getObject(wrong, `${cal}x.ics`))).toBe('unauthorized');
    });
  });

  describe('finding by UID', () => {
    let cal: string;
    const base = `find-${randomUUID()}`;
    beforeAll(async () => {
      cal = await newCalendar();
      await backend.createObject(alice, cal, `${base}-1`, vcalendar([vevent(`${base}-1`, ['DTSTART:20240110T100000Z'])]));
      await backend.createObject(alice, cal, `${base}-10`, vcalendar([vevent(`${base}-10`, ['DTSTART:20240110T100000Z'])]));
      await backend.createObject(alice, cal, `${base}-1`.toUpperCase(), vcalendar([vevent(`${base}-1`.toUpperCase(), ['DTSTART:20240110T100000Z'])]));
      await backend.createObject(alice, cal, `${base}-todo`, vcalendar([vtodo(`${base}-todo`, ['DUE:20240110T100000Z'])]));
    });

    it('finds exactly the UID asked for, not one containing it or differing in case', async () => {
      const found = await backend.findByUid(alice, cal, `${base}-1`);
      expect(found?.url).toBe(`${cal}${base}-1.ics`);
      expect(found?.ical).toContain(`UID:${base}-1\r\n`);
      expect((await backend.findByUid(alice, cal, `${base}-1`.toUpperCase()))?.url).toBe(`${cal}${base}-1.ics`.replace(`${base}-1`, `${base}-1`.toUpperCase()));
    });

    it('finds todos as well as events, and returns null for an unknown UID', async () => {
      expect((await backend.findByUid(alice, cal, `${base}-todo`))?.ical).toContain('BEGIN:VTODO');
      expect(await backend.findByUid(alice, cal, `${base}-nope`)).toBeNull();
      expect(await backend.findByUid(alice, cal, base)).toBeNull();
    });

    it('returns the version the object has', async () => {
      const found = await backend.findByUid(alice, cal, `${base}-10`);
      expect(found?.version).toBe((await backend.getObject(alice, found!.url))?.version);
    });
  });

  describe('time ranges', () => {
    let cal: string;
    const id = randomUUID().slice(0, 8);
    const uid = (name: string) => `${name}-${id}`;
    beforeAll(async () => {
      cal = await newCalendar();
      const put = (name: string, component: string, zones: string[] = []) =>
        backend.createObject(alice, cal, uid(name), vcalendar([component], zones));
      await put('jan10', vevent(uid('jan10'), ['DTSTART:20240110T100000Z', 'DTEND:20240110T110000Z']));
      await put('mar01', vevent(uid('mar01'), ['DTSTART:20240301T100000Z', 'DURATION:PT1H']));
      await put('weekly', vevent(uid('weekly'), ['DTSTART:20240105T090000Z', 'DTEND:20240105T100000Z', 'RRULE:FREQ=WEEKLY']));
      await put('allday', vevent(uid('allday'), ['DTSTART;VALUE=DATE:20240215', 'DTEND;VALUE=DATE:20240216']));
      await put('berlin', vevent(uid('berlin'), ['DTSTART;TZID=Europe/Berlin:20240710T100000', 'DTEND;TZID=Europe/Berlin:20240710T110000']), ['Europe/Berlin']);
      await put('todo', vtodo(uid('todo'), ['DTSTART:20240110T120000Z', 'DUE:20240111T120000Z']));
    });

    const names = async (types: ComponentType[], start?: string, end?: string) => {
      const range = { ...(start ? { start: utc(start) } : {}), ...(end ? { end: utc(end) } : {}) };
      const objects = await backend.queryRange(alice, cal, types, range);
      return objects.map((o) => o.url.slice(cal.length).replace(`-${id}.ics`, '')).sort();
    };

    it('returns the events overlapping a range, with URL, version and data', async () => {
      expect(await names(['VEVENT'], '2024-01-10T00:00:00Z', '2024-01-11T00:00:00Z')).toEqual(['jan10']);
      expect(await names(['VEVENT'], '2024-01-12T09:30:00Z', '2024-01-12T09:31:00Z')).toEqual(['weekly']);
      const [object] = await backend.queryRange(alice, cal, ['VEVENT'], { start: utc('2024-03-01T10:30:00Z'), end: utc('2024-03-01T10:45:00Z') });
      expect(object?.url).toBe(`${cal}${uid('mar01')}.ics`);
      expect(object?.version).toBe((await backend.getObject(alice, object!.url))?.version);
      expect(object?.ical).toContain(`UID:${uid('mar01')}`);
    });

    it('treats the range as half-open and honours event ends', async () => {
      expect(await names(['VEVENT'], '2024-01-10T11:00:00Z', '2024-01-10T12:00:00Z')).toEqual([]);
      expect(await names(['VEVENT'], '2024-01-10T09:00:00Z', '2024-01-10T10:00:00Z')).toEqual([]);
      expect(await names(['VEVENT'], '2024-01-10T10:59:59Z', '2024-01-10T12:00:00Z')).toEqual(['jan10']);
    });

    it('matches a recurring series in a later window, all-day events and zoned times', async () => {
      expect(await names(['VEVENT'], '2024-09-13T00:00:00Z', '2024-09-14T00:00:00Z')).toEqual(['weekly']);
      expect(await names(['VEVENT'], '2024-02-15T12:00:00Z', '2024-02-15T13:00:00Z')).toEqual(['allday']);
      // 10:00 Berlin summer time is 08:00Z.
      expect(await names(['VEVENT'], '2024-07-10T08:30:00Z', '2024-07-10T08:45:00Z')).toEqual(['berlin']);
      expect(await names(['VEVENT'], '2024-07-10T09:00:00Z', '2024-07-10T10:00:00Z')).toEqual([]);
    });

    it('filters by component type; both types give the union', async () => {
      expect(await names(['VTODO'], '2024-01-10T00:00:00Z', '2024-01-11T00:00:00Z')).toEqual(['todo']);
      expect(await names(['VEVENT', 'VTODO'], '2024-01-10T00:00:00Z', '2024-01-11T00:00:00Z')).toEqual(['jan10', 'todo']);
      expect(await names([], '2024-01-10T00:00:00Z', '2024-01-11T00:00:00Z')).toEqual([]);
    });

    it('supports open bounds', async () => {
      expect(await names(['VEVENT'], undefined, '2024-01-06T00:00:00Z')).toEqual(['weekly']);
      expect(await names(['VEVENT'], '2024-06-01T00:00:00Z')).toEqual(['berlin', 'weekly']);
      expect(await names(['VEVENT'])).toEqual(['allday', 'berlin', 'jan10', 'mar01', 'weekly']);
      expect(await names(['VEVENT', 'VTODO'])).toEqual(['allday', 'berlin', 'jan10', 'mar01', 'todo', 'weekly']);
    });

    it("answers 'not-found' for a missing calendar", async () => {
      const missing = own(uniqueName('none'));
      expect(await kindOf(backend.queryRange(alice, missing, ['VEVENT'], {}))).toBe('not-found');
    });
  });

  describe('changes since a sync token', () => {
    let cal: string;
    const id = randomUUID().slice(0, 8);
    const uid = (name: string) => `${name}-${id}`;
    const put = (name: string, lines: string[]) => backend.createObject(alice, cal, uid(name), vcalendar([vevent(uid(name), lines)]));
    // A fresh calendar holding the same two objects for every test: the tests below add and delete.
    beforeEach(async () => {
      cal = await newCalendar();
      await put('kept', ['DTSTART:20240110T100000Z']);
      await backend.createObject(alice, cal, uid('task'), vcalendar([vtodo(uid('task'), ['DUE:20240110T100000Z'])]));
    });

    it('lists every object with version and data on an initial sync, and no deletions', async () => {
      const initial = await backend.syncChanges(alice, cal, undefined);
      expect(initial.token).not.toBe('');
      expect(initial.deleted).toEqual([]);
      expect(initial.changed.map((o) => o.url).sort()).toEqual([`${cal}${uid('kept')}.ics`, `${cal}${uid('task')}.ics`]);
      for (const object of initial.changed) {
        expect(object.version).toBe((await backend.getObject(alice, object.url))?.version);
        expect(object.ical).toMatch(/BEGIN:V(EVENT|TODO)/);
      }
    });

    it('reports nothing, and keeps the token, when nothing changed', async () => {
      const { token } = await backend.syncChanges(alice, cal, undefined);
      expect(await backend.syncChanges(alice, cal, token)).toEqual({ token, changed: [], deleted: [] });
    });

    it('reports created and changed objects with their data, and the URLs of deleted ones', async () => {
      const { token } = await backend.syncChanges(alice, cal, undefined);
      const created = await put('created', ['DTSTART:20240111T100000Z']);
      const doomed = await backend.findByUid(alice, cal, uid('task'));
      await backend.deleteObject(alice, doomed!);
      const kept = (await backend.getObject(alice, `${cal}${uid('kept')}.ics`))!;
      const updated = await backend.updateObject(alice, kept, vcalendar([vevent(uid('kept'), ['DTSTART:20240112T100000Z'])]));
      const changes = await backend.syncChanges(alice, cal, token);
      expect(changes.token).not.toBe(token);
      expect(changes.deleted).toEqual([doomed!.url]);
      const byUrl = new Map(changes.changed.map((o) => [o.url, o]));
      expect([...byUrl.keys()].sort()).toEqual([created.url, updated.url].sort());
      expect(byUrl.get(updated.url)?.version).toBe(updated.version);
      expect(byUrl.get(updated.url)?.ical).toContain('DTSTART:20240112T100000Z');
      expect(byUrl.get(created.url)?.ical).toContain(`UID:${uid('created')}`);
      // The new token starts from here.
      expect(await backend.syncChanges(alice, cal, changes.token)).toEqual({ token: changes.token, changed: [], deleted: [] });
    });

    it("refuses a token it did not issue for this calendar with 'changed'", async () => {
      const { token } = await backend.syncChanges(alice, cal, undefined);
      const other = await newCalendar();
      const otherToken = (await backend.syncChanges(alice, other, undefined)).token;
      await put(`after-${randomUUID().slice(0, 4)}`, ['DTSTART:20240113T100000Z']);
      expect(await kindOf(backend.syncChanges(alice, cal, `${token}x`))).toBe('changed');
      if (traits.tokensNameCalendar) {
        expect(await kindOf(backend.syncChanges(alice, cal, otherToken))).toBe('changed');
      } else {
        // From the other (empty) calendar's state, everything here is new: nothing is lost.
        const changes = await backend.syncChanges(alice, cal, otherToken);
        expect(changes.changed.length).toBe(3);
        expect(changes.deleted).toEqual([]);
      }
    });

    it("answers 'not-found' for a missing calendar", async () => {
      const missing = own(uniqueName('nosync'));
      expect(await kindOf(backend.syncChanges(alice, missing, undefined))).toBe('not-found');
    });

    itApart("answers 'forbidden' and 'unauthorized' like the other calls", async () => {
      expect(await kindOf(backend.syncChanges(bob, cal, undefined))).toBe('forbidden');
      const { token } = await backend.syncChanges(alice, cal, undefined);
      expect(await kindOf(backend.syncChanges({ user: alice.user, password: 'wrong' }, cal, token))).toBe('unauthorized');
    });
  });

  // After every test, whatever the order: each request it made (CalDAV only) carried Basic auth and
  // a timeout, and PROPFIND Depth 1 went to homes only.
  afterEach(() => {
    const made = seen.splice(0);
    expect(made.every((r) => r.authorized && r.timed)).toBe(true);
    const depthOne = new Set(made.filter((r) => r.method === 'PROPFIND' && r.depth !== '0').map((r) => r.url));
    for (const url of depthOne) expect([home.calendarHomeUrl, bobHome.calendarHomeUrl]).toContain(url);
  });
});

describe('CalDavBackend request budget on Radicale', () => {
  it('uses the documented number of requests per call and never PROPFINDs a calendar with Depth 1', async () => {
    const seen: SeenRequest[] = [];
    const backend = new CalDavBackend({ serverUrl: inject('radicaleUrl'), timeoutMs: 10_000, fetch: recordingFetch(seen) });
    const alice = credentialsOf(0);
    const requestsOf = async (call: () => Promise<unknown>): Promise<SeenRequest[]> => {
      const before = seen.length;
      await call();
      return seen.slice(before);
    };
    const count = async (call: () => Promise<unknown>) => (await requestsOf(call)).length;

    let home: UserHome | undefined;
    const discovery = await requestsOf(async () => {
      home = await backend.discoverHome(alice);
    });
    expect(discovery.length).toBeLessThanOrEqual(2);
    expect(discovery.every((r) => r.method === 'PROPFIND' && r.depth === '0')).toBe(true);

    const cal = backend.calendarUrl(home!, alice.user, uniqueName('budget'));
    expect(await count(() => backend.createCalendar(alice, cal, { displayName: 'Budget', timezone: 'Europe/Berlin' }))).toBe(1);
    expect(await count(() => backend.getCalendar(alice, cal))).toBe(1);
    const listing = await requestsOf(() => backend.listCalendars(alice, home!));
    expect(listing).toEqual([expect.objectContaining({ method: 'PROPFIND', depth: '1', url: home!.calendarHomeUrl })]);

    const uid = `budget-${randomUUID()}`;
    let object = await backend.createObject(alice, cal, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]));
    expect(seen.at(-1)).toMatchObject({ method: 'PUT' });
    const range = { start: utc('2024-01-01T00:00:00Z'), end: utc('2024-02-01T00:00:00Z') };
    // Until a series shows that the server's time-range expands recurrences, a bounded query also
    // asks for the recurring masters (one more REPORT per type); a series that began before the
    // window settles it.
    const series = `budget-series-${randomUUID()}`;
    await backend.createObject(alice, cal, series, vcalendar([vevent(series, ['DTSTART:20231201T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY'])]));
    expect(await count(() => backend.queryRange(alice, cal, ['VEVENT'], range))).toBe(2);
    expect(backend.serverCapabilities().timeRangeExpandsRecurrences).toBe(true);
    expect(await requestsOf(() => backend.queryRange(alice, cal, ['VEVENT'], range))).toEqual([
      expect.objectContaining({ method: 'REPORT', depth: '1', url: cal }),
    ]);
    expect(await count(() => backend.queryRange(alice, cal, ['VTODO'], { end: range.end }))).toBe(1);
    // RFC 4791 ANDs sibling comp-filters: both types with a bound need one REPORT each.
    expect(await count(() => backend.queryRange(alice, cal, ['VEVENT', 'VTODO'], range))).toBe(2);
    expect(await count(() => backend.queryRange(alice, cal, ['VEVENT', 'VTODO'], {}))).toBe(1);
    expect(await count(() => backend.findByUid(alice, cal, uid, ['VEVENT']))).toBe(1);
    expect(await count(() => backend.findByUid(alice, cal, uid))).toBe(2);
    expect(await count(() => backend.getObject(alice, object.url))).toBe(1);
    expect(
      await count(async () => {
        object = await backend.updateObject(alice, object, vcalendar([vevent(uid, ['DTSTART:20240111T100000Z'])]));
      }),
    ).toBe(1);
    expect(await count(() => backend.deleteObject(alice, object))).toBe(1);
    const sync = await requestsOf(() => backend.syncChanges(alice, cal, undefined));
    expect(sync).toEqual([expect.objectContaining({ method: 'REPORT', depth: '0', url: cal })]);

    expect(seen.every((r) => r.authorized && r.timed)).toBe(true);
    const depthOne = seen.filter((r) => r.method === 'PROPFIND' && r.depth !== '0');
    expect(depthOne.map((r) => r.url)).toEqual([home!.calendarHomeUrl]);
  });
});
