import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * list / list_subscribed (docs/wcap-protocol.md#list-and-list_subscribed): one
 * `X-S1CS-CALPROPS-OWNED-CALENDAR` line per calendar of the user's home (list: one Depth 1
 * PROPFIND of the home), or one `X-S1CS-CALPROPS-SUBSCRIBED-CALENDAR` line per subscribed calid
 * (list_subscribed: one Depth 0 PROPFIND of the home for the stored list; a user who never changed
 * it is subscribed to their own calendars). Always with errno 0, which the documentation's example leaves out but clients need.
 * `userid` of another user: 76 (listing others' calendars is an administrator's feature Sun kept
 * off by default).
 */
export function listCommand(name: 'list' | 'list_subscribed') {
  const owned = name === 'list';
  return defineCommand({
    name,
    needsSession: true,
    failsWith: owned ? Errno.LIST_FAILED : Errno.LIST_SUBSCRIBED_FAILED,
    params: { userid: p.string() },
    async run({ params, calendars }) {
      const userid = params.userid?.trim();
      if (userid && userid !== calendars.user) throw new WcapError(Errno.ACCESS_DENIED, "Another user's calendars cannot be listed");
      const calids = owned ? (await calendars.list()).map((c) => c.calid) : await calendars.subscriptions();
      const token = owned ? 'X-S1CS-CALPROPS-OWNED-CALENDAR' : 'X-S1CS-CALPROPS-SUBSCRIBED-CALENDAR';
      return singleBlock(calids.map((value) => ({ name: token, value })));
    },
  });
}

export default listCommand('list');
