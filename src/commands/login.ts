import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * Longest user name and password the gateway passes on. Longer ones are no credentials any CalDAV
 * server accepts: sent as a Basic Authorization header they break the server's header limit, and
 * its refusal is no answer to "are these credentials right?".
 */
const MAX_USER_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 4096;

/**
 * Validates the credentials against the CalDAV server, makes sure the default calendar exists, and
 * opens a session. Always errno 0 on success, never 2: Lightning treats 2 as a failure
 * (docs/lightning.md#errnos-with-special-handling). At most 3 CalDAV requests (+1 MKCALENDAR on a
 * user's first login).
 */
export default defineCommand({
  name: 'login',
  needsSession: false,
  failsWith: Errno.LOGIN_FAILED,
  params: { user: p.string(), password: p.string() },
  async run({ params, sessions, server }) {
    const user = params.user?.trim() ?? '';
    const password = params.password ?? '';
    if (user === '' || password === '') throw new WcapError(Errno.LOGIN_FAILED, 'Login failed: user and password are required');
    if (user.length > MAX_USER_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new WcapError(Errno.LOGIN_FAILED, `Login failed: a user name has at most ${MAX_USER_LENGTH} characters, a password at most ${MAX_PASSWORD_LENGTH}`);
    }
    const id = await sessions.open(user, password);
    return singleBlock([
      { name: 'X-NSCP-WCAP-SESSION-ID', value: id },
      { name: 'X-NSCP-WCAP-USER-ID', value: user },
      { name: 'X-NSCP-WCAP-CALENDAR-ID', value: user },
      { name: 'X-NSCP-RECURRENCE-BOUND', value: String(server.recurrenceBound) },
    ]);
  },
});
