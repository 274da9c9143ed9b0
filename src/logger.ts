import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino must never print. Session ids and passwords travel in WCAP URLs, so request logging
 * must log the command and a redacted query, never the raw URL (see wcap/redact.ts).
 */
const REDACT_PATHS = ['password', 'id', 'authorization', '*.password', '*.id', '*.authorization', 'req.headers.authorization'];

/** Root logger. Pass a destination in tests to capture the output. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'wcap-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
