import { ConfigError, loadConfig, type Config } from './config.js';
import { startEmbeddedRadicale, type EmbeddedRadicale } from './embedded-radicale.js';
import { startGateway } from './gateway.js';
import { createLogger } from './logger.js';

/**
 * Process entry point: configuration, logger, the embedded Radicale when no CalDAV server is
 * configured, the gateway, and a graceful shutdown on SIGTERM / SIGINT.
 */
async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let embedded: EmbeddedRadicale | undefined;
  if (!config.caldavUrl) {
    try {
      embedded = await startEmbeddedRadicale({
        dataDir: config.dataDir,
        usersFile: config.radicaleUsersFile,
        logger,
        onGiveUp: (error) => {
          logger.fatal({ err: error }, 'embedded Radicale keeps failing; stopping');
          process.exit(1);
        },
      });
    } catch (err) {
      logger.fatal((err as Error).message);
      process.exit(1);
    }
    // The embedded Radicale is known to keep its collections in files, whose last-modified time
    // validates the calendar cache at a fraction of getctag's cost (README, Calendar cache).
    config = Object.freeze({ ...config, caldavUrl: embedded.url, cacheValidation: config.cacheValidation ?? 'last-modified' });
    logger.info({ caldavUrl: embedded.url, dataDir: config.dataDir }, 'embedded Radicale started');
  }
  const gateway = await startGateway(config, logger);
  logger.info({ url: gateway.url, caldavUrl: config.caldavUrl, redis: Boolean(config.redisUrl) }, 'wcap-gateway listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await gateway.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('wcap-gateway failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
