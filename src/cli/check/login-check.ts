import type { Config } from '../../config.js';
import { standaloneCalendarService } from '../../gateway.js';
import { createLogger } from '../../logger.js';
import { isGatewayError, messageOf } from '../../model/errors.js';
import type { BackendCredentials } from '../../model/session.js';
import type { CheckResult } from './check-result.js';

/** Calendars listed at most; the rest are counted. */
const MAX_LISTED = 200;

/**
 * Logs in as the gateway's login does (CalendarService.open: discovery, and the default calendar
 * created when missing) and lists the user's calendars as get_userprefs does (repository list).
 * No session is created: the gateway's stores are not involved.
 */
export async function checkLogin(config: Readonly<Config>, caldavUrl: string, credentials: BackendCredentials): Promise<CheckResult> {
  const log = createLogger('silent');
  const { calendars, close } = standaloneCalendarService(config, caldavUrl, log);
  const user = credentials.user;
  try {
    const home = await calendars.open(credentials);
    const now = Date.now();
    const listed = await calendars.forSession({ ...credentials, ...home, createdAt: now, lastSeenAt: now }, log).list();
    const width = Math.min(40, Math.max(5, ...listed.map((c) => c.calid.length)));
    const details = listed.slice(0, MAX_LISTED).map((c) => {
      const name = c.info.displayName === undefined ? '(no name)' : JSON.stringify(c.info.displayName);
      return `${c.calid.padEnd(width)}  ${name}${c.isDefault ? '  (default)' : ''}`;
    });
    if (listed.length > MAX_LISTED) details.push(`… and ${listed.length - MAX_LISTED} more`);
    const count = `${listed.length} calendar${listed.length === 1 ? '' : 's'}`;
    return { name: 'login', status: 'ok', reason: `${user} logged in; ${count} (calid, name):`, details };
  } catch (err) {
    if (isGatewayError(err, 'unauthorized') || isGatewayError(err, 'forbidden')) {
      return { name: 'login', status: 'FAIL', reason: `the CalDAV server refused the login of ${user} (wrong user name or password)` };
    }
    return { name: 'login', status: 'FAIL', reason: `login of ${user} failed: ${messageOf(err)}` };
  } finally {
    await close();
  }
}
