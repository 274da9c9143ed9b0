import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * Deletes one of the user's calendars with everything in it (docs/wcap-protocol.md#deletecalendar).
 * `calid` is `user:name` or, as the 3.x guide writes it, just the name; the user's own id names the
 * default calendar, which is refused (errno 11) before any request. Another user's calendar: 28.
 * Requests: a Depth 0 PROPFIND (it must be a calendar: 29), one DELETE of the collection; the
 * gateway's cached snapshot and properties of it are dropped, and it is taken off the
 * user's subscription list (one PROPFIND of the home; a PROPPATCH when it was listed). Other users' lists live on
 * their homes, out of reach of this user's credentials: there it stays listed, and reading it
 * answers 29. `unsubscribe` is accepted (old Mozilla clients send it); the
 * calendar is taken off the list either way.
 */
export default defineCommand({
  name: 'deletecalendar',
  needsSession: true,
  failsWith: Errno.DELETECALENDAR_FAILED,
  params: { calid: p.string(), unsubscribe: p.flag(true) },
  async run({ params, calendars }) {
    const given = params.calid?.trim();
    if (!given) throw new WcapError(Errno.CALID_NOT_SPECIFIED, 'Parameter calid is required: the calendar to delete');
    const calid = given.includes(':') || given === calendars.user ? given : `${calendars.user}:${given}`;
    if (calendars.isDefault(calid)) {
      throw new WcapError(Errno.DELETECALENDAR_FAILED, 'The default calendar cannot be deleted');
    }
    const calendar = await calendars.resolve(calid);
    if (!calendar.owned) throw new WcapError(Errno.ACCESS_DENIED_TO_CALENDAR, 'Only your own calendars can be deleted');
    await calendar.properties({ fresh: true });
    await calendars.deleteCalendar(calid);
    await calendars.forgetSubscription(calid);
    return singleBlock([{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: calid }]);
  },
});
