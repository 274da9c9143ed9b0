import { execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';

/** Process plumbing for embedded-radicale.ts: config text, binary probe, log forwarding, readiness, stop. */

export const RADICALE_INSTALL_COMMAND = 'sudo apt-get install -y radicale';
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 20;

/**
 * Radicale 3.1.x config: plain htpasswd, owner_only rights, no web UI, and by default Radicale's
 * 0.5-1.5 s delay after a failed login (tests turn it off).
 */
/**
 * Radicale's configuration. Rights are `owner_only` (users see their own calendars), or the rules
 * of `rightsFile` (Radicale's `from_file`, re-read on every request) when one is given.
 */
export function renderRadicaleConfig(hosts: string, usersFile: string, collections: string, authDelaySeconds = 1, rightsFile?: string): string {
  return [
    '# Written by wcap-gateway at every start; edits are overwritten.',
    '[server]',
    `hosts = ${hosts}`,
    'max_connections = 20',
    '[auth]',
    'type = htpasswd',
    `htpasswd_filename = ${usersFile}`,
    'htpasswd_encryption = plain',
    `delay = ${authDelaySeconds}`,
    '[rights]',
    ...(rightsFile ? ['type = from_file', `file = ${rightsFile}`] : ['type = owner_only']),
    '[storage]',
    `filesystem_folder = ${collections}`,
    '[web]',
    'type = none',
    '[logging]',
    'level = warning',
    '',
  ].join('\n');
}

export function probeRadicaleVersion(command: string, env: Record<string, string | undefined> | undefined): Promise<string> {
  return new Promise((resolveVersion, reject) => {
    execFile(command, ['--version'], { env, timeout: 15_000 }, (err, stdout) => {
      if (!err) return resolveVersion(stdout.trim());
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error(
            `"${command}" was not found on PATH. Without WCAP_CALDAV_URL the gateway runs an embedded Radicale; ` +
              `install it with: ${RADICALE_INSTALL_COMMAND}   (or run: npm run setup), ` +
              'or set WCAP_CALDAV_URL to an existing CalDAV server',
          ),
        );
      } else reject(new Error(`"${command} --version" failed: ${err.message}`));
    });
  });
}

/** Forwards Radicale's log lines (`[time] [pid/thread] [LEVEL] message`) to pino, prefixed `radicale:`. */
export function forwardStderr(proc: ChildProcess, log: Logger, tail: string[]): void {
  if (!proc.stderr) return;
  createInterface({ input: proc.stderr, crlfDelay: Infinity }).on('line', (line) => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    const level = /\[(INFO|DEBUG)\]/.test(line) ? 'info' : 'warn'; // untagged lines are tracebacks
    log[level]({ pid: proc.pid }, `radicale: ${line}`);
  });
}

export async function waitUntilAnswering(url: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (gone()) throw new Error('the process exited');
    try {
      const res = await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status < 500) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms (${last})`);
}

export async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  proc.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!graceful) {
    proc.kill('SIGKILL');
    await exited;
  }
}

export function pickFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
