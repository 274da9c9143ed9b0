/**
 * A streaming multipart/form-data reader (RFC 7578, delimiter syntax of RFC 2046 §5.1.1). Parts
 * are handed to a sink chunk by chunk as they arrive, so a file part is never held whole in
 * memory; what one part's headers and the number of parts may cost is bounded. The total size is
 * bounded by whoever hands the stream in (bounded-body.ts counts it).
 *
 * Why not Response.formData(): it buffers the whole body, and a large upload (an import of a
 * calendar) must not be.
 */

/** What a part's headers say. */
export interface PartHead {
  /** The form field name (Content-Disposition `name`). */
  name: string;
  /** The file name when the part is a file (Content-Disposition `filename`). */
  filename?: string;
  /** The part's Content-Type, lower-cased, without parameters; absent when not given. */
  contentType?: string;
}

/** Where a part's body goes. `write` may be slow: the reader waits for it (back-pressure). */
export interface PartSink {
  write(chunk: Uint8Array): void | Promise<void>;
  end(): void | Promise<void>;
}

export interface MultipartLimits {
  /** Most parts in one body. */
  maxParts: number;
  /** Largest header block of one part, in bytes. */
  maxHeaderBytes: number;
}

/** A body that is not well-formed multipart, or crosses a limit. */
export class MultipartError extends Error {
  constructor(
    readonly kind: 'no-boundary' | 'malformed' | 'too-many-parts',
    message: string,
  ) {
    super(message);
  }
}

/** The boundary of a `multipart/form-data; boundary=…` Content-Type, or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Reads every part of `body`, calling `onPart` with each part's head and streaming its body into
 * the sink it returns. Throws MultipartError for a body that does not follow the syntax.
 */
export async function readMultipart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  limits: MultipartLimits,
  onPart: (head: PartHead) => PartSink,
): Promise<void> {
  // The first delimiter may start the body without a preceding CRLF; prefixing one makes every
  // delimiter the same `\r\n--boundary`.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buffer: Buffer = Buffer.from(CRLF);
  let state = 'preamble' as 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let sink: PartSink | undefined;
  let parts = 0;

  const step = async (final: boolean): Promise<boolean> => {
    switch (state) {
      case 'preamble': {
        const at = buffer.indexOf(delimiter);
        if (at < 0) {
          // Keep only what could still be the start of the delimiter.
          buffer = buffer.subarray(Math.max(0, buffer.length - delimiter.length));
          return false;
        }
        buffer = buffer.subarray(at + delimiter.length);
        state = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        if (buffer.length < 2) return false;
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = 'done';
          return false;
        }
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
        const eol = buffer.indexOf(CRLF);
        if (eol < 0) {
          if (buffer.length > 256) throw new MultipartError('malformed', 'A multipart delimiter line is too long');
          return false;
        }
        if (!/^[ \t]*$/.test(buffer.subarray(0, eol).toString('latin1'))) throw new MultipartError('malformed', 'A multipart delimiter is followed by text');
        buffer = buffer.subarray(eol + 2);
        state = 'headers';
        return true;
      }
      case 'headers': {
        // A part without headers starts with the empty line itself.
        const end = buffer.subarray(0, 2).equals(CRLF) ? -2 : buffer.indexOf(HEADER_END);
        if (end === -1) {
          if (buffer.length > limits.maxHeaderBytes) throw new MultipartError('malformed', 'The headers of a multipart part are too long');
          return false;
        }
        if (end > limits.maxHeaderBytes) throw new MultipartError('malformed', 'The headers of a multipart part are too long');
        if (++parts > limits.maxParts) throw new MultipartError('too-many-parts', `More than ${limits.maxParts} parts in the multipart body`);
        const head = headOf(end < 0 ? '' : buffer.subarray(0, end).toString('utf8'));
        buffer = buffer.subarray(end < 0 ? 2 : end + 4);
        sink = onPart(head);
        state = 'body';
        return true;
      }
      case 'body': {
        const at = buffer.indexOf(delimiter);
        if (at < 0) {
          // Everything except a possible start of the delimiter can go out now.
          const safe = final ? buffer.length : Math.max(0, buffer.length - delimiter.length);
          if (safe > 0) await sink!.write(buffer.subarray(0, safe));
          buffer = buffer.subarray(safe);
          return false;
        }
        if (at > 0) await sink!.write(buffer.subarray(0, at));
        await sink!.end();
        sink = undefined;
        buffer = buffer.subarray(at + delimiter.length);
        state = 'after-delimiter';
        return true;
      }
      case 'done':
        return false;
    }
  };

  for await (const chunk of body) {
    if (state === 'done') continue;
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    while (await step(false));
  }
  while (await step(true));
  if (state !== 'done') throw new MultipartError('malformed', 'The multipart body ends before its closing delimiter');
}

/** Content-Disposition and Content-Type of a part's header block. */
function headOf(block: string): PartHead {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') {
      name = parameterOf(value, 'name');
      filename = parameterOf(value, 'filename');
    } else if (header === 'content-type') {
      contentType = value.split(';')[0]!.trim().toLowerCase();
    }
  }
  if (name === undefined) throw new MultipartError('malformed', 'A multipart part has no Content-Disposition name');
  return { name, ...(filename !== undefined ? { filename: baseName(filename) } : {}), ...(contentType ? { contentType } : {}) };
}

/**
 * A `key="value"` or `key=value` parameter of a header value. A backslash is not an escape here:
 * browsers send quotes in names as %22 (HTML's form encoding), and old ones sent whole Windows paths.
 */
function parameterOf(value: string, key: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value);
  if (!match) return undefined;
  return match[1] ?? match[2];
}

/** Browsers of old sent the whole client path (`C:\TEMP\ical1.ics`): only its last segment is a name. */
function baseName(filename: string): string {
  const parts = filename.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}
