import { describe, expect, it } from 'vitest';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import { buildCalendarUrl } from '../../src/backend/object-urls.js';
import { GatewayError } from '../../src/model/errors.js';

/** Home discovery from the server's answers, and the transport's redirect rules, against scripted answers. */

const CREDS = { user: 'jdoe', password: 'pw-jdoe-123' };

type Answer = { status: number; body?: string; location?: string };

function server(routes: Record<string, Answer>): { fetch: typeof fetch; sent: string[] } {
  const sent: string[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = String(input);
    sent.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    const route = routes[new URL(url).pathname] ?? { status: 404 };
    const headers: Record<string, string> = { 'Content-Type': 'application/xml' };
    if (route.location) headers.Location = route.location;
    return new Response(route.body ?? '', { status: route.status, headers });
  };
  return { fetch: fetchImpl, sent };
}

const multistatus = (href: string, props: string) =>
  `<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>${href}</href>` +
  `<propstat><prop>${props}</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`;

/** Cyrus 3.6's answers (docs/caldav-servers.md#cyrus). */
const CYRUS = {
  '/': { status: 207, body: multistatus('/', '<current-user-principal><href>/dav/principals/user/jdoe/</href></current-user-principal>') },
  '/.well-known/caldav': { status: 301, location: 'http://dav.test/dav/calendars' },
  '/.well-known/caldav/': { status: 301, location: 'http://dav.test/dav/calendars' },
  '/dav/calendars': { status: 207, body: multistatus('/dav/calendars/', '<current-user-principal><href>/dav/principals/user/jdoe/</href></current-user-principal>') },
  '/dav/principals/user/jdoe/': {
    status: 207,
    body: multistatus('/dav/principals/user/jdoe/', '<C:calendar-home-set><href>/dav/calendars/user/jdoe/</href></C:calendar-home-set><C:schedule-inbox-URL><href>/dav/calendars/user/jdoe/Inbox/</href></C:schedule-inbox-URL>'),
  },
  '/dav/calendars/user/jdoe/Inbox/': {
    status: 207,
    body: multistatus('/dav/calendars/user/jdoe/Inbox/', '<C:schedule-default-calendar-URL><href>/dav/calendars/user/jdoe/Default/</href></C:schedule-default-calendar-URL>'),
  },
};

