import { defineAdminCommand } from '../wcap/admin-command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * admin_logout (3.x admin group, admin listener only; docs/wcap-protocol.md#administrative-commands):
 * ends every session of `userid` in the session store, so on every replica sharing it (Redis);
 * the user's next request answers errno 1 and the client logs in again. Answers the user and
 * `X-NSCP-WCAP-SESSIONS-ENDED`. Without `userid`: 46; `tid` / `addr` (3.x) → 60, since sessions
 * are never named by id outside their owner's requests.
 */
export default defineAdminCommand({
  name: 'admin_logout',
  failsWith: Errno.BAD_ARGUMENTS,
  params: { userid: p.string(), tid: p.string(), addr: p.string() },
  async run({ params, admin }) {
    if (params.tid !== undefined || params.addr !== undefined) {
      throw new WcapError(Errno.BAD_ARGUMENTS, 'Sessions are ended by userid only: session ids and addresses are not kept');
    }
    const user = params.userid?.trim() ?? '';
    if (user === '') throw new WcapError(Errno.INSUFFICIENT_PARAMETERS, 'admin_logout needs userid, the user whose sessions end');
    const ended = await admin.logoutUser(user);
    return singleBlock([
      { name: 'X-NSCP-WCAP-USER-ID', value: user },
      { name: 'X-NSCP-WCAP-SESSIONS-ENDED', value: String(ended) },
    ]);
  },
});
