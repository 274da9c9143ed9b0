import { parseArgs } from 'node:util';

/** Settings of one `wcap-gateway migrate` run, validated. */
export interface MigrateOptions {
  from: string;
  to: string;
  usersFile?: string;
  /** A single user (password from WCAP_MIGRATE_PASSWORD) instead of a users file. */
  user?: string;
  /** Administrator for proxy logins on the old server (password from WCAP_MIGRATE_ADMIN_PASSWORD). */
  proxyAdmin?: string;
  stateFile: string;
  dryRun: boolean;
  defaultCalendar: string;
  concurrency: number;
  maxItems: number;
  maxObjectBytes: number;
  stopAfter?: number;
  progressEvery: number;
  timeoutMs: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const HELP = `Usage: wcap-gateway migrate --from <old WCAP URL> --to <CalDAV URL> (--users-file <file> | --user <name>) [options]

Copies users' calendars, subscriptions and preferences from a legacy WCAP server (Sun/Oracle
Calendar Server) into a CalDAV server, through the same calendar repository the gateway uses.
Resumable; ends with a report and a verification of both sides.

Where the users come from (passwords never on the command line):
  --users-file <file>      one user a line: user<TAB>password[<TAB>new-server-password] or user:password
  --user <name>            one user; password from WCAP_MIGRATE_PASSWORD, and on the new server from
                           WCAP_MIGRATE_NEW_PASSWORD when it differs
  --proxy-admin <name>     log in to the old server as this administrator with proxyauth=<user>
                           (password from WCAP_MIGRATE_ADMIN_PASSWORD); the users file then gives
                           only the new server's passwords

Options:
  --from <url>             base URL of the old WCAP server, e.g. http://old:8080/
  --to <url>               base URL of the new CalDAV server, e.g. http://127.0.0.1:5232/
  --state <file>           resume state (default: wcap-migrate-state.json)
  --dry-run                read everything, report what would be written, write nothing
  --default-calendar <n>   collection name of the default calendar (default: calendar; as WCAP_DEFAULT_CALENDAR)
  --concurrency <n>        writes in flight at once, 1-16 (default: 4)
  --max-items <n>          most items per calendar; a larger calendar fails (default: 100000)
  --max-object-kb <n>      largest item in KiB; a larger one fails (default: 1024)
  --stop-after <n>         stop after n writes (a trial batch); run again to continue
  --progress-every <n>     a progress line every n items when not on a terminal (default: 100)
  --timeout-seconds <n>    timeout of each request (default: 120)
  -h, --help               this text

Exit codes: 0 all copied and verified, 1 something failed or verification differs,
2 bad arguments or unreadable files, 3 stopped by --stop-after (run again to continue).
`;

const NUMBERS = {
  concurrency: { min: 1, max: 16, fallback: 4 },
  'max-items': { min: 1, max: 10_000_000, fallback: 100_000 },
  'max-object-kb': { min: 1, max: 100 * 1024, fallback: 1024 },
  'stop-after': { min: 0, max: 1_000_000_000, fallback: undefined },
  'progress-every': { min: 1, max: 1_000_000, fallback: 100 },
  'timeout-seconds': { min: 1, max: 3600, fallback: 120 },
} as const;

/** Parses argv (the arguments after `migrate`); returns 'help' for --help. Throws UsageError. */
export function parseMigrateArgs(argv: string[]): MigrateOptions | 'help' {
  const passwordArg = argv.find((a) => /^--?(password|pass|pw|admin-password)(=|$)/i.test(a));
  if (passwordArg) {
    throw new UsageError('passwords are never taken from the command line: use the users file or WCAP_MIGRATE_PASSWORD / WCAP_MIGRATE_ADMIN_PASSWORD');
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        from: { type: 'string' },
        to: { type: 'string' },
        'users-file': { type: 'string' },
        user: { type: 'string' },
        'proxy-admin': { type: 'string' },
        state: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'default-calendar': { type: 'string' },
        ...Object.fromEntries(Object.keys(NUMBERS).map((name) => [name, { type: 'string' as const }])),
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim() : undefined) || undefined;
  const from = url(text('from'), '--from');
  const to = url(text('to'), '--to');
  const usersFile = text('users-file');
  const user = text('user');
  if ((usersFile === undefined) === (user === undefined)) throw new UsageError('give exactly one of --users-file and --user');
  const defaultCalendar = text('default-calendar') ?? 'calendar';
  if (!/^[A-Za-z0-9._@+-]+$/.test(defaultCalendar)) throw new UsageError('--default-calendar must be one path segment (letters, digits, . _ @ + -)');
  const number = (name: keyof typeof NUMBERS) => {
    const raw = text(name);
    const { min, max, fallback } = NUMBERS[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
  const options: MigrateOptions = {
    from,
    to,
    stateFile: text('state') ?? 'wcap-migrate-state.json',
    dryRun: values['dry-run'] === true,
    defaultCalendar,
    concurrency: number('concurrency')!,
    maxItems: number('max-items')!,
    maxObjectBytes: number('max-object-kb')! * 1024,
    progressEvery: number('progress-every')!,
    timeoutMs: number('timeout-seconds')! * 1000,
  };
  if (usersFile !== undefined) options.usersFile = usersFile;
  if (user !== undefined) options.user = user;
  const proxyAdmin = text('proxy-admin');
  if (proxyAdmin !== undefined) options.proxyAdmin = proxyAdmin;
  const stopAfter = number('stop-after');
  if (stopAfter !== undefined) options.stopAfter = stopAfter;
  return options;
}

function url(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError(`${flag} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`${flag} must be an http(s) URL`);
  if (parsed.username !== '' || parsed.password !== '') throw new UsageError(`${flag} must not contain a user or password`);
  if (parsed.search !== '' || parsed.hash !== '') throw new UsageError(`${flag} must not have a query or fragment`);
  return parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
}
