import { randomUUID } from 'node:crypto';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CalendarBackend, UserHome } from '../../src/backend/calendar-backend.js';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import type { AccessEntry, ComponentType } from '../../src/model/calendar.js';
import { GatewayError } from '../../src/model/errors.js';
import type { BackendCredentials } from '../../src/model/session.js';
import { setCalendarAcl as setCyrusCalendarAcl } from '../support/cyrus.js';
import { MemoryBackend } from '../support/memory-backend.js';

/**
 * One contract for every CalendarBackend: the in-memory fake and CalDavBackend against the real
 * Radicale started by the global setup. All tests share one Radicale, so every calendar and UID is
 * unique per test.
 */

interface SeenRequest {
  method: string;
  url: string;
  depth: string | null;
  authorized: boolean;
  timed: boolean;
  /** The answer's status (0 until it came). */
  status: number;
}

function recordingFetch(seen: SeenRequest[]): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const request: SeenRequest = {
      method: init?.method ?? 'GET',
      url: String(input),
      depth: headers.get('depth'),
      authorized: headers.get('authorization')?.startsWith('Basic ') ?? false,
      timed: init?.signal instanceof AbortSignal,
      status: 0,
    };
    seen.push(request);
    const response = await fetch(input, init);
    request.status = response.status;
    return response;
  };
}

const users = () => Object.entries(inject('testUsers'));
const credentialsOf = (index: number): BackendCredentials => {
  const [user, password] = users()[index]!;
  return { user, password };
};

/** The URL of a server the global setup started beside Radicale (test/support/test-servers.ts). */
const serverUrlOf = (kind: string): string => {
  const server = inject('caldavServers').find((s) => s.kind === kind);
  if (!server) throw new Error(`the global setup started no ${kind} server`);
  return server.url;
};

/** The IMAP port of the Cyrus the global setup started (its ACLs are IMAP rights). */
const cyrusImapPort = (): number => inject('caldavServers').find((s) => s.kind === 'cyrus')!.imapPort!;

const CRLF = '\r\n';

function vcalendar(components: string[], timezones: string[] = []): string {
  const zones = timezones.map((tz) => getVtimezoneComponent(tz)!.replace(/\r?\n/g, CRLF).trimEnd());
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//wcap-gateway//contract test//EN', ...zones, ...components, 'END:VCALENDAR', ''].join(CRLF);
}

function vevent(uid: string, lines: string[]): string {
  // Cyrus refuses a timed event without an end (zero length) as invalid data: such events get an hour.
  const timed = lines.some((l) => /^DTSTART[:;]/.test(l) && !l.includes('VALUE=DATE'));
  const open = timed && !lines.some((l) => /^(DTEND|DURATION)[:;]/.test(l));
  const all = open ? [...lines, 'DURATION:PT1H'] : lines;
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'SUMMARY:contract test', ...all, 'END:VEVENT'].join(CRLF);
}

