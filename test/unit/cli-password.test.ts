import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { passwordFor } from '../../src/cli/check/password.js';
import { UsageError } from '../../src/cli/usage.js';

/** An io whose stdin is a fake terminal (raw mode recorded) and whose stderr is captured. */
function terminalIo(env: Record<string, string> = {}, isTTY = true) {
  const stdin = Object.assign(new PassThrough(), {
    isTTY,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      stdin.rawModes.push(mode);
      return stdin;
    },
  });
  let stderr = '';
  const io: CliIo = {
    stdin,
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  };
  return { io, stdin, stderr: () => stderr };
}

describe('check --user password', () => {
  it('takes WCAP_CHECK_PASSWORD without asking', async () => {
    const t = terminalIo({ WCAP_CHECK_PASSWORD: 'from-the-env' });
    expect(await passwordFor('alice', t.io)).toBe('from-the-env');
    expect(t.stderr()).toBe('');
    expect(t.stdin.rawModes).toEqual([]);
  });

  it('asks on a terminal with echo off, honours backspace, and restores the terminal', async () => {
    const t = terminalIo();
    const answer = passwordFor('alice', t.io);
    t.stdin.write('s3cr');
    t.stdin.write('x\u007fet\r');
    expect(await answer).toBe('s3cret');
    expect(t.stdin.rawModes).toEqual([true, false]);
    expect(t.stderr()).toBe('Password for alice: \n');
  });

  it('treats Ctrl-C at the prompt as a cancelled command line (usage error), terminal restored', async () => {
    const t = terminalIo();
    const answer = passwordFor('alice', t.io);
    t.stdin.write('abc\u0003');
    await expect(answer).rejects.toThrow(UsageError);
    expect(t.stdin.rawModes).toEqual([true, false]);
  });

  it('refuses to read a password from a pipe: the variable is the way for scripts', async () => {
    const t = terminalIo({}, false);
    await expect(passwordFor('alice', t.io)).rejects.toThrow(/set WCAP_CHECK_PASSWORD, or run on a terminal/);
  });
});
