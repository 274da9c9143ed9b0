import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import { GatewayError } from '../../src/model/errors.js';

/** CalDavBackend against scripted answers: statuses, odd bodies, dead and silent servers. */

const SERVER = 'http://dav.test/';
const CREDS = { user: 'alice', password: 's3cret-Pa55' };
const TOKEN = Buffer.from('alice:s3cret-Pa55').toString('base64');

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
  redirect: RequestInit['redirect'];
}

function scripted(answer: (req: Sent) => Response | Promise<Response>): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const req: Sent = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
      redirect: init?.redirect,
    };
    sent.push(req);
    return answer(req);
  };
  return { fetch: fetchImpl, sent };
}

const xml = (body: string, status = 207) =>
  new Response(`<?xml version="1.0"?>${body}`, { status, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  const gatewayError = error as GatewayError;
  expect(gatewayError.message).not.toContain(CREDS.password);
  expect(gatewayError.message).not.toContain(TOKEN);
  return gatewayError;
}

const backendWith = (fetchImpl: typeof fetch, timeoutMs = 1000) =>
  new CalDavBackend({ serverUrl: SERVER, timeoutMs, fetch: fetchImpl });

const EVENT = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
const OBJECT = { url: `${SERVER}alice/work/e1.ics`, version: '"v1"', ical: EVENT };

describe('CalDavBackend transport failures', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it("times out a server that accepts but never answers: 'unavailable'", async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const backend = new CalDavBackend({ serverUrl: `http://127.0.0.1:${port}/`, timeoutMs: 150 });
    const error = await failure(backend.discoverHome(CREDS));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/no answer within 150 ms/);
  });

  it("reports a refused connection as 'unavailable'", async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await failure(new CalDavBackend({ serverUrl: `http://127.0.0.1:${port}/`, timeoutMs: 1000 }).getObject(CREDS, `http://127.0.0.1:${port}/alice/x.ics`));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('keeps secrets out of messages even when the fetch error quotes them', async () => {
    const { fetch } = scripted(() => {
      throw new TypeError(`boom Authorization: Basic ${TOKEN} password=${CREDS.password}`);
    });
    expect((await failure(backendWith(fetch).getObject(CREDS, OBJECT.url))).kind).toBe('unavailable');
  });

  it('sends Basic auth, a timeout signal and no redirect following on every request', async () => {
    const { fetch, sent } = scripted(() => new Response('', { status: 302, headers: { Location: 'http://evil.test/' } }));
    expect((await failure(backendWith(fetch).getObject(CREDS, OBJECT.url))).kind).toBe('backend');
    expect(sent[0]?.headers.get('authorization')).toBe(`Basic ${TOKEN}`);
    expect(sent[0]?.redirect).toBe('manual');
  });

  it('refuses a server URL carrying credentials and a user name Basic auth cannot carry', async () => {
    expect(() => new CalDavBackend({ serverUrl: 'http://u:p@dav.test/', timeoutMs: 1 })).toThrow(/credentials/);
    const { fetch, sent } = scripted(() => new Response('', { status: 500 }));
    expect((await failure(backendWith(fetch).discoverHome({ user: 'a:b', password: 'x' }))).kind).toBe('unauthorized');
    expect(sent).toHaveLength(0);
  });
});

