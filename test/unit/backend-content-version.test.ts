import { describe, expect, it } from 'vitest';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';

/**
 * How the backend reads a collection's content version, with scripted answers: getctag by
 * default, and in 'last-modified' mode the collection's last-modified time — but only once it is
 * settled, so that two changes within one second can never share a version.
 */
const SERVER = 'http://dav.test/';
const CALENDAR = `${SERVER}alice/calendar/`;
const CREDS = { user: 'alice', password: 'pw' };

function server(now: Date, lastModified: Date): { fetch: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  const fetchImpl: typeof fetch = async (_input, init) => {
    const body = String(init?.body ?? '');
    const wanted = /getlastmodified/.test(body) ? 'getlastmodified' : /getctag/.test(body) ? 'getctag' : /sync-token/.test(body) ? 'sync-token' : 'props';
    asked.push(wanted);
    const extra =
      wanted === 'getlastmodified'
        ? `<D:getlastmodified>${lastModified.toUTCString()}</D:getlastmodified>`
        : wanted === 'getctag'
          ? '<CS:getctag>"ctag-7"</CS:getctag>'
          : '';
    return new Response(
      `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">` +
        `<D:response><D:href>/alice/calendar/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
        `<D:displayname>Alice</D:displayname>${extra}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
      { status: 207, headers: { 'Content-Type': 'application/xml', Date: now.toUTCString() } },
    );
  };
  return { fetch: fetchImpl, asked };
}

const NOW = new Date('2027-03-01T12:00:10Z');

describe('content version of a calendar', () => {
  it('is the getctag by default (one PROPFIND)', async () => {
    const { fetch, asked } = server(NOW, new Date('2027-03-01T11:00:00Z'));
    const info = await new CalDavBackend({ serverUrl: SERVER, timeoutMs: 1000, fetch }).getCalendar(CREDS, CALENDAR, { contentTag: true });
    expect(info?.contentTag).toBe('ctag:"ctag-7"');
    expect(asked).toEqual(['getctag']);
  });

  it('in last-modified mode, is the settled last-modified time (one PROPFIND, no getctag)', async () => {
    const { fetch, asked } = server(NOW, new Date('2027-03-01T12:00:07Z'));
    const backend = new CalDavBackend({ serverUrl: SERVER, timeoutMs: 1000, fetch, contentVersion: 'last-modified' });
    const info = await backend.getCalendar(CREDS, CALENDAR, { contentTag: true });
    expect(info?.contentTag).toBe(`mtime:${Date.parse('2027-03-01T12:00:07Z')}`);
    expect(info?.displayName).toBe('Alice');
    expect(asked).toEqual(['getlastmodified']);
  });

  it('in last-modified mode, falls back to getctag while the last change is less than 2 s old', async () => {
    for (const recent of ['2027-03-01T12:00:09Z', '2027-03-01T12:00:10Z']) {
      const { fetch, asked } = server(NOW, new Date(recent));
      const info = await new CalDavBackend({ serverUrl: SERVER, timeoutMs: 1000, fetch, contentVersion: 'last-modified' }).getCalendar(CREDS, CALENDAR, { contentTag: true });
      expect(info?.contentTag).toBe('ctag:"ctag-7"');
      expect(asked).toEqual(['getlastmodified', 'getctag']);
    }
  });

  it('asks for no version when none is wanted', async () => {
    const { fetch, asked } = server(NOW, NOW);
    const info = await new CalDavBackend({ serverUrl: SERVER, timeoutMs: 1000, fetch, contentVersion: 'last-modified' }).getCalendar(CREDS, CALENDAR);
    expect(info?.contentTag).toBeUndefined();
    expect(asked).toEqual(['props']);
  });
});
