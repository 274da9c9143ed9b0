import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * change_password (2.x–6.0, docs/wcap-protocol.md#change_password): always 27. The gateway keeps no
 * passwords of its own; it hands the user's credentials to the CalDAV server, whose identity store
 * (Radicale's users file, LDAP, …) is the only place a password can change. The parameters
 * (oldPassword, newPassword) are never read, so they cannot reach a log.
 */
export default defineCommand({
  name: 'change_password',
  needsSession: true,
  failsWith: Errno.CHANGE_PASSWORD_FAILED,
  params: {},
  async run() {
    throw new WcapError(
      Errno.CHANGE_PASSWORD_FAILED,
      "Passwords cannot be changed through WCAP here: they belong to the CalDAV server's identity store; change the password there",
    );
  },
});
