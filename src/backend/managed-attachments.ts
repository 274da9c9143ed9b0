import type { StoredObject } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';

/**
 * RFC 8607 managed attachments: the server keeps a file apart from the calendar object and the
 * object refers to it (ATTACH;MANAGED-ID=…;FILENAME=…;FMTTYPE=…:<url>).
 * docs/wcap-protocol.md#attachments says when the gateway uses them.
 */

/** A file to hand to the server. */
export interface ManagedFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** What the server answered to attachment-add: the id it gave the file and the object now. */
export interface AddedAttachment {
  managedId: string;
  object: StoredObject;
}

/** The bytes of a managed attachment and the type the server serves them with. */
export interface ManagedBytes {
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

// Longest Cal-Managed-ID taken; Cyrus's are 40 hex digits.
const MAX_MANAGED_ID = 200;

/**
 * POST <object>?action=attachment-add (RFC 8607 §3.8): one request, asking for the updated object
 * back (Prefer: return=representation) so no GET follows. 'changed' when the object moved on
 * (412), 'invalid' when the server refuses the file (400/413/415), else the usual kinds.
 */
export async function addManagedAttachment(
  http: DavTransport,
  credentials: BackendCredentials,
  object: StoredObject,
  file: ManagedFile,
): Promise<AddedAttachment> {
  const target = `${object.url}?action=attachment-add`;
  const answer = await http.exchange(credentials, 'POST', target, (extras, url) =>
    http.fetch(url, {
      method: 'POST',
      headers: {
        ...extras.headers,
        'Content-Type': file.contentType,
        // RFC 6266 §4.3: the quoted name is ASCII-safe (attach-ids.ts cleans quotes and controls),
        // filename* carries it exactly.
        'Content-Disposition': `attachment; filename="${file.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        Prefer: 'return=representation',
        ...(object.version ? { 'If-Match': object.version } : {}),
      },
      body: file.bytes,
      ...extras.init,
    }),
  );
  const what = `POST ${pathOf(object.url)}?action=attachment-add`;
  if (answer.status === 412) throw new GatewayError('changed', `${what}: the object changed`);
  if ([400, 413, 415].includes(answer.status)) throw new GatewayError('invalid', `${what}: the server refused the file (${answer.status})`);
  if (answer.status !== 200 && answer.status !== 201) throw statusError(answer, what, credentials);
  const managedId = (answer.headers.get('cal-managed-id') ?? '').trim();
  if (managedId === '' || managedId.length > MAX_MANAGED_ID || !answer.body.includes('BEGIN:VCALENDAR')) {
    throw new GatewayError('backend', `${what}: no Cal-Managed-ID or object in the answer`);
  }
  return { managedId, object: { url: object.url, version: answer.headers.get('etag') ?? '', ical: answer.body } };
}

/**
 * GET of a managed attachment's URL, only when it has the origin of the object that names it (the
 * credentials go nowhere else) and only up to `maxBytes`. null when it is of another origin, gone
 * (404/410) or larger than `maxBytes`.
 */
export async function readManagedAttachment(
  http: DavTransport,
  credentials: BackendCredentials,
  object: StoredObject,
  attachmentUrl: string,
  maxBytes: number,
): Promise<ManagedBytes | null> {
  let url: URL;
  try {
    url = new URL(attachmentUrl, object.url);
  } catch {
    return null;
  }
  if (url.origin !== new URL(object.url).origin) return null;
  let bytes: Uint8Array<ArrayBuffer> | null = null;
  const answer = await http.exchange(credentials, 'GET', url.href, async (extras, target) => {
    const response = await http.fetch(target, { method: 'GET', headers: extras.headers, ...extras.init });
    if (response.status !== 200) return response;
    bytes = await boundedBytes(response, maxBytes);
    // The transport reads answers as text: the bytes are kept here, the transport gets none.
    return new Response(null, { status: bytes ? 200 : 413, headers: response.headers });
  });
  if (answer.status === 404 || answer.status === 410 || answer.status === 413) return null;
  if (answer.status !== 200) throw statusError(answer, `GET ${pathOf(url.href)}`, credentials);
  if (!bytes) return null;
  return { contentType: (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase(), bytes };
}

/** The body, or null as soon as it exceeds `maxBytes` (the rest is not read). */
async function boundedBytes(response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    return declared > maxBytes ? null : new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