function vtodo(uid: string, lines: string[]): string {
  return ['BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'SUMMARY:contract todo', ...lines, 'END:VTODO'].join(CRLF);
}

/** Homes of jdoe and team, which the sharing test lists (their URLs end in the user's name). */
function otherHomes(made: SeenRequest[]): string[] {
  return made.map((r) => r.url).filter((url) => /\/(jdoe|team)\/$/.test(url));
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

/**
 * Where a server answers differently and the gateway can only pass on what it was told. Every
 * entry is a fact about the server, checked here like the rest of the contract.
 */
interface ServerQuirks {
  /** Another user's calendar that does not exist reads as missing (null), not forbidden (Cyrus). */
  othersMissingCalendarIsNull?: boolean;
  /** Text with a bare CR is stored, not refused (Cyrus). */
  acceptsBareCr?: boolean;
  /** An object PUT into a calendar that does not exist is forbidden, not not-found (Cyrus: 403). */
  writeToMissingCalendarForbidden?: boolean;
  /**
   * Listing another user's home reads as missing: Cyrus redirects to the requester's view of it,
   * which does not exist (404).
   */
  othersHomeNotFound?: boolean;
  /**
   * Tokens are not tied to one calendar: Cyrus's `data:,<uidvalidity>-<modseq>` is parsed
   * leniently (junk appended is ignored), and a calendar created in the same second has the same
   * uidvalidity, so its tokens are accepted too. The gateway keeps tokens per calendar URL and never
   * sends another calendar's.
   */
  acceptsForeignSyncTokens?: boolean;
  /**
   * No authentication and one home for everyone (Xandikos 0.2.8): any credentials are accepted, so
   * nothing is forbidden or unauthorized, and users are not apart. Tests of those do not exist for
   * such a server; 'has no authentication' asserts what it does instead.
   */
  noAuthentication?: boolean;
  /** calendar-description and calendar-timezone are refused at MKCALENDAR (Xandikos 0.2.8: 404). */
  refusesCalendarProps?: boolean;
  /**
   * Dead properties are refused, 404 per property (Xandikos 0.2.8): the gateway's calendar settings
   * and its properties of the home are not kept. Against RFC 4918 §9.2 the other properties of the
   * same PROPPATCH are applied anyway.
   */
  refusesDeadProperties?: boolean;
  /**
   * Takes WebDAV ACL (RFC 3744; Cyrus): setCalendarAcl is applied, and the server then decides
   * access by it. `grantRead` gives a user read access the server's own way (Cyrus: IMAP SETACL).
   */
  takesWebDavAcl?: boolean;
  /**
   * A Depth 1 PROPFIND of the principal collection lists only the requesting user, also when other
   * users shared calendars with them (Cyrus 3.6): no other homes can be found.
   */
  listsOnlyOwnPrincipal?: boolean;
  /**
   * While one of a user's calendars is shared by ACL, the sharees may read the user's calendar
   * home, and calendars created then inherit that (Cyrus 3.6: new mailboxes take their parent's ACL).
   */
  newCalendarsInheritSharees?: boolean;
}

const implementations: Array<[string, (seen: SeenRequest[]) => CalendarBackend, ServerQuirks]> = [
  ['MemoryBackend', () => new MemoryBackend({ users: inject('testUsers') }), {}],
  [
    'CalDavBackend on Radicale',
    (seen) => new CalDavBackend({ serverUrl: inject('radicaleUrl'), timeoutMs: 10_000, fetch: recordingFetch(seen) }),
    {},
  ],
  [
    'CalDavBackend on Cyrus',
    (seen) => new CalDavBackend({ serverUrl: serverUrlOf('cyrus'), timeoutMs: 10_000, fetch: recordingFetch(seen) }),
    {
      othersMissingCalendarIsNull: true,
      acceptsBareCr: true,
      writeToMissingCalendarForbidden: true,
      othersHomeNotFound: true,
      acceptsForeignSyncTokens: true,
      takesWebDavAcl: true,
      listsOnlyOwnPrincipal: true,
      newCalendarsInheritSharees: true,
    },
  ],
  [
    'CalDavBackend on Xandikos',
    (seen) => new CalDavBackend({ serverUrl: inject('xandikosUrl'), timeoutMs: 10_000, fetch: recordingFetch(seen) }),
    // Its sync token is a git tree id: it names content, not a calendar.
    { acceptsBareCr: true, acceptsForeignSyncTokens: true, noAuthentication: true, refusesCalendarProps: true, refusesDeadProperties: true },
  ],
];

describe.each(implementations)('CalendarBackend contract: %s', (_name, makeBackend, quirks) => {
  /** A test of what only a server with users apart can do (see ServerQuirks.noAuthentication). */
  const itWithUsers = (name: string, test: () => unknown) => {
    if (!quirks.noAuthentication) it(name, test);
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
    itWithUsers('discovers a home per user that ends with "/" and names the user', () => {
      expect(home.calendarHomeUrl).toMatch(/\/$/);
      expect(home.calendarHomeUrl).toContain(`/${alice.user}/`);
      expect(home.principalUrl).toMatch(/^https?:\/\//);
      expect(bobHome.calendarHomeUrl).not.toBe(home.calendarHomeUrl);
    });

    itWithUsers('rejects a wrong password and an unknown user as unauthorized', async () => {
      expect(await kindOf(backend.discoverHome({ user: alice.user, password: `${alice.password}-wrong` }))).toBe('unauthorized');
      expect(await kindOf(backend.discoverHome({ user: `nobody-${randomUUID()}`, password: 'x' }))).toBe('unauthorized');
    });

    itWithUsers('builds calendar URLs inside the own home and in sibling homes, encoding names', () => {
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

  if (quirks.noAuthentication) {
    it('has no authentication: any credentials see the same home, and nothing is forbidden', async () => {
      expect(home.calendarHomeUrl).toMatch(/\/$/);
      const place = (h: UserHome) => [h.principalUrl, h.calendarHomeUrl];
      expect(place(bobHome)).toEqual(place(home));
      expect(place(await backend.discoverHome({ user: `nobody-${randomUUID()}`, password: 'x' }))).toEqual(place(home));
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
          // The owner comes from the server's layout; Xandikos has one home for everyone.
          ...(quirks.noAuthentication ? {} : { owner: alice.user }),
          name,
          displayName: '2024 <Team> & "Friends"',
          ...(quirks.refusesCalendarProps ? {} : { description: 'line one\nline two', timezone: 'Europe/Berlin' }),
        });
        // What the server did not keep is not claimed either.
        if (quirks.refusesCalendarProps) expect(info).not.toHaveProperty('timezone');
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

    itWithUsers("answers 'forbidden' for another user's calendars, existing or not", async () => {
      const url = await newCalendar();
      expect(await kindOf(backend.getCalendar(bob, url))).toBe('forbidden');
      const missing = backend.getCalendar(bob, backend.calendarUrl(bobHome, alice.user, uniqueName('x')));
      expect(await kindOf(missing)).toBe(quirks.othersMissingCalendarIsNull ? 'resolved' : 'forbidden');
      const othersHome = quirks.othersHomeNotFound ? 'not-found' : 'forbidden';
      expect(await kindOf(backend.createCalendar(bob, backend.calendarUrl(bobHome, alice.user, uniqueName('x')), {}))).toBe('forbidden');
      expect(await kindOf(backend.listCalendars(bob, home))).toBe(othersHome);
    });

    itWithUsers('lists the calendars of the own home only', async () => {
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

    it('creates a calendar with the gateway settings in one request and reads them back, with the owner’s rights', async () => {
      const url = backend.calendarUrl(home, alice.user, uniqueName('settings'));
      const settings = { categories: ['a;b', 'ü <c>'], owners: ['bob'], doubleBooking: false, freeBusyInclude: true, language: 'de', charset: 'UTF-8', calmaster: 'x@example.com' };
      const created = await backend.createCalendar(alice, url, { displayName: 'S', settings });
      const read = await backend.getCalendar(alice, url);
      expect(read?.displayName).toBe('S');
      expect(read?.rights).toEqual(['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer']);
      // A server that refuses dead properties creates the calendar without them, and the gateway
      // does not claim them.
      const kept = quirks.refusesDeadProperties ? undefined : settings;
      expect(created.settings).toEqual(kept);
      expect(read?.settings).toEqual(kept);
      expect((await backend.listCalendars(alice, home)).find((c) => c.url === url)?.settings).toEqual(kept);
    });

    it('changes, adds and removes properties in one update; others stay as they were', async () => {
      const url = backend.calendarUrl(home, alice.user, uniqueName('update'));
      await backend.createCalendar(alice, url, { displayName: 'Old', description: 'Desc', settings: { categories: ['x'], doubleBooking: true } });
      if (quirks.refusesDeadProperties) {
        // Refused with the property named; the server has applied the display name all the same.
        const refused = await backend.updateCalendar(alice, url, { displayName: 'New', settings: { doubleBooking: false } }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(GatewayError);
        expect(refused).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/allow-double-booking \(HTTP 404\); the server applied the others anyway \(displayname\)/) });
        expect(await backend.getCalendar(alice, url)).toMatchObject({ displayName: 'New' });
        expect((await backend.getCalendar(alice, url))?.settings).toBeUndefined();
        await backend.updateCalendar(alice, url, { displayName: 'Newer' });
        expect((await backend.getCalendar(alice, url))?.displayName).toBe('Newer');
        expect(await kindOf(backend.updateCalendar(alice, backend.calendarUrl(home, alice.user, uniqueName('none')), { displayName: 'x' }))).toBe('no-calendar');
        return;
      }
      await backend.updateCalendar(alice, url, {
        displayName: 'New',
        description: null,
        timezone: 'America/New_York',
        settings: { categories: null, doubleBooking: false, language: 'fr' },
      });
      const read = await backend.getCalendar(alice, url);
      expect(read).toMatchObject({ displayName: 'New', timezone: 'America/New_York', settings: { doubleBooking: false, language: 'fr' } });
      expect(read?.description).toBeUndefined();
      expect(read?.settings?.categories).toBeUndefined();
      expect(await kindOf(backend.updateCalendar(alice, url, { timezone: 'Mars/Olympus_Mons' }))).toBe('invalid');
      expect(await kindOf(backend.updateCalendar(alice, backend.calendarUrl(home, alice.user, uniqueName('none')), { displayName: 'x' }))).toBe('no-calendar');
      expect(await kindOf(backend.updateCalendar(bob, url, { displayName: 'Bob was here' }))).toBe('forbidden');
      expect((await backend.getCalendar(alice, url))?.displayName).toBe('New');
    });

    it('deletes a calendar with its objects; a second delete is no-calendar, another user is forbidden', async () => {
      const url = await newCalendar();
      await backend.createObject(alice, url, 'in-deleted', vcalendar([vevent('in-deleted', ['DTSTART:20240101T100000Z'])]));
      if (!quirks.noAuthentication) {
        expect(await kindOf(backend.deleteCalendar(bob, url))).toBe('forbidden');
        expect(await backend.getObject(alice, `${url}in-deleted.ics`)).not.toBeNull();
      }
      await backend.deleteCalendar(alice, url);
      expect(await backend.getCalendar(alice, url)).toBeNull();
      expect(await kindOf(backend.deleteCalendar(alice, url))).toBe('no-calendar');
    });

    const bobReads = [{ principal: { kind: 'user', user: 'bob' }, rights: ['read'], grant: true }] as const satisfies AccessEntry[];

    if (!quirks.takesWebDavAcl) {
      it('reports ACLs as unsupported (Radicale keeps rights in a file) and changes nothing', async () => {
        const url = await newCalendar();
        const before = await backend.getCalendar(alice, url);
        expect(await backend.setCalendarAcl(alice, home, url, bobReads)).toBe('unsupported');
        if (!quirks.noAuthentication) expect(await kindOf(backend.getCalendar(bob, url))).toBe('forbidden');
        expect(await backend.getCalendar(alice, url)).toEqual(before);
      });
    } else {
      it('applies an ACL (RFC 3744): the user named reads the calendar, the owner keeps every right, an empty ACL takes it back', async () => {
        const url = await newCalendar();
        const uid = `acl-${randomUUID()}`;
        await backend.createObject(alice, url, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]));
        expect(await backend.setCalendarAcl(alice, home, url, bobReads)).toBe('applied');
        try {
          // Read back from the server as bob: his current-user-privilege-set, and the data itself
          // (Cyrus answers it from bob's view of the calendar, so the URLs are bob's).
          expect((await backend.getCalendar(bob, url))?.rights).toEqual(['read', 'free-busy']);
          expect((await backend.queryRange(bob, url, ['VEVENT'], {})).map((o) => o.url.split('/').at(-1))).toEqual([`${uid}.ics`]);
          expect(await kindOf(backend.createObject(bob, url, `b-${uid}`, vcalendar([vevent(`b-${uid}`, ['DTSTART:20240110T100000Z'])])))).toBe('forbidden');
          expect((await backend.getCalendar(alice, url))?.rights).toEqual(['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer']);
          // Only who may administer the calendar sets its ACL.
          expect(await kindOf(backend.setCalendarAcl(bob, bobHome, url, []))).toBe('forbidden');
          if (quirks.newCalendarsInheritSharees) {
            // While one calendar is shared with bob, Cyrus grants him read on alice's home, and a
            // calendar made now inherits that grant.
            const later = await newCalendar();
            expect((await backend.getCalendar(bob, later))?.rights).toEqual(['read', 'free-busy']);
            await backend.setCalendarAcl(alice, home, later, []);
          }
        } finally {
          expect(await backend.setCalendarAcl(alice, home, url, [])).toBe('applied');
        }
        expect(await kindOf(backend.getCalendar(bob, url))).toBe('forbidden');
        expect((await backend.getCalendar(alice, url))?.rights).toContain('write');
        // A user the server does not know is refused as such (RFC 3744 recognized-principal).
        const stranger = [{ principal: { kind: 'user', user: `nobody${randomUUID().slice(0, 8)}` }, rights: ['read'], grant: true }] as const satisfies AccessEntry[];
        const refused = await backend.setCalendarAcl(alice, home, url, stranger).catch((e: unknown) => e);
        expect(refused).toMatchObject({ kind: 'invalid', message: expect.stringContaining('recognized-principal') });
      });
    }
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
      if (!quirks.acceptsBareCr) {
        const broken = vcalendar([vevent(uid, ['DTSTART:20240110T100000Z', 'DESCRIPTION:a\rb'])]);
        const error = await backend.createObject(alice, cal, uid, broken).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GatewayError);
        expect((error as GatewayError).kind).toBe('invalid');
        expect((error as GatewayError).message).not.toContain(alice.password);
      }
      expect(await kindOf(backend.createObject(alice, cal, uid, 'BEGIN:VCALENDAR\r\nnonsense\r\n'))).toBe('invalid');
    });

    it("answers 'not-found' when creating in a missing calendar", async () => {
      const missing = own(uniqueName('gone'));
      const uid = `nf-${randomUUID()}`;
      const created = backend.createObject(alice, missing, uid, vcalendar([vevent(uid, ['DTSTART:20240110T100000Z'])]));
      expect(await kindOf(created)).toBe(quirks.writeToMissingCalendarForbidden ? 'forbidden' : 'not-found');
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

    itWithUsers("answers 'forbidden' when another user touches the objects", async () => {
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

    itWithUsers("answers 'unauthorized' for a wrong password on any call", async () => {
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
    // A UID per calendar: Cyrus keeps a user's UIDs unique across all of their calendars.
    let id: string;
    const uid = (name: string) => `${name}-${id}`;
    const put = (name: string, lines: string[]) => backend.createObject(alice, cal, uid(name), vcalendar([vevent(uid(name), lines)]));
    // A fresh calendar holding the same two objects for every test: the tests below add and delete.
    beforeEach(async () => {
      cal = await newCalendar();
      id = randomUUID().slice(0, 8);
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
      if (!quirks.acceptsForeignSyncTokens) {
        expect(await kindOf(backend.syncChanges(alice, cal, `${token}x`))).toBe('changed');
        expect(await kindOf(backend.syncChanges(alice, cal, otherToken))).toBe('changed');
      }
    });

    it("answers 'not-found' for a missing calendar", async () => {
      const missing = own(uniqueName('nosync'));
      expect(await kindOf(backend.syncChanges(alice, missing, undefined))).toBe('not-found');
    });

    itWithUsers("answers 'forbidden' and 'unauthorized' like the other calls", async () => {
      expect(await kindOf(backend.syncChanges(bob, cal, undefined))).toBe('forbidden');
      const { token } = await backend.syncChanges(alice, cal, undefined);
      expect(await kindOf(backend.syncChanges({ user: alice.user, password: 'wrong' }, cal, token))).toBe('unauthorized');
    });
  });

  describe('gateway properties and other homes', () => {
    const named = (user: string): BackendCredentials => ({ user, password: inject('testUsers')[user]! });

    it('sets, reads back and removes dead properties of the own home; absent ones are left out', async () => {
      const name = `p${randomUUID().slice(0, 8)}`;
      if (quirks.refusesDeadProperties) {
        const refused = await backend.writeGatewayProperties(alice, home.calendarHomeUrl, { [name]: '1' }).catch((e: unknown) => e);
        expect(refused).toMatchObject({ kind: 'invalid', message: expect.stringContaining(`does not store the gateway property ${name}`) });
        expect(await backend.readGatewayProperties(alice, home.calendarHomeUrl, [name])).toEqual({});
        return;
      }
      await backend.writeGatewayProperties(alice, home.calendarHomeUrl, { [name]: '["alice:x","<&>"]' });
      expect(await backend.readGatewayProperties(alice, home.calendarHomeUrl, [name, 'never-set'])).toEqual({ [name]: '["alice:x","<&>"]' });
      await backend.writeGatewayProperties(alice, home.calendarHomeUrl, { [name]: null });
      expect(await backend.readGatewayProperties(alice, home.calendarHomeUrl, [name])).toEqual({});
    });

    it("refuses another user's home: 'forbidden' for reading and writing; names that are no XML name are invalid", async () => {
      if (!quirks.noAuthentication) {
        // Cyrus redirects to the requester's view of the other home, which does not exist.
        const refusal = quirks.othersHomeNotFound ? 'not-found' : 'forbidden';
        expect(await kindOf(backend.readGatewayProperties(bob, home.calendarHomeUrl, ['x']))).toBe(refusal);
        expect(await kindOf(backend.writeGatewayProperties(bob, home.calendarHomeUrl, { x: '1' }))).toBe(refusal);
      }
      expect(await kindOf(backend.writeGatewayProperties(alice, home.calendarHomeUrl, { 'not a name': '1' }))).toBe('invalid');
    });

    it('lists the homes of other users only where the server shares them', async () => {
      const jdoe = named('jdoe');
      const team = named('team');
      const teamHome = await backend.discoverHome(team);
      const jdoeHome = await backend.discoverHome(jdoe);
      // The test Radicale's rights let jdoe see team (SHARING_RIGHTS); the fake is told the same, and
      // Cyrus gets jdoe read rights on team's calendar through IMAP.
      if (backend instanceof MemoryBackend) backend.grantRead('jdoe', 'team');
      if (quirks.listsOnlyOwnPrincipal) await setCyrusCalendarAcl(cyrusImapPort(), 'team', 'Default', 'jdoe', 'lrs9');
      // One home for everyone: the only home is the user's own.
      const shown = quirks.noAuthentication || quirks.listsOnlyOwnPrincipal ? [] : [teamHome.calendarHomeUrl];
      expect(await backend.listOtherHomes(jdoe, jdoeHome, 10)).toEqual(shown);
      expect(await backend.listOtherHomes(jdoe, jdoeHome, 0)).toEqual([]);
      expect(await backend.listOtherHomes(alice, home, 10)).toEqual([]);
      if (quirks.othersHomeNotFound) expect(await kindOf(backend.listCalendars(jdoe, teamHome))).toBe('not-found');
      else expect(await backend.listCalendars(jdoe, teamHome)).toEqual(await backend.listCalendars(team, teamHome));
    });
  });

  // After every test, whatever the order: each request it made (CalDAV only) carried Basic auth and
  // a timeout, and PROPFIND Depth 1 went to homes and the principal collection only (or where a
  // redirect led and nothing was).
  afterEach(() => {
    const made = seen.splice(0);
    expect(made.every((r) => r.authorized && r.timed)).toBe(true);
    const depthOne = new Set(made.filter((r) => r.method === 'PROPFIND' && r.depth !== '0' && r.status !== 404).map((r) => r.url));
    const homes = [home.calendarHomeUrl, bobHome.calendarHomeUrl, ...otherHomes(made)];
    // The principal collection holds the principals (Radicale `/`, Cyrus `/dav/principals/user/`).
    const principals = new URL('../', home.principalUrl).href;
    for (const url of depthOne) expect([...homes, new URL('/', home.calendarHomeUrl).href, principals]).toContain(url);
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
