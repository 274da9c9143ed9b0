import { calendarChangesOf, calpropsParams } from '../wcap/calprops-params.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';
import { WcapError } from '../wcap/wcap-error.js';

/** What the client is told when the CalDAV server keeps rights where WCAP cannot reach them. */
export const RIGHTS_ON_SERVER =
  'Access rights of this calendar are managed on the CalDAV server, which does not accept WebDAV ACL; nothing was changed';

/**
 * Sets a calendar's properties (docs/wcap-protocol.md#set_calprops): every parameter is validated
 * before any request. Then, in this order: a Depth 0 PROPFIND (the calendar must exist: 29, and be
 * visible: 28); with `acl`, OPTIONS and — where the server announces WebDAV ACL — one ACL request
 * (RFC 3744), else errno 8 and nothing changed; one PROPPATCH with every other property (applied
 * whole or not at all); the answer is the calendar's properties read back (one more PROPFIND).
 */
export default defineCommand({
  name: 'set_calprops',
  needsSession: true,
  failsWith: Errno.SETCALPROPS_FAILED,
  params: { calid: p.string(), ...calpropsParams },
  async run({ params, calendars }) {
    const request = calendarChangesOf(params, Errno.SETCALPROPS_FAILED);
    const calid = params.calid?.trim() || calendars.user;
    const calendar = await calendars.resolve(calid);
    await calendar.properties({ fresh: true });
    if (request.acl && (await calendars.setCalendarAccess(calid, request.acl)) === 'unsupported') {
      throw new WcapError(Errno.SETCALPROPS_FAILED, RIGHTS_ON_SERVER);
    }
    await calendars.updateCalendar(calid, request.changes);
    return perCalendar(calendars, [calid], Errno.SETCALPROPS_FAILED, async () => ({ components: [] }), { fresh: true, full: true });
  },
});
