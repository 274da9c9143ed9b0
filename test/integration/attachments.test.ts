import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, parseAnswer, startHarness, type Harness } from '../support/gateway-harness.js';
import { multipartBody, postWcap } from '../support/upload-requests.js';

/**
 * Files attached by a multipart storeevents / storetodos (docs/wcap-protocol.md#attachments):
 * stored inline in the item on Radicale (which has no managed attachments), named by
 * X-S1CS-ATTACH-ID in the answer, and served back by fetchattachment.
 */
const USER = 'dave';
// Bytes that are not text: every value 0..255, twice.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 512 }, (_, i) => i % 256)]);

describe('attachments on Radicale', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness({ WCAP_MAX_ATTACHMENT_BYTES: '2048' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  const stored = async (uid: string): Promise<ICAL.Component | null> => {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
    if (res.status === 404) return null;
    return new ICAL.Component(ICAL.parse(await res.text()) as unknown[]).getFirstSubcomponent('vevent');
  };
  const storeWithFiles = async (uid: string, files: Array<{ name: string; type: string; bytes: Uint8Array }>, extra = '') => {
    const { body, contentType } = multipartBody([
      { name: 'summary', value: 'With a file' },
      ...files.map((f) => ({ name: 'attach', filename: f.name, contentType: f.type, value: f.bytes })),
    ]);
    const query = `id=${id}&calid=${USER}&uid=${uid}&dtstart=20261203T090000Z&dtend=20261203T100000Z&fetch=1&fmt-out=text%2Fcalendar${extra}`;
    return parseAnswer(await postWcap(h, 'storeevents', query, body, contentType));
  };

  it('stores a file part inline as ATTACH;VALUE=BINARY and answers its X-S1CS-ATTACH-ID; fetchattachment returns the bytes', async () => {
    const uid = randomUUID();
    const answer = await storeWithFiles(uid, [{ name: 'Grafik Ä.png', type: 'image/png', bytes: PNG }]);
    expect(answer.errno).toBe(0);
    const attachId = String(answer.ical!.getFirstPropertyValue('x-s1cs-attach-id'));
    expect(attachId).toMatch(/^\/dave\//);
    const event = (await stored(uid))!;
    expect(event.getFirstPropertyValue('summary')).toBe('With a file');
    const attach = event.getFirstProperty('attach')!;
    expect(attach.getParameter('value')).toBeUndefined();
    expect(attach.type).toBe('binary');
    expect(attach.getParameter('encoding')).toBe('BASE64');
    expect(attach.getParameter('fmttype')).toBe('image/png');
    expect(attach.getParameter('x-s1cs-attach-id')).toBe(attachId);
    expect(Buffer.from(String(attach.getFirstValue()), 'base64')).toEqual(Buffer.from(PNG));

    const res = await fetch(`${h.gateway.url}fetchattachment.wcap?id=${id}&attachid=${enc(attachId)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Grafik _.png"; filename*=UTF-8''${enc('Grafik Ä.png')}`);
    // Stored data decides the type: the browser must save it, never run it.
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
  });

  it('keeps the file when Lightning edits the item with replace=1 and its URL list; deleteattach removes it', async () => {
    const uid = randomUUID();
    const first = await storeWithFiles(uid, [{ name: 'a.bin', type: 'application/octet-stream', bytes: PNG.slice(0, 64) }]);
    const attachId = String(first.ical!.getFirstPropertyValue('x-s1cs-attach-id'));
    const edit = await h.wcap('storeevents', `id=${id}&calid=${USER}&uid=${uid}&summary=Edited&replace=1&attachments=${enc('https://example.com/agenda.pdf')}&fmt-out=text%2Fcalendar`);
    expect(edit.errno).toBe(0);
    const attaches = (await stored(uid))!.getAllProperties('attach');
    expect(attaches.map((a) => (a.type === 'binary' ? 'file' : String(a.getFirstValue())))).toEqual(['file', 'https://example.com/agenda.pdf']);
    const removed = await h.wcap('storeevents', `id=${id}&calid=${USER}&uid=${uid}&deleteattach=${enc(attachId)}&fmt-out=text%2Fcalendar`);
    expect(removed.errno).toBe(0);
    expect((await stored(uid))!.getAllProperties('attach').map((a) => String(a.getFirstValue()))).toEqual(['https://example.com/agenda.pdf']);
    const gone = await h.wcap('fetchattachment', `id=${id}&attachid=${enc(attachId)}&fmt-out=text%2Fxml`);
    expect(gone.errno).toBe(87);
  });

  it('a file above WCAP_MAX_ATTACHMENT_BYTES: errno 84 naming the limit, nothing stored', async () => {
    const uid = randomUUID();
    const answer = await storeWithFiles(uid, [{ name: 'big.bin', type: 'application/octet-stream', bytes: new Uint8Array(2049) }]);
    expect(answer.errno).toBe(84);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message')).toContain('WCAP_MAX_ATTACHMENT_BYTES');
    expect(await stored(uid)).toBeNull();
  });

  it('more than 10 files in one store: errno 84, nothing stored', async () => {
    const uid = randomUUID();
    const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.bin`, type: 'application/octet-stream', bytes: PNG.slice(0, 16) }));
    const answer = await storeWithFiles(uid, files);
    expect(answer.errno).toBe(84);
    expect(await stored(uid)).toBeNull();
  });

  it('an unknown attachid: errno 87', async () => {
    for (const attachId of ['nonsense', `/${USER}/${randomUUID()}/${randomUUID()}/x.png`, '/home/jdoe/calendar/dropbox/D1E96253.dropbox/%2520.jpg']) {
      const answer = await h.wcap('fetchattachment', `id=${id}&attachid=${enc(attachId)}&fmt-out=text%2Fcalendar`);
      expect(answer.errno, attachId).toBe(87);
      expect(answer.contentType).toBe('text/calendar; charset=UTF-8');
    }
  });
});
