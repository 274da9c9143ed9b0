import { ConfigError, loadConfig, type Config } from '../../config.js';
import type { BackendCredentials } from '../../model/session.js';
import type { CliIo } from '../cli-io.js';
import { EXIT } from '../exit-codes.js';
import { parseOptions, secondsOption, userOption } from '../usage.js';
import { checkCaldav, checkEmbeddedRadicale } from './caldav-check.js';
import { displayUrl, formatResult, formatSummary, type CheckResult } from './check-result.js';
import { checkLogin } from './login-check.js';
import { PASSWORD_VARIABLE, passwordFor } from './password.js';
import { checkRedis } from './redis-check.js';

const HELP = `Usage: wcap-gateway check [--user NAME] [--timeout SECONDS]

Checks a deployment with the server's own settings (environment, WCAP_CONFIG), one line per check
(ok, FAIL or skip, and why), then a summary:
  config   the settings are valid (otherwise exit 2, each problem on stderr)
  redis    WCAP_REDIS_URL answers PING
  caldav   the CalDAV server answers OPTIONS and announces calendar-access; lists its DAV classes
           (without WCAP_CALDAV_URL: the radicale program and users file of the embedded Radicale)
  login    with --user: logs in as the gateway does and lists the user's calendars (calid, name).
           Like a first WCAP login, it creates the user's default calendar when it is missing.

Options:
  -u, --user NAME        Also log in as NAME. The password comes from ${PASSWORD_VARIABLE},
                         or from a prompt (no echo) when stdin is a terminal; never an argument.
      --timeout SECONDS  Wait at most this long for Redis and for OPTIONS (default 5, 1 to 120)
  -h, --help             Show this help

Exit codes: 0 every check passed, 1 a check failed, 2 usage error or invalid configuration.
`;

/** `wcap-gateway check`. */
export async function runCheck(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    user: { type: 'string', short: 'u' },
    timeout: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const timeoutMs = secondsOption('timeout', values.timeout, 5, 1, 120) * 1000;
  const user = values.user === undefined ? undefined : userOption('user', values.user);

  let config: Readonly<Config>;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stdout.write(formatResult({ name: 'config', status: 'FAIL', reason: `invalid settings (${err.problems.length}, on stderr)` }));
    io.stderr.write(`${err.message}\n`);
    return EXIT.USAGE;
  }
  // Asked before any check runs, so the prompt is not mixed into their output.
  const credentials: BackendCredentials | undefined = user === undefined ? undefined : { user, password: await passwordFor(user, io) };

  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    io.stdout.write(formatResult(result));
  };
  report(configResult(config, io.env));
  report(await checkRedis(config, timeoutMs));
  report(config.caldavUrl ? await checkCaldav(config.caldavUrl, timeoutMs, credentials) : await checkEmbeddedRadicale(config, io.env));
  if (credentials) {
    report(
      config.caldavUrl
        ? await checkLogin(config, config.caldavUrl, credentials)
        : {
            name: 'login',
            status: 'FAIL',
            // A second Radicale on serve's data folder would rewrite the config serve's one restarts with.
            reason: 'needs WCAP_CALDAV_URL: the embedded Radicale runs only inside serve, and check does not start one',
          },
    );
  }
  io.stdout.write(formatSummary(results));
  return results.some((r) => r.status === 'FAIL') ? EXIT.FAILED : EXIT.OK;
}

function configResult(config: Readonly<Config>, env: Record<string, string | undefined>): CheckResult {
  const source = env.WCAP_CONFIG ? `environment and ${env.WCAP_CONFIG}` : 'environment; WCAP_CONFIG unset';
  return {
    name: 'config',
    status: 'ok',
    reason: `settings valid (${source})`,
    details: [
      `listen: ${config.host}:${config.port}`,
      `caldav: ${config.caldavUrl ? displayUrl(config.caldavUrl) : 'embedded Radicale'}`,
      `redis: ${config.redisUrl ? displayUrl(config.redisUrl) : 'none (sessions in process memory)'}`,
      `sessions: idle ${config.sessionIdleSeconds} s, at most ${config.sessionMaxSeconds} s`,
    ],
  };
}
