import { isGatewayError } from '../model/errors.js';
import type { AttachedFile } from '../model/item-changes.js';
import { Errno } from '../wcap/errno.js';
import { WcapError } from '../wcap/wcap-error.js';
import type { Calendar } from './calendar.js';
import type { Item } from './item.js';

/**
 * Files of a store as RFC 8607 managed attachments, on servers that offer them
 * (docs/wcap-protocol.md#attachments): one POST ?action=attachment-add per file, then one PUT
 * that marks each ATTACH the server wrote (found by its MANAGED-ID) with the file's
 * X-S1CS-ATTACH-ID and X-S1CS-FILENAME, so fetch output, deleteattach and fetchattachment find it
 * by the WCAP id as they find an inline one. `created`: the item was new in this store; when a
 * step fails, it is deleted again, so no object is left with only some of its files.
 */
export async function attachManagedFiles(calendar: Calendar, item: Item, files: readonly AttachedFile[], created: boolean): Promise<Item> {
  let current = item;
  try {
    const pending: Array<{ managedId: string; file: AttachedFile }> = [];
    for (const file of files) {
      const bytes = new Uint8Array(Buffer.from(file.base64, 'base64'));
      const added = await calendar.attachManaged(current, { filename: file.filename, contentType: file.contentType, bytes });
      current = added.item;
      pending.push({ managedId: added.managedId, file });
    }
    for (const component of current.components) {
      for (const attach of component.getAllProperties('attach')) {
        if (attach.getParameter('x-s1cs-attach-id') !== undefined) continue;
        // A server that keeps one copy of equal files gives them one MANAGED-ID: each ATTACH takes the next.
        const index = pending.findIndex((p) => p.managedId === attach.getParameter('managed-id'));
        if (index < 0) continue;
        const { file } = pending.splice(index, 1)[0]!;
        attach.setParameter('x-s1cs-attach-id', file.attachId);
        attach.setParameter('x-s1cs-filename', file.filename);
      }
    }
    return await calendar.save(current);
  } catch (err) {
    if (created) await calendar.remove(current).catch(() => undefined);
    if (isGatewayError(err, 'invalid')) throw new WcapError(Errno.INVALID_ATTACHMENT, 'The CalDAV server refused the attachment');
    throw err;
  }
}
