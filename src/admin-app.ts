import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { adminCommandRegistry } from './commands/admin-index.js';
import { formatterFor } from './output/index.js';
import type { AdminControl } from './wcap/admin-command.js';
import { Errno } from './wcap/errno.js';
import { errorToErrno } from './wcap/error-mapping.js';
import type { InputLimits } from './wcap/input-limits.js';
import { decoded, parseParams } from './wcap/params.js';
import { RawParams, rawQueryOf } from './wcap/raw-params.js';
import { errorResult, type Formatter, type WcapResult } from './wcap/result.js';
import { WcapError } from './wcap/wcap-error.js';

const COMMAND_PATH = /\/([A-Za-z0-9_]+)\.wcap$/;
const NO_CACHE = { 'Cache-Control': 'no-cache, no-store', Pragma: 'no-cache', Expires: '0', 'X-Content-Type-Options': 'nosniff' };

export interface AdminAppOptions {
  logger: Logger;
  /** WCAP_ADMIN_TOKEN; undefined: every request is refused. */
  token: string | undefined;
  admin: AdminControl;
  limits: InputLimits;
}

/**
 * The administrative listener's HTTP face (WCAP_ADMIN_PORT; docs/wcap-protocol.md#administrative-commands):
 * the 3.x admin group as `<command>.wcap` under any prefix, GET with query parameters. Every
 * request must carry `Authorization: Bearer <WCAP_ADMIN_TOKEN>`, compared in constant time; a
 * missing or wrong token is HTTP 401, a listener without a configured token answers 403 to
 * everything. Both with errno 76 in the asked format. Protocol outcomes are HTTP 200, as on the
 * WCAP listener. Tokens are never logged.
 */
export function createAdminApp(options: AdminAppOptions): Hono {
  const app = new Hono();
  const expected = options.token === undefined ? undefined : digest(options.token);
  app.get('*', async (c, next) => {
    const match = COMMAND_PATH.exec(c.req.path);
    if (!match) return next();
    const started = performance.now();
    const raw = new RawParams(options.limits.maxParams);
    raw.addQueryString(rawQueryOf(c.req.url));
    const formatter = formatterOf(raw);
    const command = adminCommandRegistry.get(match[1]!);
    const log = options.logger.child({ admin: true, cmd: command ? command.name : '(unknown)' });
    const answer = (result: WcapResult, status: 200 | 401 | 403, extra: Record<string, string> = {}) => {
      // The command's name only from the admin table, never echoed input: text/js names its callback after it.
      const rendered = (formatter ?? formatterFor(undefined)!).render(result, { command: command?.name });
      const errno = result.blocks[0]?.errno ?? 0;
      log.info({ errno, status, ms: Math.round(performance.now() - started) }, 'wcap admin');
      return c.body(rendered.body, status, { ...NO_CACHE, ...extra, 'Content-Type': rendered.contentType });
    };
    if (expected === undefined) {
      return answer(errorResult(Errno.ACCESS_DENIED, 'The admin listener has no WCAP_ADMIN_TOKEN configured and refuses every request'), 403);
    }
    if (!authorized(c.req.header('authorization'), expected)) {
      return answer(errorResult(Errno.ACCESS_DENIED, 'A valid "Authorization: Bearer <WCAP_ADMIN_TOKEN>" header is required'), 401, {
        'WWW-Authenticate': 'Bearer realm="wcap-gateway admin"',
      });
    }
    if (!formatter) return answer(errorResult(Errno.WCAP_NO_SUCH_FORMAT, 'No such output format'), 200);
    if (!command) return answer(errorResult(Errno.BAD_COMMAND, 'Unknown administrative command'), 200);
    try {
      if (raw.size > options.limits.maxParams) throw new WcapError(command.failsWith, `More than ${options.limits.maxParams} parameters (WCAP_MAX_PARAMS)`);
      const params = parseParams(command.params, raw, command.failsWith, options.limits.maxListItems);
      return answer(await command.run({ params, admin: options.admin, log }), 200);
    } catch (err) {
      const outcome = errorToErrno(err, command.failsWith);
      if (outcome.unexpected) log.error({ err }, 'admin command failed unexpectedly');
      return answer(errorResult(outcome.errno, outcome.message), 200);
    }
  });
  app.notFound((c) => c.text('Not an administrative command. Requests look like /get_session.wcap?userid=…\n', 404, NO_CACHE));
  return app;
}

function formatterOf(raw: RawParams): Formatter | undefined {
  const value = raw.get('fmt-out');
  if (value === undefined) return formatterFor(undefined);
  try {
    return formatterFor(decoded(value, 'fmt-out', Errno.WCAP_NO_SUCH_FORMAT));
  } catch {
    return undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares digests, so neither the token's length nor its content leaks through timing. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}
