import type { CliIo } from '../cli-io.js';
import { UsageError } from '../usage.js';

/** The environment variable `check --user` reads the password from. */
export const PASSWORD_VARIABLE = 'WCAP_CHECK_PASSWORD';

/** Longest password accepted at the prompt (characters beyond are ignored). */
const MAX_PASSWORD_LENGTH = 1024;

/**
 * The password of `user` for `check --user`: from WCAP_CHECK_PASSWORD, else asked on the terminal
 * with echo off. Never from the command line, where `ps` and shell histories would show it.
 * @throws UsageError when there is neither the variable nor a terminal, or the prompt is cancelled.
 */
export async function passwordFor(user: string, io: CliIo): Promise<string> {
  const fromEnv = io.env[PASSWORD_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.stdin.isTTY || !io.stdin.setRawMode) {
    throw new UsageError(`--user ${user} needs a password: set ${PASSWORD_VARIABLE}, or run on a terminal to be asked for it`);
  }
  return promptHidden(io, `Password for ${user}: `);
}

/** Reads one line from a terminal in raw mode (no echo), on stdin; the prompt goes to stderr. */
function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          // Ctrl-C, Ctrl-D: raw mode delivers them as characters instead of signals.
          finish();
          reject(new UsageError('password prompt cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (!/\p{Cc}/u.test(ch) && value.length < MAX_PASSWORD_LENGTH) value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
