import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../../config.js';
import { probeRadicaleVersion } from '../../embedded-radicale-process.js';
import { messageOf } from '../../model/errors.js';
import type { BackendCredentials } from '../../model/session.js';
import { displayUrl, type CheckResult } from './check-result.js';

/** Most DAV compliance classes listed (a server's header is short; this bounds a hostile one). */
const MAX_CLASSES = 40;

/**
 * Asks the CalDAV server for its capabilities with OPTIONS on the base URL (RFC 4918 section 10.1:
 * the DAV header lists compliance classes; RFC 4791 section 5.1: a CalDAV server lists
 * calendar-access; RFC 6638 section 2: calendar-auto-schedule when it delivers invitations).
 * Unauthenticated first; when the server wants a login and `credentials` are given, again with them.
 */
export async function checkCaldav(url: string, timeoutMs: number, credentials?: BackendCredentials): Promise<CheckResult> {
  const where = displayUrl(url);
  const started = performance.now();
  let res: Response;
  try {
    res = await options(url, timeoutMs);
    if (res.status === 401 && credentials) res = await options(url, timeoutMs, credentials);
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(err);
    return { name: 'caldav', status: 'FAIL', reason: `${where} does not answer OPTIONS: ${reason}` };
  }
  const answered = `${where} answered OPTIONS with HTTP ${res.status} in ${Math.round(performance.now() - started)} ms`;
  if (res.status === 401) {
    return { name: 'caldav', status: 'ok', reason: `${answered}: it wants a login first; give --user to see its DAV classes` };
  }
  if (!res.ok) return { name: 'caldav', status: 'FAIL', reason: `${answered}: not a CalDAV server at this URL?` };
  const classes = (res.headers.get('dav') ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .slice(0, MAX_CLASSES);
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

async function options(url: string, timeoutMs: number, credentials?: BackendCredentials): Promise<Response> {
  const headers: Record<string, string> = {};
  if (credentials) {
    headers.authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
  }
  const res = await fetch(url, { method: 'OPTIONS', headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return res;
}

/** fetch's "fetch failed" with the system error under it (ECONNREFUSED, ENOTFOUND…). */
function describeFetchError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `${messageOf(err)} (${cause.code})`;
  return messageOf(err);
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
