import { randomUUID } from 'node:crypto';
import type ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, parseAnswer } from '../support/gateway-harness.js';
import { servers, startServerSuite, type ServerSuite } from '../support/server-suite.js';
import { multipartBody, postWcap } from '../support/upload-requests.js';

/**
 * Files of a multipart storeevents on every CalDAV server (docs/wcap-protocol.md#attachments): as
 * RFC 8607 managed attachments where the server offers them (Cyrus), inline elsewhere (Radicale,
 * Xandikos: limits.noManagedAttachments). Each store is read back directly from the server, and
 * fetchattachment must return the same bytes either way.
 */
const USER = 'wendy';
// Not text: every byte value, so a text round trip anywhere would show.
const BYTES = new Uint8Array(Array.from({ length: 700 }, (_, i) => (i * 7) % 256));

describe.each(servers().map((s) => [s.name, s] as const))('%s: attachments through the gateway', (name, server) => {
  let s: ServerSuite;
  let id: string;
  const managed = !server.limits.noManagedAttachments;
  beforeAll(async () => {
    s = await startServerSuite(server, { WCAP_MAX_ATTACHMENT_BYTES: '4096' });
    id = await s.login(USER);
  });
  afterAll(() => s.h.close());

  const event = async (uid: string): Promise<ICAL.Component | undefined> =>
    (await s.readObject(USER, `${s.defaultPath(USER)}${uid}.ics`))?.getFirstSubcomponent('vevent') ?? undefined;
  const storeWithFile = async (uid: string, file: { name: string; type: string; bytes: Uint8Array }) => {
    const { body, contentType } = multipartBody([
      { name: 'summary', value: 'With a file' },
      { name: 'attach', filename: file.name, contentType: file.type, value: file.bytes },
    ]);
    const query = `id=${id}&calid=${USER}&uid=${uid}&dtstart=20311203T090000Z&dtend=20311203T100000Z&fetch=1&fmt-out=text%2Fcalendar`;
    return parseAnswer(await postWcap(s.h, 'storeevents', query, body, contentType));
  };
  const fetchAttachment = (attachId: string) => fetch(`${s.h.gateway.url}fetchattachment.wcap?id=${id}&attachid=${enc(attachId)}`);

  it(`${name}: stores the file ${managed ? 'as a managed attachment (no bytes in the object)' : 'inline'}; fetchattachment returns the bytes`, async () => {
    const uid = randomUUID();
    const before = s.h.caldavRequests.length;
    const answer = await storeWithFile(uid, { name: 'plan.pdf', type: 'application/pdf', bytes: BYTES });
    expect(answer.errno).toBe(0);
    const attachId = String(answer.ical!.getFirstPropertyValue('x-s1cs-attach-id'));
    expect(attachId).toMatch(new RegExp(`^/${USER}/${uid}/`));
    // The answer names the file by its WCAP id, on either kind of server: no server URL, no bytes.
    const answered = answer.ical!.getFirstSubcomponent('vevent')!;
    expect(answered.getFirstProperty('x-s1cs-attach-id')!.toICALString()).toBe(`X-S1CS-ATTACH-ID;X-S1CS-FILENAME=plan.pdf;FMTTYPE=application/pdf:${attachId}`);
    expect(answered.getAllProperties('attach')).toEqual([]);
    const writes = s.h.caldavRequests.slice(before).filter((r) => r.method === 'PUT' || r.method === 'POST');
    expect(writes.map((r) => `${r.method} ${new URL(r.url).search}`)).toEqual(managed ? ['PUT ', 'POST ?action=attachment-add', 'PUT '] : ['PUT ']);

    const stored = (await event(uid))!;
    expect(stored.getFirstPropertyValue('summary')).toBe('With a file');
    const [attach, ...more] = stored.getAllProperties('attach');
    expect(more).toEqual([]);
    expect(attach!.getParameter('x-s1cs-attach-id')).toBe(attachId);
    if (managed) {
      expect(attach!.type).not.toBe('binary');
      expect(attach!.getParameter('managed-id')).toMatch(/\S/);
      expect(attach!.getParameter('fmttype')).toBe('application/pdf');
      // The object holds a reference; the bytes are at the server's own URL.
      const url = new URL(String(attach!.getFirstValue()));
      expect(url.origin).toBe(new URL(server.url).origin);
      const direct = await s.dav(USER, url.pathname);
      expect(new Uint8Array(await direct.arrayBuffer())).toEqual(BYTES);
    } else {
      expect(attach!.type).toBe('binary');
      expect(Buffer.from(String(attach!.getFirstValue()), 'base64')).toEqual(Buffer.from(BYTES));
    }

    const res = await fetchAttachment(attachId);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-nscp-wcap-errno') ?? '0').toBe('0');
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(BYTES);
  });

  it(`${name}: a later edit with replace=1 keeps the file; deleteattach removes it and fetchattachment then answers 87`, async () => {
    const uid = randomUUID();
    const attachId = String((await storeWithFile(uid, { name: 'a.bin', type: 'application/octet-stream', bytes: BYTES.slice(0, 100) })).ical!.getFirstPropertyValue('x-s1cs-attach-id'));
    const edit = await s.h.wcap('storeevents', `id=${id}&calid=${USER}&uid=${uid}&summary=Edited&replace=1&attachments=${enc('https://example.com/agenda.pdf')}&fmt-out=text%2Fcalendar`);
    expect(edit.errno).toBe(0);
    const kept = (await event(uid))!.getAllProperties('attach');
    expect(kept.map((a) => a.getParameter('x-s1cs-attach-id') ?? String(a.getFirstValue()))).toEqual([attachId, 'https://example.com/agenda.pdf']);
    expect(new Uint8Array(await (await fetchAttachment(attachId)).arrayBuffer())).toEqual(BYTES.slice(0, 100));

    const removed = await s.h.wcap('storeevents', `id=${id}&calid=${USER}&uid=${uid}&deleteattach=${enc(attachId)}&fmt-out=text%2Fcalendar`);
    expect(removed.errno).toBe(0);
    expect((await event(uid))!.getAllProperties('attach').map((a) => String(a.getFirstValue()))).toEqual(['https://example.com/agenda.pdf']);
    const gone = await s.h.wcap('fetchattachment', `id=${id}&attachid=${enc(attachId)}&fmt-out=text%2Fxml`);
    expect(gone.errno).toBe(87);
  });
});
