import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { singleBlock } from '../wcap/result.js';

/** Ends the session. Answers -1 ("Logout successful") even for unknown ids: logout is idempotent. */
export default defineCommand({
  name: 'logout',
  needsSession: false,
  failsWith: Errno.LOGOUT,
  params: {},
  async run({ sessions }) {
    await sessions.end();
    return singleBlock([], [], Errno.LOGOUT);
  },
});
