import { defineAdminCommand } from '../wcap/admin-command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/**
 * shutdown (3.x admin group, admin listener only; docs/wcap-protocol.md#administrative-commands):
 * answers errno 0, then stops this process as SIGTERM does: no new connections, requests in flight
 * finish (within WCAP_SHUTDOWN_GRACE_MS), then Redis and the CalDAV connections close.
 */
export default defineAdminCommand({
  name: 'shutdown',
  failsWith: Errno.BAD_ARGUMENTS,
  params: {},
  async run({ admin }) {
    admin.shutdown();
    return singleBlock([]);
  },
});
