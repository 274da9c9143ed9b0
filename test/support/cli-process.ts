import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from its sources there (`node --import tsx src/cli/main.ts`). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as child processes, each killed after its timeout and by {@link killAll} (call it in
 * afterAll). The environment is only what is given plus PATH and HOME, so the test runner's own
 * WCAP_* variables never leak in.
 */
export class CliProcesses {
  private readonly running = new Set<ChildProcess>();

  /** Starts `entry argv…` (entry: src/cli/main.ts by default) and leaves it running. */
  start(argv: string[], env: Record<string, string>, entry = 'src/cli/main.ts'): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    return child;
  }

  /** Runs to completion; kills the process and rejects after `timeoutMs`. */
  run(argv: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<CliRun> {
    const child = this.start(argv, env);
    child.stdin?.end();
    return collect(child, timeoutMs, `wcap-gateway ${argv.join(' ')}`);
  }

  killAll(): void {
    for (const child of this.running) child.kill('SIGKILL');
    this.running.clear();
  }
}

/** Output and exit of a started child; kills it and rejects when it runs longer than `timeoutMs`. */
export function collect(child: ChildProcess, timeoutMs: number, what: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} still running after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects on exit or after `timeoutMs`. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer | string) => {
      buffered += String(chunk);
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) done(() => resolve(line));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`exited (${code}) before printing ${pattern}: ${buffered}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms: ${buffered}`))), timeoutMs);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      settle();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
