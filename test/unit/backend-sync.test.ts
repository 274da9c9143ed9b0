import { describe, expect, it } from 'vitest';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import { syncCollectionBody } from '../../src/backend/dav-sync.js';
import { parseXml } from '../../src/backend/xml-reader.js';
import { GatewayError } from '../../src/model/errors.js';

/** CalDavBackend.syncChanges against scripted answers (RFC 6578 sync-collection). */

const SERVER = 'http://dav.test/';
const CAL = 'http://dav.test/alice/calendar/';
const CREDS = { user: 'alice', password: 's3cret-Pa55' };

function backendAnswering(status: number, body: string): { backend: CalDavBackend; sent: Array<{ headers: Headers; body: string }> } {
  const sent: Array<{ headers: Headers; body: string }> = [];
  const fetchImpl: typeof fetch = async (_input, init) => {
    sent.push({ headers: new Headers(init?.headers), body: String(init?.body ?? '') });
    return new Response(body, { status, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
  };
  return { backend: new CalDavBackend({ serverUrl: SERVER, timeoutMs: 1000, fetch: fetchImpl }), sent };
}

const ICS = 'BEGIN:VCALENDAR&#13;\nBEGIN:VEVENT&#13;\nUID:u1&#13;\nEND:VEVENT&#13;\nEND:VCALENDAR&#13;\n';

const ANSWER = `<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <response><href>/alice/calendar/u1.ics</href>
    <propstat><prop><getetag>"e1"</getetag><C:calendar-data>${ICS}</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat>
  </response>
  <response><href>/alice/calendar/gone%20one.ics</href><status>HTTP/1.1 404 Not Found</status></response>
  <sync-token>http://radicale.org/ns/sync/abc</sync-token>
</multistatus>`;

async function kindOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).message).not.toContain(CREDS.password);
  return (error as GatewayError).kind;
}

describe('sync-collection request body', () => {
  it('asks for ETag and data at sync level 1, with an empty token for an initial sync', () => {
    for (const token of [undefined, 'http://radicale.org/ns/sync/a<b&c']) {
      const root = parseXml(syncCollectionBody(token));
      expect(root).toMatchObject({ ns: 'DAV:', name: 'sync-collection' });
      const names = root.children.map((c) => `${c.ns} ${c.name}`);
      expect(names).toEqual(['DAV: sync-token', 'DAV: sync-level', 'DAV: prop']);
      expect(root.children[0]!.text).toBe(token ?? '');
      expect(root.children[1]!.text).toBe('1');
      expect(root.children[2]!.children.map((c) => `${c.ns} ${c.name}`)).toEqual([
        'DAV: getetag',
        'urn:ietf:params:xml:ns:caldav calendar-data',
      ]);
    }
  });
});

describe('CalDavBackend.syncChanges', () => {
  it('returns the new token, changed objects with data and absolute URLs of deleted ones', async () => {
    const { backend, sent } = backendAnswering(207, ANSWER);
    const changes = await backend.syncChanges(CREDS, CAL, 'old');
    expect(changes.token).toBe('http://radicale.org/ns/sync/abc');
    expect(changes.changed).toEqual([
      { url: `${CAL}u1.ics`, version: '"e1"', ical: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' },
    ]);
    expect(changes.deleted).toEqual([`${CAL}gone%20one.ics`]);
    expect(sent[0]!.headers.get('depth')).toBe('0');
    expect(parseXml(sent[0]!.body).children[0]!.text).toBe('old');
  });

  it.each([403, 409, 410, 400, 404, 500])("turns HTTP %i to a token into 'changed' (sync again without one)", async (status) => {
    const { backend } = backendAnswering(status, '<error xmlns="DAV:"><valid-sync-token/></error>');
    expect(await kindOf(backend.syncChanges(CREDS, CAL, 'http://radicale.org/ns/sync/old'))).toBe('changed');
  });

  it("keeps 'unauthorized' for rejected credentials, with or without a token", async () => {
    const { backend } = backendAnswering(401, '');
    expect(await kindOf(backend.syncChanges(CREDS, CAL, 'tok'))).toBe('unauthorized');
    expect(await kindOf(backend.syncChanges(CREDS, CAL, undefined))).toBe('unauthorized');
  });

  it('maps failures of an initial sync like any other call', async () => {
    expect(await kindOf(backendAnswering(404, '').backend.syncChanges(CREDS, CAL, undefined))).toBe('not-found');
    expect(await kindOf(backendAnswering(403, '').backend.syncChanges(CREDS, CAL, undefined))).toBe('forbidden');
    expect(await kindOf(backendAnswering(500, '').backend.syncChanges(CREDS, CAL, undefined))).toBe('backend');
  });

  it("answers 'backend' for a multistatus without a sync-token", async () => {
    const { backend } = backendAnswering(207, ANSWER.replace(/<sync-token>.*<\/sync-token>/, ''));
    expect(await kindOf(backend.syncChanges(CREDS, CAL, undefined))).toBe('backend');
  });
});
