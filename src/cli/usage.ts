import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Wrong command-line usage; the CLI prints the message with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * node:util parseArgs with strict checking (unknown options and stray arguments are errors), its
 * errors turned into UsageError. Options are given long (`--user`), with `--name=value` or
 * `--name value`.
 */
export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** A whole number of seconds in [min, max] from an option's text. */
export function secondsOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number of seconds from ${min} to ${max}, got "${text.slice(0, 40)}"`);
  }
  return value;
}

/** Longest user name the CLI accepts (the gateway's own bound is its parameter length). */
const MAX_USER_LENGTH = 256;

/** A user name from an option: non-empty, bounded, no control characters. */
export function userOption(name: string, text: string): string {
  if (text === '' || text.length > MAX_USER_LENGTH || /\p{Cc}/u.test(text)) {
    throw new UsageError(`--${name} needs a user name of 1 to ${MAX_USER_LENGTH} printable characters`);
  }
  return text;
}
