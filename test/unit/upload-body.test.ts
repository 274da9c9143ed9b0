import { describe, expect, it } from 'vitest';
import { readUploadBody } from '../../src/http/upload-body.js';
import { UploadSpool } from '../../src/http/upload-spool.js';
import { RawParams } from '../../src/wcap/raw-params.js';
import { multipartBody } from '../support/upload-requests.js';

const LIMITS = { maxBytes: 100_000, maxParts: 10, maxFieldBytes: 1000, maxFieldsBytes: 2000 };

function post(body: Uint8Array<ArrayBuffer> | string, contentType: string): Request {
  return new Request('http://wcap.test/import.wcap', { method: 'POST', body, headers: { 'Content-Type': contentType } });
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

describe('bodies of commands that take files', () => {
  it('makes fields parameters and spools file parts, which are gone after dispose', async () => {
    const { body, contentType } = multipartBody([
      { name: 'calid', value: 'jdoe' },
      { name: 'Upload', filename: 'a.ics', contentType: 'text/calendar', value: 'BEGIN:VCALENDAR' },
      { name: 'Empty', filename: '', value: '' },
    ]);
    const raw = new RawParams();
    const spool = new UploadSpool();
    expect(await readUploadBody(post(body, contentType), raw, spool, LIMITS, 'files')).toBeUndefined();
    expect(raw.get('calid')).toEqual({ text: 'jdoe', encoded: false });
    expect(spool.uploads.map((u) => [u.field, u.filename, u.contentType, u.size])).toEqual([['Upload', 'a.ics', 'text/calendar', 15]]);
    expect(await text(spool.uploads[0]!.chunks())).toBe('BEGIN:VCALENDAR');
    await spool.dispose();
    await expect(text(spool.uploads[0]!.chunks())).rejects.toThrow(/ENOENT/);
  });

  it('takes a plain text/calendar body as the upload `body` for import only; leaves urlencoded bodies to the form reader', async () => {
    const spool = new UploadSpool();
    expect(await readUploadBody(post('BEGIN:VCALENDAR', 'text/calendar; charset=utf-8'), new RawParams(), spool, LIMITS, 'files-or-body')).toBeUndefined();
    expect(spool.uploads.map((u) => [u.field, u.contentType])).toEqual([['body', 'text/calendar']]);
    await spool.dispose();
    expect(await readUploadBody(post('a=b', 'application/x-www-form-urlencoded'), new RawParams(), new UploadSpool(), LIMITS, 'files-or-body')).toBe('not-mine');
    // A store's body that is not multipart is the 3.x form encodings' business, never a file.
    expect(await readUploadBody(post('BEGIN:VCALENDAR', 'text/calendar'), new RawParams(), new UploadSpool(), LIMITS, 'files')).toBe('not-mine');
  });

  it('refuses a body over the limit, fields over their joint limit and a multipart body without boundary', async () => {
    const big = multipartBody([{ name: 'f', filename: 'f', value: 'x'.repeat(100_001) }]);
    expect(await readUploadBody(post(big.body, big.contentType), new RawParams(), new UploadSpool(), LIMITS, 'files')).toEqual({
      problem: 'The request body is larger than 100000 bytes (WCAP_MAX_UPLOAD_BYTES)',
      tooLarge: true,
    });
    const fields = multipartBody(Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, value: 'y'.repeat(900) })));
    expect(await readUploadBody(post(fields.body, fields.contentType), new RawParams(), new UploadSpool(), LIMITS, 'files')).toMatchObject({
      problem: expect.stringContaining('WCAP_MAX_BODY_BYTES'),
    });
    expect(await readUploadBody(post('x', 'multipart/form-data'), new RawParams(), new UploadSpool(), LIMITS, 'files')).toEqual({ problem: 'The multipart body has no boundary' });
  });
});
