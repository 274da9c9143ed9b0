import { isGatewayError } from '../model/errors.js';
import { defineCommand } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';
import { ensureDefaultCalendar } from './shared/calendars.js';

const LOGIN_FAILED = 1;

/**
 * Validates the credentials against the CalDAV server (principal discovery), makes sure the default
 * calendar exists, and opens a session. Always errno 0 on success, never 2: Lightning treats 2 as
 * a failure (lightning-client.md §3.3). Cost: 2 discovery requests + 1 PROPFIND of the default
 * calendar (+1 MKCALENDAR on a user's first login).
 */
export default defineCommand({
  name: 'login',
  needsSession: false,
  failsWith: LOGIN_FAILED,
  params: { user: p.string(), password: p.string() },
  async run({ params, deps, log }) {
    const user = params.user?.trim() ?? '';
    const password = params.password ?? '';
    if (user === '' || password === '') throw new WcapError(LOGIN_FAILED, 'Login failed: user and password are required');
    const credentials = { user, password };
    let home;
    try {
      home = await deps.backend.discoverHome(credentials);
    } catch (err) {
      if (isGatewayError(err, 'unauthorized') || isGatewayError(err, 'forbidden')) {
        throw new WcapError(LOGIN_FAILED, 'Login failed: wrong user name or password');
      }
      throw err;
    }
    await ensureDefaultCalendar(deps, credentials, home);
    const id = await deps.sessions.create({ user, password, ...home });
    log.info({ user }, 'login');
    return singleBlock([
      { name: 'X-NSCP-WCAP-SESSION-ID', value: id },
      { name: 'X-NSCP-WCAP-USER-ID', value: user },
      { name: 'X-NSCP-WCAP-CALENDAR-ID', value: user },
      { name: 'X-NSCP-RECURRENCE-BOUND', value: String(deps.config.recurrenceBound) },
    ]);
  },
});
