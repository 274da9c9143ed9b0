import { defineAdminCommand } from '../wcap/admin-command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/**
 * refresh (3.x admin group, admin listener only; docs/wcap-protocol.md#administrative-commands):
 * 3.x reloaded the server's configuration; the gateway's configuration is fixed at start, so
 * refresh empties this process's caches instead — calendar snapshots in memory and the memo of
 * calendar properties. The next read of each calendar asks the CalDAV server again.
 */
export default defineAdminCommand({
  name: 'refresh',
  failsWith: Errno.BAD_ARGUMENTS,
  params: {},
  async run({ admin }) {
    await admin.refreshCaches();
    return singleBlock([]);
  },
});
