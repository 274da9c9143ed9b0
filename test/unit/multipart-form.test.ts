import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, readMultipart, type PartHead } from '../../src/http/multipart-form.js';
import { multipartBody } from '../support/upload-requests.js';

interface ReadPart extends PartHead {
  body: string;
}

async function read(body: Uint8Array, boundary: string, chunkSize: number, limits = { maxParts: 10, maxHeaderBytes: 1024 }): Promise<ReadPart[]> {
  const parts: ReadPart[] = [];
  async function* chunks() {
    for (let i = 0; i < body.length; i += chunkSize) yield body.subarray(i, i + chunkSize);
  }
  await readMultipart(chunks(), boundary, limits, (head) => {
    const bytes: Buffer[] = [];
    return {
      write: (chunk) => void bytes.push(Buffer.from(chunk)),
      end: () => void parts.push({ ...head, body: Buffer.concat(bytes).toString('latin1') }),
    };
  });
  return parts;
}

const BOUNDARY = '---------------------------33111928916708';

describe('multipart/form-data reader', () => {
  const { body } = multipartBody(
    [
      { name: 'calid', value: 'jdoe' },
      { name: 'Upload', filename: 'C:\\TEMP\\ical1.ics', contentType: 'Text/Calendar; charset=UTF-8', value: 'BEGIN:VCALENDAR\r\n\r\n--not-the-boundary\r\nEND:VCALENDAR\r\n' },
      { name: 'empty', value: '' },
    ],
    BOUNDARY,
  );

  it('gives the same parts however the body is cut into chunks', async () => {
    const whole = await read(body, BOUNDARY, body.length);
    expect(whole).toEqual([
      { name: 'calid', body: 'jdoe' },
      { name: 'Upload', filename: 'ical1.ics', contentType: 'text/calendar', body: 'BEGIN:VCALENDAR\r\n\r\n--not-the-boundary\r\nEND:VCALENDAR\r\n' },
      { name: 'empty', body: '' },
    ]);
    for (let size = 1; size <= 64; size++) expect(await read(body, BOUNDARY, size)).toEqual(whole);
  });

  it('reads the boundary of the Content-Type, quoted or not', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(boundaryOf('multipart/form-data; boundary="a b"; charset=x')).toBe('a b');
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
  });

  it('refuses more parts than allowed, endless headers and a body without its closing delimiter', async () => {
    await expect(read(body, BOUNDARY, 7, { maxParts: 2, maxHeaderBytes: 1024 })).rejects.toMatchObject({ kind: 'too-many-parts' });
    const longHeader = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${'x'.repeat(5000)}"\r\n\r\nv\r\n--${BOUNDARY}--\r\n`);
    await expect(read(longHeader, BOUNDARY, 100)).rejects.toBeInstanceOf(MultipartError);
    await expect(read(body.subarray(0, body.length - 10), BOUNDARY, 50)).rejects.toMatchObject({ kind: 'malformed' });
    const noName = Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nv\r\n--${BOUNDARY}--\r\n`);
    await expect(read(noName, BOUNDARY, 100)).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('hands a large part out in pieces while it streams (no part is buffered whole)', async () => {
    const big = 'x'.repeat(1_000_000);
    const large = multipartBody([{ name: 'f', filename: 'f.txt', value: big }], BOUNDARY).body;
    let largestWrite = 0;
    let total = 0;
    async function* chunks() {
      for (let i = 0; i < large.length; i += 65536) yield large.subarray(i, i + 65536);
    }
    await readMultipart(chunks(), BOUNDARY, { maxParts: 2, maxHeaderBytes: 1024 }, () => ({
      write: (chunk) => {
        largestWrite = Math.max(largestWrite, chunk.byteLength);
        total += chunk.byteLength;
      },
      end: () => undefined,
    }));
    expect(total).toBe(big.length);
    expect(largestWrite).toBeLessThanOrEqual(65536 + BOUNDARY.length + 4);
  });
});