describe('home discovery', () => {
  it("takes the default calendar from the schedule inbox's schedule-default-calendar-URL (3 PROPFINDs)", async () => {
    const { fetch, sent } = server(CYRUS);
    const home = await new CalDavBackend({ serverUrl: 'http://dav.test/', timeoutMs: 1000, fetch }).discoverHome(CREDS);
    expect(home).toEqual({
      principalUrl: 'http://dav.test/dav/principals/user/jdoe/',
      calendarHomeUrl: 'http://dav.test/dav/calendars/user/jdoe/',
      defaultCalendarUrl: 'http://dav.test/dav/calendars/user/jdoe/Default/',
      user: 'jdoe',
    });
    expect(sent).toEqual(['PROPFIND /', 'PROPFIND /dav/principals/user/jdoe/', 'PROPFIND /dav/calendars/user/jdoe/Inbox/']);
  });

  it('starts from /.well-known/caldav, following its redirect', async () => {
    const { fetch, sent } = server(CYRUS);
    const home = await new CalDavBackend({ serverUrl: 'http://dav.test/.well-known/caldav', timeoutMs: 1000, fetch }).discoverHome(CREDS);
    expect(home.calendarHomeUrl).toBe('http://dav.test/dav/calendars/user/jdoe/');
    expect(sent.slice(0, 2)).toEqual(['PROPFIND /.well-known/caldav/', 'PROPFIND /dav/calendars']);
  });

  it('falls back to the well-known URL when the configured URL has no principal', async () => {
    const { fetch, sent } = server({ ...CYRUS, '/': { status: 404 } });
    const home = await new CalDavBackend({ serverUrl: 'http://dav.test/', timeoutMs: 1000, fetch }).discoverHome(CREDS);
    expect(home.defaultCalendarUrl).toBe('http://dav.test/dav/calendars/user/jdoe/Default/');
    expect(sent.slice(0, 3)).toEqual(['PROPFIND /', 'PROPFIND /.well-known/caldav', 'PROPFIND /dav/calendars']);
  });

  it('reports refused credentials at once, without trying further URLs', async () => {
    const { fetch, sent } = server({ '/': { status: 401 } });
    const error = await new CalDavBackend({ serverUrl: 'http://dav.test/', timeoutMs: 1000, fetch }).discoverHome(CREDS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe('unauthorized');
    expect(sent).toEqual(['PROPFIND /']);
  });
});

describe('redirects', () => {
  const backend = (routes: Record<string, Answer>) => {
    const s = server(routes);
    return { backend: new CalDavBackend({ serverUrl: 'http://dav.test/', timeoutMs: 1000, fetch: s.fetch }), sent: s.sent };
  };
  const calendar = multistatus('/dav/calendars/user/jdoe/boss.Default/', '<resourcetype><collection/><C:calendar/></resourcetype>');

  it.each([301, 302, 307, 308])('follows a same-origin %i for PROPFIND, keeping the method', async (status) => {
    const { backend: b, sent } = backend({
      '/dav/calendars/user/boss/Default/': { status, location: '/dav/calendars/user/jdoe/boss.Default/' },
      '/dav/calendars/user/jdoe/boss.Default/': { status: 207, body: calendar },
    });
    const info = await b.getCalendar(CREDS, 'http://dav.test/dav/calendars/user/boss/Default/');
    expect(info?.url).toBe('http://dav.test/dav/calendars/user/boss/Default/');
    expect(sent).toEqual(['PROPFIND /dav/calendars/user/boss/Default/', 'PROPFIND /dav/calendars/user/jdoe/boss.Default/']);
  });

  it.each([
    [403, 'forbidden'],
    [404, null],
  ])('maps the final status %i after a redirect', async (status, expected) => {
    const { backend: b } = backend({
      '/dav/calendars/user/boss/Default/': { status: 301, location: '/dav/calendars/user/jdoe/boss.Default/' },
      '/dav/calendars/user/jdoe/boss.Default/': { status },
    });
    const outcome = await b.getCalendar(CREDS, 'http://dav.test/dav/calendars/user/boss/Default/').catch((e: unknown) => (e as GatewayError).kind);
    expect(outcome).toBe(expected);
  });

  it("remembers a calendar's permanent move per user: later requests for it and its objects go straight there", async () => {
    const { backend: b, sent } = backend({
      '/dav/calendars/user/boss/Default/': { status: 301, location: '/dav/calendars/user/jdoe/boss.Default/' },
      '/dav/calendars/user/jdoe/boss.Default/': { status: 207, body: calendar },
      '/dav/calendars/user/jdoe/boss.Default/e.ics': { status: 200, body: 'BEGIN:VCALENDAR' },
    });
    const url = 'http://dav.test/dav/calendars/user/boss/Default/';
    await b.getCalendar(CREDS, url);
    await b.getCalendar(CREDS, url);
    expect((await b.getObject(CREDS, `${url}e.ics`))?.ical).toBe('BEGIN:VCALENDAR');
    expect(sent).toEqual([
      'PROPFIND /dav/calendars/user/boss/Default/',
      'PROPFIND /dav/calendars/user/jdoe/boss.Default/',
      'PROPFIND /dav/calendars/user/jdoe/boss.Default/',
      'GET /dav/calendars/user/jdoe/boss.Default/e.ics',
    ]);
    // Another user asks the server again: the target depends on who asks.
    await b.getCalendar({ user: 'ann', password: 'pw-ann-1234' }, url);
    expect(sent.at(-2)).toBe('PROPFIND /dav/calendars/user/boss/Default/');
  });

  it('refuses a redirect to another origin and never sends the credentials there', async () => {
    const { backend: b, sent } = backend({ '/x/e.ics': { status: 302, location: 'http://evil.test/e.ics' } });
    const error = (await b.getObject(CREDS, 'http://dav.test/x/e.ics').catch((e: unknown) => e)) as GatewayError;
    expect(error.kind).toBe('backend');
    expect(error.message).toMatch(/another server/);
    expect(sent).toEqual(['GET /x/e.ics']);
  });

  it('gives up after 5 hops of a redirect loop', async () => {
    const { backend: b, sent } = backend({ '/a/': { status: 307, location: '/b/' }, '/b/': { status: 307, location: '/a/' } });
    const error = (await b.getCalendar(CREDS, 'http://dav.test/a/').catch((e: unknown) => e)) as GatewayError;
    expect(error.message).toMatch(/more than 5 redirects/);
    expect(sent).toHaveLength(6);
  });

  it('follows a same-origin redirect of an object write with its condition, but not of MKCALENDAR', async () => {
    const seen: Array<[string, string, string | null]> = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      const path = new URL(String(input)).pathname;
      seen.push([init?.method ?? 'GET', path, new Headers(init?.headers).get('if-match')]);
      if (path.startsWith('/c/')) return new Response('', { status: 301, headers: { Location: path.replace('/c/', '/d/') } });
      return new Response(null, { status: 204 });
    };
    const b = new CalDavBackend({ serverUrl: 'http://dav.test/', timeoutMs: 1000, fetch: fetchImpl });
    await b.deleteObject(CREDS, { url: 'http://dav.test/c/e.ics', version: '"1"', ical: '' });
    expect(seen).toEqual([
      ['DELETE', '/c/e.ics', '"1"'],
      ['DELETE', '/d/e.ics', '"1"'],
    ]);
    const error = (await b.createCalendar(CREDS, 'http://dav.test/c/new/', {}).catch((e: unknown) => e)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(seen.at(-1)).toEqual(['MKCALENDAR', '/c/new/', null]);
  });
});

describe('calendar URLs of other users', () => {
  it("replaces the segment carrying the user's name, wherever the layout puts it", () => {
    expect(buildCalendarUrl('http://h/dav/calendars/user/jdoe/', 'boss', 'Default', 'jdoe')).toBe('http://h/dav/calendars/user/boss/Default/');
    expect(buildCalendarUrl('http://h/jdoe/', 'boss', 'calendar', 'jdoe')).toBe('http://h/boss/calendar/');
    expect(buildCalendarUrl('http://h/dav/jdoe%40example.com/', 'boss@example.com', 'c', 'jdoe@example.com')).toBe('http://h/dav/boss%40example.com/c/');
    expect(buildCalendarUrl('http://h/user/calendars/', 'jdoe', 'calendar', 'jdoe')).toBe('http://h/user/calendars/calendar/');
  });

  it('has no calendars of other users on a server whose home carries no user name', () => {
    expect(() => buildCalendarUrl('http://h/user/calendars/', 'boss', 'calendar', 'jdoe')).toThrow(/cannot be addressed/);
  });
});
