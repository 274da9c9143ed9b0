import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino must never print: its `redact` option replaces these fields with `[redacted]` in
 * every log line. Session ids and passwords travel in WCAP URLs, so the request log (app.ts)
 * records the command name and the errno, never the URL or its query. Texts from the CalDAV server
 * are cleaned of credentials before they reach a log (`redact` in backend/dav-errors.ts).
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
