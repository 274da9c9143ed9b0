import { loadConfig, type Config } from '../config.js';
import { startEmbeddedRadicale, type EmbeddedRadicale } from '../embedded-radicale.js';
import { startGateway, type RunningGateway } from '../gateway.js';
import { createLogger } from '../logger.js';
import { messageOf } from '../model/errors.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { parseOptions } from './usage.js';

const HELP = `Usage: wcap-gateway serve

Runs the gateway until SIGTERM or SIGINT (or the admin listener's shutdown command), then closes
it gracefully (running requests end, then Redis and the CalDAV connections close) and exits 0.
Without WCAP_CALDAV_URL it starts an embedded Radicale (needs the radicale program) and stops it
on exit. Logs are JSON lines on stdout.

Options:
  -h, --help   Show this help

Exit codes: 0 stopped by a signal or the admin's shutdown, 1 failed to start or the embedded Radicale kept failing,
2 invalid configuration (the problems are listed on stderr).
`;

/**
 * `wcap-gateway serve`: configuration, logger, the embedded Radicale when no CalDAV server is
 * configured, the gateway, and a graceful shutdown on SIGTERM / SIGINT. Resolves with the exit code
 * once the gateway has stopped.
 */
export async function runServe(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  let config: Readonly<Config> = loadConfig(io.env);
  // On this process's own stdout, pino's default destination (fd 1, sonic-boom) is faster than the
  // stream: request logs are written at request rate.
  const logger = io.stdout === process.stdout ? createLogger(config.logLevel) : createLogger(config.logLevel, io.stdout);
  let exit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (exit = resolve));

  let embedded: EmbeddedRadicale | undefined;
  if (!config.caldavUrl) {
    try {
      embedded = await startEmbeddedRadicale({
        dataDir: config.dataDir,
        usersFile: config.radicaleUsersFile,
        logger,
        onGiveUp: (error) => {
          logger.fatal({ err: error }, 'embedded Radicale keeps failing; stopping');
          void stop('embedded Radicale failed', EXIT.FAILED);
        },
      });
    } catch (err) {
      logger.fatal(messageOf(err));
      return EXIT.FAILED;
    }
    // The embedded Radicale is known to keep its collections in files, whose last-modified time
    // validates the calendar cache at a fraction of getctag's cost (README, Calendar cache).
    config = Object.freeze({ ...config, caldavUrl: embedded.url, cacheValidation: config.cacheValidation ?? 'last-modified' });
    logger.info({ caldavUrl: embedded.url, dataDir: config.dataDir }, 'embedded Radicale started');
  }
  let gateway: RunningGateway | undefined;
  try {
    gateway = await startGateway(config, logger);
  } catch (err) {
    logger.fatal(`wcap-gateway failed to start: ${messageOf(err)}`);
    await embedded?.stop();
    return EXIT.FAILED;
  }
  logger.info({ url: gateway.url, caldavUrl: config.caldavUrl, redis: Boolean(config.redisUrl) }, 'wcap-gateway listening');

  let stopping = false;
  async function stop(reason: string, code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: reason }, 'shutting down');
    await gateway?.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
    await embedded?.stop();
    exit(code);
  }
  const onSignal = (signal: NodeJS.Signals) => void stop(signal, EXIT.OK);
  // The admin listener's shutdown command stops the gateway itself; the process then ends as on SIGTERM.
  void gateway.stopped.then(() => stop('admin shutdown', EXIT.OK));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    return await exited;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
