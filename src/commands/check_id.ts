import { defineCommand } from '../wcap/command.js';
import { singleBlock } from '../wcap/result.js';

/** X-NSCP-WCAP-CHECK-ID 1 for a live session, 0 otherwise; errno 0 either way (O80). */
export default defineCommand({
  name: 'check_id',
  needsSession: false,
  failsWith: 0,
  params: {},
  async run({ sessionId, deps }) {
    const alive = sessionId ? (await deps.sessions.get(sessionId)) !== null : false;
    return singleBlock([{ name: 'X-NSCP-WCAP-CHECK-ID', value: alive ? '1' : '0' }]);
  },
});
