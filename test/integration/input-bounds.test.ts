import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, parseAnswer, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Every bound on a request (README, Security) crossed once over real sockets: the answer is the
 * command's errno with a message naming the setting, and nothing reaches the CalDAV server.
 */
const USER = 'carol';
const MAX_BODY = 1024 * 1024;

describe('input bounds', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness({ WCAP_MAX_BODY_BYTES: String(MAX_BODY), WCAP_MAX_PARAMS: '1000', WCAP_MAX_LIST_ITEMS: '100', WCAP_MAX_ATTENDEES: '50' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  /**
   * POSTs a chunked body of `total` bytes without Content-Length, 64 KB at a time, and resolves with
   * the answer and how many bytes the gateway let the client send before it answered and closed.
   */
  const uploadChunked = (command: string, total: number) =>
    new Promise<{ body: string; sent: number }>((resolve, reject) => {
      const url = new URL(`${command}.wcap`, h.gateway.url);
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      let answered: string | undefined;
      const request = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' } });
      request.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          answered = Buffer.concat(parts).toString();
          resolve({ body: answered, sent });
        });
      });
      // Writes fail once the gateway has closed the connection: that is the point.
      request.on('error', (err) => (answered === undefined ? reject(err) : undefined));
      const pump = () => {
        while (sent < total && answered === undefined && !request.destroyed) {
          sent += chunk.length;
          request.write(`X-FILL=${chunk.toString()}&`.slice(0, chunk.length));
          if (request.writableNeedDrain) return void request.once('drain', pump);
        }
        if (sent >= total) request.end();
      };
      pump();
    });

  it('a chunked body past WCAP_MAX_BODY_BYTES is refused while it streams, and the rest is never read', async () => {
    const rssBefore = process.memoryUsage().rss;
    // Ten 100 MB uploads at once, as in the attack the bound is for.
    const results = await Promise.all(Array.from({ length: 10 }, () => uploadChunked(`gettime`, 100 * 1024 * 1024)));
    for (const { body, sent } of results) {
      expect(body.replace(/\r\n /g, '')).toContain(`X-NSCP-WCAP-ERRNO-MESSAGE:The request body is larger than ${MAX_BODY} bytes (WCAP_MAX_BODY_BYTES)`);
      // What the client managed to push before the answer: the limit plus what socket buffers hold.
      expect(sent).toBeLessThan(32 * 1024 * 1024);
    }
    // Nothing close to 10 × 100 MB was kept (the gateway shares this process with the test).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    // The gateway still answers.
    expect((await h.wcap('gettime', `id=${id}`)).errno).toBe(0);
  });

  it('a body within the limit is read whole', async () => {
    const desc = 'x'.repeat(MAX_BODY / 2);
    const uid = randomUUID();
    const res = await fetch(new URL('storeevents.wcap', h.gateway.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `id=${id}&calid=${USER}&uid=${uid}&dtstart=20290301T090000Z&dtend=20290301T100000Z&summary=Big&desc=${desc}&storetype=1`,
    });
    expect((await parseAnswer(res)).errno).toBe(0);
  });

  it('more than WCAP_MAX_PARAMS parameters: refused before any of them is looked at', async () => {
    const before = h.caldavRequests.length;
    // 60,000 parameters, well within the body limit.
    const many = Array.from({ length: 60_000 }, (_, i) => `X-P${i}=v`).join('&');
    const res = await fetch(new URL('storeevents.wcap', h.gateway.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `id=${id}&calid=${USER}&uid=${randomUUID()}&dtstart=20290302T090000Z&summary=x&${many}`,
    });
    const answer = await parseAnswer(res);
    // storeevents errno for bad input.
    expect(answer.errno).toBe(14);
    expect(answer.body.replace(/\r\n /g, '')).toContain('More than 1000 parameters (WCAP_MAX_PARAMS)');
    expect(h.caldavRequests.length).toBe(before);
    // 900 X- parameters are fine.
    const some = Array.from({ length: 900 }, (_, i) => `X-P${i}=v`).join('&');
    const uid = randomUUID();
    const ok = await h.wcap('storeevents', `id=${id}&calid=${USER}&uid=${uid}&dtstart=20290302T090000Z&dtend=20290302T100000Z&summary=x&storetype=1&${some}`);
    expect(ok.errno).toBe(0);
  });

  it('a uid list longer than WCAP_MAX_LIST_ITEMS: refused, nothing deleted', async () => {
    const before = h.caldavRequests.length;
    const uids = Array.from({ length: 101 }, () => randomUUID()).join(';');
    const answer = await h.wcap('deleteevents_by_id', `id=${id}&calid=${USER}&uid=${uids}&fmt-out=text%2Fxml`);
    expect(answer.errno).not.toBe(0);
    expect(answer.body).toContain('Parameter uid has more than 100 items (WCAP_MAX_LIST_ITEMS)');
    expect(h.caldavRequests.length).toBe(before);
  });

  it('more than WCAP_MAX_ATTENDEES attendees: errno 43, nothing stored', async () => {
    const uid = randomUUID();
    const attendees = Array.from({ length: 51 }, (_, i) => `PARTSTAT=NEEDS-ACTION^${enc(`mailto:guest${i}@example.org`)}`).join(';');
    const answer = await h.wcap('storeevents', `id=${id}&calid=${USER}&uid=${uid}&dtstart=20290303T090000Z&dtend=20290303T100000Z&summary=x&storetype=1&attendees=${attendees}&fmt-out=text%2Fxml`);
    expect(answer.errno).toBe(43);
    expect(answer.body).toContain('More than 50 attendees (WCAP_MAX_ATTENDEES)');
    expect((await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).status).toBe(404);
  });
});
