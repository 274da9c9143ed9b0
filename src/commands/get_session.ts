import { defineAdminCommand } from '../wcap/admin-command.js';
import { formatUtc } from '../wcap/datetime.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock, type WcapBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/** Sessions described per user at most; the count is always complete. */
export const SESSIONS_LISTED = 100;
/** Users one request may name. */
const USERS_PER_REQUEST = 100;

/**
 * get_session (3.x admin group, admin listener only; docs/wcap-protocol.md#administrative-commands).
 * Without `userid`: `X-NSCP-WCAP-SESSION-COUNT`, the live sessions of all users (on every replica
 * with Redis). With `userid` (a `;` list): one block per user with `X-NSCP-WCAP-USER-ID`, the
 * count, and one `X-NSCP-WCAP-SESSION` line per session (at most 100) whose parameters LOGIN and
 * ACCESS are its login and last request in UTC. Session ids and client addresses are never shown:
 * ids are secrets and stored only hashed, addresses are not stored. `tid` / `addr` → 60.
 */
export default defineAdminCommand({
  name: 'get_session',
  failsWith: Errno.BAD_ARGUMENTS,
  params: { userid: p.list(), tid: p.string(), addr: p.string() },
  async run({ params, admin }) {
    if (params.tid !== undefined || params.addr !== undefined) {
      throw new WcapError(Errno.BAD_ARGUMENTS, 'Sessions are looked up by userid only: session ids and addresses are not kept');
    }
    const users = [...new Set((params.userid ?? []).map((u) => u.trim()).filter((u) => u !== ''))];
    if (users.length === 0) return singleBlock([{ name: 'X-NSCP-WCAP-SESSION-COUNT', value: String(await admin.sessionCount()) }]);
    if (users.length > USERS_PER_REQUEST) throw new WcapError(Errno.BAD_ARGUMENTS, `At most ${USERS_PER_REQUEST} users per request`);
    const blocks = await Promise.all(
      users.map(async (user): Promise<WcapBlock> => {
        const sessions = await admin.sessionsOf(user, SESSIONS_LISTED);
        return {
          properties: [
            { name: 'X-NSCP-WCAP-USER-ID', value: user },
            { name: 'X-NSCP-WCAP-SESSION-COUNT', value: String(sessions.length) },
            ...sessions.map((s) => ({
              name: 'X-NSCP-WCAP-SESSION',
              value: user,
              params: { LOGIN: formatUtc(new Date(s.createdAt)), ACCESS: formatUtc(new Date(s.lastSeenAt)) },
            })),
          ],
          components: [],
          errno: Errno.OK,
        };
      }),
    );
    return { blocks };
  },
});
