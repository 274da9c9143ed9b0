import { defineCommand } from '../wcap/command.js';
import { singleBlock } from '../wcap/result.js';

const LOGOUT = -1;

/** Ends the session. Answers -1 ("Logout successful") even for unknown ids: logout is idempotent. */
export default defineCommand({
  name: 'logout',
  needsSession: false,
  failsWith: LOGOUT,
  params: {},
  async run({ sessionId, deps }) {
    if (sessionId) await deps.sessions.delete(sessionId);
    return singleBlock([], [], LOGOUT);
  },
});
