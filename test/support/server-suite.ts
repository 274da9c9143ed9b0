import ICAL from 'ical.js';
import { inject } from 'vitest';
import { startHarness, type Harness } from './gateway-harness.js';
import { homeOf, type TestServer } from './test-servers.js';

/**
 * What the server-parameterized suites share: the servers (one `describe.each` entry per server,
 * named in every title), a gateway in front of one of them, and direct access to the server as a
 * user, as another CalDAV client would have it.
 */
export const servers = (): TestServer[] => inject('caldavServers');
export const suiteUsers = (): Record<string, string> => inject('serverSuiteUsers');

export interface ServerSuite {
  h: Harness;
  server: TestServer;
  /** A request straight to the server as `user` (path relative to the server's origin). */
  dav(user: string, path: string, init?: RequestInit): Promise<Response>;
  /** Path of `user`'s default calendar on the server (ends with '/'). */
  defaultPath(user: string): string;
  /** The object at `path` parsed, or null on 404. */
  readObject(user: string, path: string): Promise<ICAL.Component | null>;
  /** Logs `user` in through the gateway. */
  login(user: string): Promise<string>;
}

export async function startServerSuite(server: TestServer, env: Record<string, string> = {}): Promise<ServerSuite> {
  const h = await startHarness({ WCAP_CALDAV_URL: server.url, ...env });
  const users = suiteUsers();
  const dav = (user: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Basic ${Buffer.from(`${user}:${users[user]}`).toString('base64')}`);
    return fetch(new URL(path, server.url), { ...init, headers, redirect: 'manual' });
  };
  const suite: ServerSuite = {
    h,
    server,
    dav,
    defaultPath: (user) => `${homeOf(server, user)}${server.defaultCalendar}/`,
    async readObject(user, path) {
      const res = await dav(user, path);
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Error(`${server.name}: GET ${path} answered ${res.status}`);
      return new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
    },
    login: (user) => h.login(user, users[user]),
  };
  return suite;
}

/** Names of the calendar collections in `user`'s home, read from the server (Depth 1 PROPFIND of the home). */
export async function calendarsInHome(suite: ServerSuite, user: string): Promise<string[]> {
  const res = await suite.dav(user, homeOf(suite.server, user), {
    method: 'PROPFIND',
    headers: { Depth: '1', 'Content-Type': 'application/xml' },
    body: '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>',
  });
  if (res.status !== 207) throw new Error(`${suite.server.name}: PROPFIND home answered ${res.status}`);
  const text = await res.text();
  const names: string[] = [];
  for (const response of text.split(/<(?:\w+:)?response[ >]/).slice(1)) {
    if (!/<(?:\w+:)?calendar\s*\/>/.test(response)) continue;
    const href = /<(?:\w+:)?href>([^<]+)</.exec(response)?.[1] ?? '';
    names.push(decodeURIComponent(href.split('/').filter(Boolean).at(-1) ?? ''));
  }
  return names.sort();
}

/** `YYYYMMDDTHHMMSSZ` of a clock reading (whole seconds), as Lightning sends sync bounds. */
export const stamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');

/** Writes an event straight to the server under its own resource name, as another CalDAV client would. */
export function otherClientEvent(uid: string, lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}
