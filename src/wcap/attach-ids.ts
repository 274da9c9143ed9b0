import { randomUUID } from 'node:crypto';
import type { AttachedFile } from '../model/item-changes.js';
import { Errno } from './errno.js';
import type { Upload } from './upload.js';
import { WcapError } from './wcap-error.js';

/**
 * Files of a multipart store as inline attachments (docs/wcap-protocol.md#attachments), and their
 * ids. An X-S1CS-ATTACH-ID looks like Sun's dropbox paths (`/<calid>/<uid>/<uuid>/<file name>`,
 * each part percent-encoded), so fetchattachment finds the item that holds the file from the id
 * alone; the random part keeps two files of the same name apart.
 */

/** Where an attachment id says the file is. */
export interface AttachLocation {
  calid: string;
  uid: string;
}

// A MIME type as RFC 6838 §4.2 allows its names; anything else is served as octet-stream.
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/**
 * Files one store may attach: each becomes part of the item's one calendar object, which every
 * later write of the item sends again whole.
 */
export const MAX_FILES_PER_STORE = 10;

/**
 * The uploads as files to attach to item `uid` of `calid`, each within `maxBytes`, at most
 * {@link MAX_FILES_PER_STORE} (else WcapError 84 INVALID_ATTACHMENT naming the limit, before
 * anything is written).
 */
export async function attachedFiles(uploads: readonly Upload[], calid: string, uid: string, maxBytes: number): Promise<AttachedFile[]> {
  if (uploads.length > MAX_FILES_PER_STORE) throw new WcapError(Errno.INVALID_ATTACHMENT, `More than ${MAX_FILES_PER_STORE} files in one store`);
  const files: AttachedFile[] = [];
  for (const upload of uploads) {
    const filename = cleanName(upload.filename);
    if (upload.size > maxBytes) {
      throw new WcapError(Errno.INVALID_ATTACHMENT, `The attachment ${JSON.stringify(filename.slice(0, 80))} is larger than ${maxBytes} bytes (WCAP_MAX_ATTACHMENT_BYTES)`);
    }
    const contentType = MIME_TYPE.test(upload.contentType) ? upload.contentType : 'application/octet-stream';
    const attachId = ['', calid, uid, randomUUID(), filename].map(encodeURIComponent).join('/');
    files.push({ attachId, filename, contentType, base64: Buffer.from(await upload.bytes()).toString('base64') });
  }
  return files;
}

/** The calendar and item an attachment id names, or undefined when it is not one of the gateway's. */
export function attachLocation(attachId: string): AttachLocation | undefined {
  const parts = attachId.split('/');
  if (parts.length !== 5 || parts[0] !== '') return undefined;
  try {
    const [calid, uid] = [decodeURIComponent(parts[1]!), decodeURIComponent(parts[2]!)];
    return calid !== '' && uid !== '' ? { calid, uid } : undefined;
  } catch {
    return undefined;
  }
}

/** A file name fit for an iCalendar parameter and a header: no quotes or control characters, bounded. */
function cleanName(name: string): string {
  const clean = name.replace(/["\\\u0000-\u001f\u007f]/g, '_').slice(0, 255);
  return clean === '' ? 'attachment' : clean;
}

/** Whether a content type is one the gateway serves as is. */
export function isMimeType(value: string): boolean {
  return MIME_TYPE.test(value);
}
