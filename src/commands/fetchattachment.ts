import type ICAL from 'ical.js';
import type { Item } from '../calendars/item.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { attachLocation, isMimeType } from '../wcap/attach-ids.js';
import { p } from '../wcap/params.js';
import { errorResult } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

const NOT_FOUND = 'Attachment not found';

/**
 * fetchattachment (docs/wcap-protocol.md#attachments): the bytes of an inline attachment named
 * by its X-S1CS-ATTACH-ID, with the type it was stored with. The id names the calendar and the
 * item (wcap/attach-ids.ts); the item is read fresh (one GET where the gateway knows the object),
 * with the session's credentials, so the CalDAV server decides access. An id that is not the
 * gateway's, or names no stored file: errno 87.
 */
export default defineCommand({
  name: 'fetchattachment',
  needsSession: true,
  failsWith: Errno.ATTACHMENT_NOT_FOUND,
  params: { attachid: p.string() },
  async run({ params, calendars, limits }) {
    const attachId = params.attachid?.trim() ?? '';
    const location = attachLocation(attachId);
    if (!location) throw new WcapError(Errno.ATTACHMENT_NOT_FOUND, NOT_FOUND);
    const calendar = await calendars.resolve(location.calid);
    const item = (await calendar.find(location.uid, 'VEVENT')) ?? (await calendar.find(location.uid, 'VTODO'));
    const property = item ? attachmentIn(item, attachId) : undefined;
    if (!property) throw new WcapError(Errno.ATTACHMENT_NOT_FOUND, NOT_FOUND);
    const fmttype = String(property.getParameter('fmttype') ?? '').toLowerCase();
    // A managed attachment (RFC 8607) is one GET of its URL away, on the object's own server only.
    const managed = property.type === 'binary' ? null : await calendar.readManaged(item!, String(property.getFirstValue()), limits.maxAttachmentBytes);
    if (property.type !== 'binary' && !managed) throw new WcapError(Errno.ATTACHMENT_NOT_FOUND, NOT_FOUND);
    const contentType = isMimeType(fmttype) ? fmttype : managed && isMimeType(managed.contentType) ? managed.contentType : 'application/octet-stream';
    return {
      ...errorResult(Errno.OK, ''),
      file: {
        contentType,
        filename: String(property.getParameter('x-s1cs-filename') ?? 'attachment'),
        bytes: managed ? managed.bytes : new Uint8Array(Buffer.from(String(property.getFirstValue()), 'base64')),
      },
    };
  },
});

function attachmentIn(item: Item, attachId: string): ICAL.Property | undefined {
  for (const component of item.components) {
    const found = component.getAllProperties('attach').find((p) => p.getParameter('x-s1cs-attach-id') === attachId);
    if (found) return found;
  }
  return undefined;
}
