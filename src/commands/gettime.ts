import { formatUtc } from '../wcap/datetime.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/**
 * Server time in UTC; Lightning stores the clock difference for sync windows
 * (docs/lightning.md#server-time).
 */
export default defineCommand({
  name: 'gettime',
  needsSession: true,
  failsWith: Errno.GETTIME_FAILED,
  params: {},
  async run({ clock }) {
    return singleBlock([{ name: 'X-NSCP-WCAPTIME', value: formatUtc(new Date(clock.now())) }]);
  },
});
