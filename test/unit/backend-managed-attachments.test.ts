import { describe, expect, it } from 'vitest';
import { DavTransport } from '../../src/backend/dav-transport.js';
import { addManagedAttachment, readManagedAttachment } from '../../src/backend/managed-attachments.js';
import { GatewayError } from '../../src/model/errors.js';

/** RFC 8607 requests of the CalDAV backend against scripted answers: what is sent, what is refused. */

const CREDS = { user: 'alice', password: 's3cret-Pa55' };
const OBJECT = { url: 'http://dav.test/cal/alice/default/e1.ics', version: '"v1"', ical: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' };
const FILE = { filename: 'Plan ä.pdf', contentType: 'application/pdf', bytes: new Uint8Array([0, 1, 2, 255]) };
const UPDATED = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e1\r\nATTACH;MANAGED-ID=m1;FMTTYPE=application/pdf:http://dav.test/att/m1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';

function transport(answer: (url: string, init: RequestInit) => Response): { http: DavTransport; sent: Array<{ url: string; init: RequestInit }> } {
  const sent: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl: typeof fetch = async (input, init = {}) => {
    sent.push({ url: String(input), init });
    return answer(String(input), init);
  };
  return { http: new DavTransport(5000, fetchImpl), sent };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('addManagedAttachment', () => {
  it('POSTs the bytes with If-Match, type and file name; returns the Cal-Managed-ID and the object the server answered', async () => {
    const { http, sent } = transport(() => new Response(UPDATED, { status: 201, headers: { 'Cal-Managed-ID': 'm1', ETag: '"v2"' } }));
    const added = await addManagedAttachment(http, CREDS, OBJECT, FILE);
    expect(added).toEqual({ managedId: 'm1', object: { url: OBJECT.url, version: '"v2"', ical: UPDATED } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(`${OBJECT.url}?action=attachment-add`);
    const headers = new Headers(sent[0]!.init.headers);
    expect(sent[0]!.init.method).toBe('POST');
    expect(headers.get('if-match')).toBe('"v1"');
    expect(headers.get('content-type')).toBe('application/pdf');
    expect(headers.get('content-disposition')).toBe(`attachment; filename="Plan _.pdf"; filename*=UTF-8''Plan%20%C3%A4.pdf`);
    expect(sent[0]!.init.body).toEqual(FILE.bytes);
  });

  it('412: changed; 413: invalid; an answer without Cal-Managed-ID: backend', async () => {
    expect((await failure(addManagedAttachment(transport(() => new Response('', { status: 412 })).http, CREDS, OBJECT, FILE))).kind).toBe('changed');
    expect((await failure(addManagedAttachment(transport(() => new Response('', { status: 413 })).http, CREDS, OBJECT, FILE))).kind).toBe('invalid');
    expect((await failure(addManagedAttachment(transport(() => new Response(UPDATED, { status: 201 })).http, CREDS, OBJECT, FILE))).kind).toBe('backend');
  });
});

describe('readManagedAttachment', () => {
  it('GETs a same-origin URL and returns the bytes with their type', async () => {
    const { http, sent } = transport(() => new Response(new Uint8Array([9, 8, 7]), { status: 200, headers: { 'Content-Type': 'image/png; name=x' } }));
    expect(await readManagedAttachment(http, CREDS, OBJECT, 'http://dav.test/att/m1', 10)).toEqual({ contentType: 'image/png', bytes: new Uint8Array([9, 8, 7]) });
    expect(sent.map((s) => s.url)).toEqual(['http://dav.test/att/m1']);
  });

  it('another origin is never asked (the credentials stay with the CalDAV server)', async () => {
    const { http, sent } = transport(() => new Response('x'));
    expect(await readManagedAttachment(http, CREDS, OBJECT, 'http://evil.test/att/m1', 10)).toBeNull();
    expect(await readManagedAttachment(http, CREDS, OBJECT, 'https://dav.test/att/m1', 10)).toBeNull();
    expect(await readManagedAttachment(http, CREDS, OBJECT, '//evil.test/att/m1', 10)).toBeNull();
    expect(sent).toEqual([]);
    expect(sent.filter((s) => !s.url.startsWith('http://dav.test/'))).toEqual([]);
  });

  it('more bytes than the limit, or a 404: null', async () => {
    const big = transport(() => new Response(new Uint8Array(11), { status: 200 }));
    expect(await readManagedAttachment(big.http, CREDS, OBJECT, '/att/m1', 10)).toBeNull();
    const gone = transport(() => new Response('', { status: 404 }));
    expect(await readManagedAttachment(gone.http, CREDS, OBJECT, '/att/m1', 10)).toBeNull();
  });
});
