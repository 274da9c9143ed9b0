import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { messageOf } from '../model/errors.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { SUBCOMMANDS } from './subcommands.js';
import { UsageError } from './usage.js';

const PROGRAM = 'wcap-gateway';

function globalHelp(): string {
  const width = Math.max(...SUBCOMMANDS.map((s) => s.name.length)) + 3;
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'The WCAP to CalDAV gateway and its operator tools. Settings come from the environment',
    '(WCAP_*) and the YAML file named by WCAP_CONFIG, exactly as for the server.',
    '',
    'Commands:',
    ...SUBCOMMANDS.map((s) => `  ${s.name.padEnd(width)}${s.summary}`),
    '',
    'Options:',
    '  -h, --help      Show this help; `wcap-gateway <command> --help` shows a command\'s own',
    '  -V, --version   Print the version',
    '',
    'Exit codes:',
    '  0  success (check: every check passed)',
    '  1  a check failed, or Redis or the CalDAV server failed at run time',
    '  2  usage error or invalid configuration',
    '',
  ].join('\n');
}

/** The version in package.json (one level above src/ and dist/ alike). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return String(pkg.version);
  } catch {
    return '(unknown version: package.json not found next to dist/)';
  }
}

/**
 * Runs `wcap-gateway <argv>` and answers the exit code. Without a command it prints the help and
 * answers 2: the command line is incomplete, and the server has its own explicit `serve` (the image
 * and `npm start` run dist/main.js, which is `serve`), so nothing depends on a default.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help') {
    io.stdout.write(globalHelp());
    return EXIT.OK;
  }
  if (first === '-V' || first === '--version') {
    io.stdout.write(`${PROGRAM} ${version()}\n`);
    return EXIT.OK;
  }
  if (first === undefined) {
    io.stderr.write(globalHelp());
    return EXIT.USAGE;
  }
  const subcommand = SUBCOMMANDS.find((s) => s.name === first);
  if (!subcommand) {
    io.stderr.write(`${PROGRAM}: unknown command "${first.slice(0, 60)}"\nRun '${PROGRAM} --help' for the commands.\n`);
    return EXIT.USAGE;
  }
  try {
    return await subcommand.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${PROGRAM} ${subcommand.name}: ${err.message}\nRun '${PROGRAM} ${subcommand.name} --help' for its options.\n`);
      return EXIT.USAGE;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT.USAGE;
    }
    io.stderr.write(`${PROGRAM} ${subcommand.name}: ${messageOf(err)}\n`);
    return EXIT.FAILED;
  }
}
