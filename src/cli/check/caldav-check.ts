import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../../config.js';
import { discoverCapabilities } from '../../backend/dav-capabilities.js';
import { probeRadicaleVersion } from '../../embedded-radicale-process.js';
import { messageOf } from '../../model/errors.js';
import type { BackendCredentials } from '../../model/session.js';
import { displayUrl, type CheckResult } from './check-result.js';

/**
 * Whether the CalDAV server answers, and what it offers: its DAV compliance classes from OPTIONS
 * (backend/dav-capabilities.ts). `calendar-access` is required; the rest is reported.
 */
export async function checkCaldav(url: string, timeoutMs: number, credentials?: BackendCredentials): Promise<CheckResult> {
  const where = displayUrl(url);
  const started = performance.now();
  let capabilities;
  try {
    capabilities = await discoverCapabilities(url, { timeoutMs, ...(credentials ? { credentials } : {}) });
  } catch (err) {
    return { name: 'caldav', status: 'FAIL', reason: `${where}: ${messageOf(err)}` };
  }
  const { status, classes } = capabilities;
  const answered = `${where} answered OPTIONS with HTTP ${status} in ${Math.round(performance.now() - started)} ms`;
  if (status === 401) {
    return { name: 'caldav', status: 'ok', reason: `${answered}: it wants a login first; give --user to see its DAV classes` };
  }
  if (status < 200 || status > 299) return { name: 'caldav', status: 'FAIL', reason: `${answered}: not a CalDAV server at this URL?` };
  const has = (name: string) => classes.includes(name);
  const details = [
    `DAV: ${classes.join(', ') || '(none)'}`,
    `calendar-access: ${has('calendar-access') ? 'yes' : 'no'}`,
    `calendar-auto-schedule: ${has('calendar-auto-schedule') ? 'yes (the server delivers invitations)' : 'no (the server delivers no invitations itself)'}`,
  ];
  if (!has('calendar-access')) {
    return { name: 'caldav', status: 'FAIL', reason: `${answered} but does not announce calendar-access: not a CalDAV server?`, details };
  }
  return { name: 'caldav', status: 'ok', reason: answered, details };
}

/**
 * Without WCAP_CALDAV_URL, `serve` starts an embedded Radicale: checks that the program is there and
 * the users file readable, without starting it.
 */
export async function checkEmbeddedRadicale(config: Readonly<Config>, env: Record<string, string | undefined>): Promise<CheckResult> {
  const intro = 'WCAP_CALDAV_URL unset: serve would start the embedded Radicale';
  try {
    const version = await probeRadicaleVersion('radicale', env);
    const usersFile = resolve(config.radicaleUsersFile);
    await access(usersFile, constants.R_OK).catch((err: Error) => {
      throw new Error(`its users file ${usersFile} is not readable (WCAP_RADICALE_USERS): ${err.message}`);
    });
    return {
      name: 'caldav',
      status: 'ok',
      reason: `${intro} (radicale ${version})`,
      details: [`data: ${resolve(config.dataDir, 'radicale')}`, `users: ${usersFile}`],
    };
  } catch (err) {
    return { name: 'caldav', status: 'FAIL', reason: `${intro}, but ${messageOf(err)}` };
  }
}
