import type { RawParams } from '../wcap/raw-params.js';
import { boundaryOf, MultipartError, readMultipart, type PartSink } from './multipart-form.js';
import type { UploadSpool } from './upload-spool.js';

/** Bounds of a body that may carry files (README: import, export and attachments). */
export interface UploadBodyLimits {
  /** Bytes of the whole body (WCAP_MAX_UPLOAD_BYTES). */
  maxBytes: number;
  /** Parts of a multipart body; WCAP_MAX_PARAMS bounds the fields among them as well. */
  maxParts: number;
  /** Characters of one form field (WCAP_MAX_PARAM_LENGTH). */
  maxFieldBytes: number;
  /** Bytes of all form fields together, which are held in memory (WCAP_MAX_BODY_BYTES). */
  maxFieldsBytes: number;
}

/** Why a body could not be used; `tooLarge` makes app.ts close the connection. */
export type BodyProblem = { problem: string; tooLarge?: true };

class TooLarge extends Error {}

class FieldsTooLarge extends Error {}

/**
 * The body of a request to a command that takes files (import, storeevents, storetodos), read
 * while it streams in: multipart/form-data fields become parameters, file parts (those with a
 * `filename`) are spooled. With `files-or-body` (import) a body of any other type except a
 * urlencoded form (a file posted as text/calendar or text/xml) is spooled whole as the upload
 * `body`. Returns 'not-mine' for the bodies every other command reads (urlencoded, empty, and
 * for `files` anything but multipart), a problem for an unusable body.
 */
export async function readUploadBody(
  request: Request,
  raw: RawParams,
  spool: UploadSpool,
  limits: UploadBodyLimits,
  takes: 'files' | 'files-or-body',
): Promise<BodyProblem | 'not-mine' | undefined> {
  const type = request.headers.get('content-type') ?? '';
  const lower = type.toLowerCase();
  if (request.method !== 'POST' || !request.body || lower === '' || lower.startsWith('application/x-www-form-urlencoded')) return 'not-mine';
  const multipart = lower.startsWith('multipart/form-data');
  if (!multipart && takes === 'files') return 'not-mine';
  const declared = Number(request.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await request.body.cancel().catch(() => undefined);
    return tooLarge(limits.maxBytes);
  }
  const body = counted(request.body, limits.maxBytes);
  try {
    if (!multipart) {
      const writer = await spool.open('body', '', lower.split(';')[0]!.trim());
      for await (const chunk of body) await writer.write(chunk);
      await writer.finish();
      return undefined;
    }
    const boundary = boundaryOf(type);
    if (!boundary) return { problem: 'The multipart body has no boundary' };
    const fields = { left: limits.maxFieldsBytes };
    await readMultipart(body, boundary, { maxParts: limits.maxParts, maxHeaderBytes: 16 * 1024 }, (head) => {
      // An empty file input of an HTML form arrives as filename="" without content: no file.
      if (head.filename !== undefined && head.filename !== '') return fileSink(spool, head.name, head.filename, head.contentType ?? '');
      if (head.filename !== undefined) return { write: () => undefined, end: () => undefined };
      return fieldSink(raw, head.name, limits.maxFieldBytes, fields);
    });
    return undefined;
  } catch (err) {
    if (err instanceof TooLarge) return tooLarge(limits.maxBytes);
    if (err instanceof FieldsTooLarge) {
      return { problem: `The form fields are larger than ${limits.maxFieldsBytes} bytes together (WCAP_MAX_BODY_BYTES)`, tooLarge: true };
    }
    if (err instanceof MultipartError) return { problem: err.message };
    throw err;
  }
}

function tooLarge(maxBytes: number): BodyProblem {
  return { problem: `The request body is larger than ${maxBytes} bytes (WCAP_MAX_UPLOAD_BYTES)`, tooLarge: true };
}

/** The body's chunks, refused (TooLarge, the stream cancelled) as soon as they pass `maxBytes`. */
async function* counted(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > maxBytes) throw new TooLarge();
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function fileSink(spool: UploadSpool, field: string, filename: string, contentType: string): PartSink {
  const writer = spool.open(field, filename, contentType);
  return {
    write: async (chunk) => (await writer).write(chunk),
    end: async () => (await writer).finish(),
  };
}

/**
 * A form field: its text becomes a parameter, decoded already (RawValue encoded: false). One
 * character past the limit is kept, so the pipeline's length check names the parameter.
 */
function fieldSink(raw: RawParams, name: string, maxBytes: number, budget: { left: number }): PartSink {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    write: (chunk) => {
      budget.left -= chunk.byteLength;
      if (budget.left < 0) throw new FieldsTooLarge();
      if (size > maxBytes) return;
      const kept = chunk.subarray(0, maxBytes + 1 - size);
      chunks.push(Buffer.from(kept));
      size += kept.byteLength;
    },
    end: () => raw.add(name, { text: Buffer.concat(chunks).toString('utf8'), encoded: false }),
  };
}
