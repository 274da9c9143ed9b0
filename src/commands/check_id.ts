import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/** X-NSCP-WCAP-CHECK-ID 1 for a live session, 0 otherwise; errno 0 either way (docs/wcap-protocol.md#check_id). */
export default defineCommand({
  name: 'check_id',
  needsSession: false,
  failsWith: Errno.OK,
  params: {},
  async run({ sessions }) {
    return singleBlock([{ name: 'X-NSCP-WCAP-CHECK-ID', value: (await sessions.isAlive()) ? '1' : '0' }]);
  },
});