describe('CalDavBackend status mapping', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [500, 'backend'],
    [503, 'backend'],
    [418, 'backend'],
  ])('maps %i on a REPORT to %s', async (status, kind) => {
    const { fetch } = scripted(() => new Response('nope', { status }));
    const error = await failure(backendWith(fetch).queryRange(CREDS, `${SERVER}alice/work/`, ['VEVENT'], {}));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it("maps a refused PUT body to 'invalid' with a short, redacted quote of the answer", async () => {
    const { fetch } = scripted(() => new Response(`Bad Request: line 7 ${CREDS.password} ${'x'.repeat(500)}`, { status: 400 }));
    const error = await failure(backendWith(fetch).createObject(CREDS, `${SERVER}alice/work/`, 'e1', EVENT));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('Bad Request: line 7 ***');
    expect(error.message.length).toBeLessThan(300);
  });

  it("reads a 207 with a 412 inside (Xandikos UID conflict) as 'exists'", async () => {
    const { fetch } = scripted(() =>
      xml(`<D:multistatus xmlns:D="DAV:"><D:response><D:href>/alice/work/e1.ics</D:href><D:status>HTTP/1.1 412 Precondition Failed</D:status></D:response></D:multistatus>`),
    );
    expect((await failure(backendWith(fetch).createObject(CREDS, `${SERVER}alice/work/`, 'e1', EVENT))).kind).toBe('exists');
  });

  it("tells Radicale's two 409s apart on create: UID conflict vs missing calendar", async () => {
    const conflict = scripted(() => xml('<error xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><C:no-uid-conflict /></error>', 409));
    expect((await failure(backendWith(conflict.fetch).createObject(CREDS, `${SERVER}alice/work/`, 'e1', EVENT))).kind).toBe('exists');
    const missing = scripted(() => new Response('Conflict in the request.', { status: 409 }));
    expect((await failure(backendWith(missing.fetch).createObject(CREDS, `${SERVER}alice/x/`, 'e1', EVENT))).kind).toBe('not-found');
  });

  it('creates with If-None-Match and text/calendar, and accepts an answer without ETag', async () => {
    const { fetch, sent } = scripted(() => new Response(null, { status: 201 }));
    const created = await backendWith(fetch).createObject(CREDS, `${SERVER}alice/work`, 'e1', EVENT);
    expect(created).toEqual({ url: `${SERVER}alice/work/e1.ics`, version: '', ical: EVENT });
    expect(sent[0]).toMatchObject({ method: 'PUT', body: EVENT });
    expect(sent[0]?.headers.get('if-none-match')).toBe('*');
    expect(sent[0]?.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  });

  it('updates with If-Match exactly as the version was given, or unconditionally for an empty version', async () => {
    const { fetch, sent } = scripted(() => new Response(null, { status: 204, headers: { ETag: '"v2"' } }));
    const backend = backendWith(fetch);
    expect((await backend.updateObject(CREDS, OBJECT, EVENT)).version).toBe('"v2"');
    expect(sent[0]?.headers.get('if-match')).toBe('"v1"');
    await backend.updateObject(CREDS, { ...OBJECT, version: '' }, EVENT);
    expect(sent[1]?.headers.has('if-match')).toBe(false);
  });

  it.each([
    [412, 'changed'],
    [404, 'changed'],
    [415, 'invalid'],
  ])('maps %i on update to %s', async (status, kind) => {
    const { fetch } = scripted(() => new Response('', { status }));
    expect((await failure(backendWith(fetch).updateObject(CREDS, OBJECT, EVENT))).kind).toBe(kind);
  });

  it.each([
    [412, 'changed'],
    [404, 'not-found'],
    [403, 'forbidden'],
  ])('maps %i on delete to %s', async (status, kind) => {
    const { fetch, sent } = scripted(() => new Response('', { status }));
    expect((await failure(backendWith(fetch).deleteObject(CREDS, OBJECT))).kind).toBe(kind);
    expect(sent[0]?.headers.get('if-match')).toBe('"v1"');
  });
});

describe('CalDavBackend answers', () => {
  it('skips objects whose entry or calendar-data failed and resolves hrefs', async () => {
    const { fetch } = scripted(() =>
      xml(`<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
        <response><href>/alice/work/gone.ics</href><status>HTTP/1.1 404 Not Found</status></response>
        <response><href>/alice/work/broken.ics</href>
          <propstat><prop><getetag>"b"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat>
          <propstat><prop><C:calendar-data/></prop><status>HTTP/1.1 500 Internal Server Error</status></propstat></response>
        <response><href>/alice/work/e%201.ics</href>
          <propstat><prop><getetag>"good"</getetag><C:calendar-data>${EVENT}</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>
      </multistatus>`),
    );
    const objects = await backendWith(fetch).queryRange(CREDS, `${SERVER}alice/work/`, ['VEVENT'], { start: new Date(0) });
    expect(objects).toEqual([{ url: `${SERVER}alice/work/e%201.ics`, version: '"good"', ical: EVENT }]);
  });

  it("reports an unreadable multistatus as 'backend'", async () => {
    const { fetch } = scripted(() => xml('<multistatus xmlns="DAV:"><response>'));
    expect((await failure(backendWith(fetch).queryRange(CREDS, `${SERVER}alice/work/`, ['VTODO'], {}))).kind).toBe('backend');
  });

  it('resolves relative principal and home hrefs, and needs both', async () => {
    const base = 'http://dav.test/base/';
    const { fetch, sent } = scripted((req) =>
      req.url === base
        ? xml('<multistatus xmlns="DAV:"><response><href>/base/</href><propstat><prop><current-user-principal><href>p/alice/</href></current-user-principal></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>')
        : xml('<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/base/p/alice/</href><propstat><prop><C:calendar-home-set><href>cal</href></C:calendar-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>'),
    );
    const home = await new CalDavBackend({ serverUrl: base, timeoutMs: 1000, fetch }).discoverHome(CREDS);
    expect(home).toEqual({ principalUrl: 'http://dav.test/base/p/alice/', calendarHomeUrl: 'http://dav.test/base/p/alice/cal/', user: 'alice' });
    expect(sent.map((s) => [s.method, s.url, s.headers.get('depth')])).toEqual([
      ['PROPFIND', base, '0'],
      ['PROPFIND', 'http://dav.test/base/p/alice/', '0'],
    ]);
    const empty = scripted(() => xml('<multistatus xmlns="DAV:"><response><href>/</href></response></multistatus>'));
    expect((await failure(backendWith(empty.fetch).discoverHome(CREDS))).kind).toBe('backend');
  });

  it('returns null for a collection that is not a calendar, and keeps numeric-looking names as text', async () => {
    const answer = (type: string) =>
      xml(`<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/alice/2024/</href><propstat><prop><resourcetype><collection/>${type}</resourcetype><displayname>2024</displayname><C:supported-calendar-component-set><C:comp name="vevent"/></C:supported-calendar-component-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`);
    const plain = scripted(() => answer(''));
    expect(await backendWith(plain.fetch).getCalendar(CREDS, `${SERVER}alice/2024/`)).toBeNull();
    const calendar = scripted(() => answer('<C:calendar/>'));
    expect(await backendWith(calendar.fetch).getCalendar(CREDS, `${SERVER}alice/2024`)).toEqual({
      url: `${SERVER}alice/2024/`,
      owner: 'alice',
      name: '2024',
      displayName: '2024',
      componentTypes: ['VEVENT'],
    });
  });
});
