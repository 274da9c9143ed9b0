import { describe, expect, it } from 'vitest';
import { changeCalendar } from '../../src/backend/calendar-changes.js';
import { DavTransport } from '../../src/backend/dav-transport.js';
import { GatewayError } from '../../src/model/errors.js';

const CREDENTIALS = { user: 'jdoe', password: 'pw' };
const URL = 'http://dav.test/jdoe/work/';

/** A transport whose server answers every request with `status` and `body`, recording what it got. */
function serverAnswering(status: number, body: string) {
  const seen: Array<{ method: string; body: string }> = [];
  const fetchImpl: typeof fetch = async (_input, init) => {
    seen.push({ method: String(init?.method), body: String(init?.body ?? '') });
    return new Response(body, { status, headers: { 'Content-Type': 'application/xml' } });
  };
  return { http: new DavTransport(1000, fetchImpl), seen };
}

const multistatus = (propstats: string) =>
  `<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:W="urn:wcap-gateway:properties"><response><href>/jdoe/work/</href>${propstats}</response></multistatus>`;
const propstat = (props: string, status: string) => `<propstat><prop>${props}</prop><status>HTTP/1.1 ${status}</status></propstat>`;

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('changeCalendar (PROPPATCH)', () => {
  it('sends sets and removals in one request', async () => {
    const { http, seen } = serverAnswering(207, multistatus(propstat('<displayname/><W:categories/>', '200 OK')));
    await changeCalendar(http, CREDENTIALS, URL, { displayName: 'Work', description: null, settings: { categories: ['a'], owners: null } });
    expect(seen.map((r) => r.method)).toEqual(['PROPPATCH']);
    expect(seen[0]!.body).toContain('<D:set><D:prop><D:displayname>Work</D:displayname><W:categories>[&quot;a&quot;]</W:categories></D:prop></D:set>');
    expect(seen[0]!.body).toContain('<D:remove><D:prop><C:calendar-description/><W:owners/></D:prop></D:remove>');
  });

  it('sends nothing when nothing changes', async () => {
    const { http, seen } = serverAnswering(500, '');
    await changeCalendar(http, CREDENTIALS, URL, { settings: {} });
    expect(seen).toEqual([]);
  });

  it('names a property the server does not store (as Xandikos 0.2.8 refuses dead properties)', async () => {
    const body = multistatus(propstat('<W:categories/>', '404 Not Found') + propstat('<displayname/>', '424 Failed Dependency'));
    const err = await failure(changeCalendar(serverAnswering(207, body).http, CREDENTIALS, URL, { displayName: 'x', settings: { categories: ['a'] } }));
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('categories');
  });

  it('a refused property that is forbidden, a missing calendar and an unknown zone', async () => {
    expect((await failure(changeCalendar(serverAnswering(207, multistatus(propstat('<displayname/>', '403 Forbidden'))).http, CREDENTIALS, URL, { displayName: 'x' }))).kind).toBe('forbidden');
    expect((await failure(changeCalendar(serverAnswering(404, '').http, CREDENTIALS, URL, { displayName: 'x' }))).kind).toBe('no-calendar');
    const { http, seen } = serverAnswering(207, '');
    expect((await failure(changeCalendar(http, CREDENTIALS, URL, { timezone: 'Mars/Olympus' }))).kind).toBe('invalid');
    expect(seen).toEqual([]);
  });
});
