import { readFile, stat } from 'node:fs/promises';
import { createLogger } from '../logger.js';
import { messageOf } from '../model/errors.js';
import type { WriteBudget } from './copy-calendar.js';
import { LegacyClient } from './legacy-client.js';
import { HELP, parseMigrateArgs, UsageError, type MigrateOptions } from './migrate-options.js';
import { migrateUser } from './migrate-user.js';
import { hasProblems, type MigrationReport } from './migration-report.js';
import { createProgress } from './progress.js';
import { reportText } from './report-text.js';
import { loadState, StateSaver } from './state-file.js';
import { TargetServer } from './target-server.js';
import { parseUsersFile, USER_NAME, USERS_FILE_LIMITS, type MigrationUser } from './users-file.js';

export interface MigrateIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/** Exit codes of `wcap-gateway migrate` (listed in its --help). */
export const MigrateExit = { OK: 0, PROBLEMS: 1, USAGE: 2, STOPPED: 3 } as const;

/** The largest export read from the old server, per calendar. */
const MAX_EXPORT_BYTES = 512 * 1024 * 1024;
/** The state file is saved after this many writes (and after each calendar). */
const SAVE_EVERY = 25;

/**
 * `wcap-gateway migrate`: copies users' calendars from a legacy WCAP server into the CalDAV server
 * (see --help). Progress goes to stderr, the report to stdout. Returns the exit code.
 */
export async function runMigrate(argv: string[], io: MigrateIo): Promise<number> {
  let options: MigrateOptions;
  let users: MigrationUser[];
  try {
    const parsed = parseMigrateArgs(argv);
    if (parsed === 'help') {
      io.stdout(HELP);
      return MigrateExit.OK;
    }
    options = parsed;
    users = await usersOf(options, io.env);
  } catch (err) {
    io.stderr(`wcap-gateway migrate: ${messageOf(err)}\n${err instanceof UsageError ? 'Run with --help for the options.\n' : ''}`);
    return MigrateExit.USAGE;
  }
  let state;
  try {
    state = await loadState(options.stateFile, options.from, options.to);
  } catch (err) {
    io.stderr(`wcap-gateway migrate: ${messageOf(err)}\n`);
    return MigrateExit.USAGE;
  }
  const log = createLogger('silent');
  const target = new TargetServer({ caldavUrl: options.to, timeoutMs: options.timeoutMs, defaultCalendar: options.defaultCalendar, log });
  const budget: WriteBudget = { remaining: options.stopAfter, exhausted: false };
  const ctx = {
    options,
    legacy: new LegacyClient({ baseUrl: options.from, timeoutMs: options.timeoutMs, maxAnswerBytes: MAX_EXPORT_BYTES }),
    target,
    state,
    saver: new StateSaver(options.stateFile, state, SAVE_EVERY, !options.dryRun),
    progress: createProgress(io.stderr, { isTTY: io.isTTY, every: options.progressEvery }),
    budget,
    ...(options.proxyAdmin !== undefined ? { adminPassword: io.env.WCAP_MIGRATE_ADMIN_PASSWORD ?? '' } : {}),
    log,
  };
  const report: MigrationReport = { dryRun: options.dryRun, users: [] };
  try {
    ctx.progress.note(`${options.dryRun ? 'Dry run: reading' : 'Migrating'} ${users.length} user${users.length === 1 ? '' : 's'} from ${options.from} to ${options.to}`);
    for (const user of users) {
      if (budget.exhausted) break;
      const done = await migrateUser(user, ctx);
      if (done.failure) ctx.progress.note(`${user.user}: FAILED: ${done.failure}`);
      report.users.push(done);
    }
    await ctx.saver.flush();
  } catch (err) {
    io.stderr(`wcap-gateway migrate: ${messageOf(err)}\n`);
    return MigrateExit.PROBLEMS;
  } finally {
    await target.close();
  }
  if (budget.exhausted && options.stopAfter !== undefined) report.stoppedAfter = options.stopAfter;
  io.stdout(reportText(report));
  if (hasProblems(report)) return MigrateExit.PROBLEMS;
  return report.stoppedAfter !== undefined ? MigrateExit.STOPPED : MigrateExit.OK;
}

async function usersOf(options: MigrateOptions, env: NodeJS.ProcessEnv): Promise<MigrationUser[]> {
  const proxy = options.proxyAdmin !== undefined;
  if (proxy && !env.WCAP_MIGRATE_ADMIN_PASSWORD) throw new UsageError('--proxy-admin needs the password in WCAP_MIGRATE_ADMIN_PASSWORD');
  if (options.user !== undefined) {
    const password = env.WCAP_MIGRATE_PASSWORD ?? '';
    const newPassword = env.WCAP_MIGRATE_NEW_PASSWORD || password;
    if (!proxy && password === '') throw new UsageError('--user needs the password in WCAP_MIGRATE_PASSWORD');
    if (newPassword === '') throw new UsageError('--user with --proxy-admin needs the new server password in WCAP_MIGRATE_NEW_PASSWORD');
    if (!USER_NAME.test(options.user)) throw new UsageError('--user holds characters other than letters, digits and . _ @ + -');
    return [proxy ? { user: options.user, newPassword } : { user: options.user, oldPassword: password, newPassword }];
  }
  const path = options.usersFile!;
  let text: string;
  try {
    if ((await stat(path)).size > USERS_FILE_LIMITS.maxBytes) throw new UsageError(`the users file ${path} is larger than ${USERS_FILE_LIMITS.maxBytes} bytes`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read the users file ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
  }
  return parseUsersFile(text, { passwordsRequired: !proxy });
}
