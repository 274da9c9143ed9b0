import { runMigrate } from '../migrate/index.js';
import { runCheck } from './check/check.js';
import type { CliIo } from './cli-io.js';
import { runServe } from './serve.js';
import { runSessions } from './sessions.js';

/** One `wcap-gateway <name>`: handles its own options, `--help` included, and answers an exit code. */
export interface Subcommand {
  name: string;
  /** One line for the global help. */
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Every subcommand, in the order the global help lists them. A new one is an import and a row. */
export const SUBCOMMANDS: readonly Subcommand[] = [
  { name: 'serve', summary: 'Run the gateway (what the container image and `npm start` run)', run: runServe },
  { name: 'check', summary: "Check the configuration, Redis, the CalDAV server and a user's login", run: runCheck },
  { name: 'sessions', summary: "Count live sessions, or end one user's sessions (--logout)", run: runSessions },
  { name: 'migrate', summary: "Copy users' calendars from a legacy WCAP server into the CalDAV server", run: migrate },
];

/** The migration writes progress to stderr (a bar when that is a terminal) and its report to stdout. */
function migrate(argv: string[], io: CliIo): Promise<number> {
  return runMigrate(argv, {
    stdout: (text) => void io.stdout.write(text),
    stderr: (text) => void io.stderr.write(text),
    env: io.env,
    isTTY: io.stderr.isTTY === true,
  });
}
