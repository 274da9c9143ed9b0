import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  forwardStderr,
  pickFreePort,
  probeRadicaleVersion,
  renderRadicaleConfig,
  terminate,
  waitUntilAnswering,
} from './embedded-radicale-process.js';
import type { Logger } from './logger.js';

export { RADICALE_INSTALL_COMMAND } from './embedded-radicale-process.js';

export interface EmbeddedRadicaleOptions {
  /** Radicale's config and collections go to `<dataDir>/radicale/`. */
  dataDir: string;
  /** Plain htpasswd file (`user:password` lines); resolved against the working directory. */
  usersFile: string;
  logger: Logger;
  /** Program to run, looked up on PATH. Default `radicale`. */
  command?: string;
  /** Environment of the child; its PATH is used for the lookup. Default: the gateway's own. */
  env?: Record<string, string | undefined>;
  /** How long Radicale may take to answer at start-up. Default 20 s. */
  startTimeoutMs?: number;
  /** Restarts in a row (each after a longer pause) before giving up. Default 5. */
  maxRestarts?: number;
  /** Called once when Radicale keeps dying and supervision gives up (not after a clean exit). */
  onGiveUp?: (error: Error) => void;
  /** Runs a restart after its back-off; returns a cancel function. Default: setTimeout (tests inject their own). */
  scheduleRestart?: (restart: () => void, delayMs: number) => () => void;
}

export interface EmbeddedRadicale {
  /** Base URL on 127.0.0.1 with a trailing slash; it stays the same across restarts. */
  readonly url: string;
  /** Process id of the current Radicale (undefined between a crash and its restart). */
  readonly pid: number | undefined;
  /** Terminates Radicale (SIGTERM, SIGKILL after 5 s) and ends supervision. Idempotent. */
  stop(): Promise<void>;
}

const STABLE_AFTER_MS = 60_000; // a run this long resets the restart counter

/**
 * Starts Radicale 3.x on a free loopback port for the single-node set-up (WCAP_CALDAV_URL unset),
 * resolves once it answers HTTP, and restarts it with back-off when it dies unexpectedly (a crash or a
 * kill; a clean exit 0 means someone stopped it on purpose and is only logged).
 * Throws when the binary is missing (the message carries the install command), when the users file
 * is unreadable, or when Radicale does not answer within the start timeout.
 */
export async function startEmbeddedRadicale(options: EmbeddedRadicaleOptions): Promise<EmbeddedRadicale> {
  const log = options.logger.child({ component: 'embedded-radicale' });
  const command = options.command ?? 'radicale';
  const maxRestarts = options.maxRestarts ?? 5;
  const version = await probeRadicaleVersion(command, options.env);
  const usersFile = resolve(options.usersFile);
  await access(usersFile, constants.R_OK).catch((err: Error) => {
    throw new Error(`Radicale users file ${usersFile} is not readable (set WCAP_RADICALE_USERS): ${err.message}`);
  });
  const home = resolve(options.dataDir, 'radicale');
  const collections = join(home, 'collections');
  const configFile = join(home, 'config');
  await mkdir(collections, { recursive: true });
  const port = await pickFreePort();
  const url = `http://127.0.0.1:${port}/`;
  await writeFile(configFile, renderRadicaleConfig(`127.0.0.1:${port}`, usersFile, collections));

  const stderrTail: string[] = [];
  let child: ChildProcess | undefined;
  let stopping = false;
  let starting = true;
  let failures = 0;
  let cancelRestart: (() => void) | undefined;
  const scheduleRestart =
    options.scheduleRestart ??
    ((restart: () => void, delayMs: number) => {
      const timer = setTimeout(restart, delayMs);
      return () => clearTimeout(timer);
    });
  let stopped: Promise<void> | undefined;
  const killOnExit = () => child?.kill('SIGTERM');

  const launch = (): ChildProcess => {
    // Same process group on purpose: Ctrl+C in a terminal also stops Radicale, so it is never orphaned.
    const proc = spawn(command, ['--config', configFile], { env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const startedAt = Date.now();
    forwardStderr(proc, log, stderrTail);
    let ended = false;
    const onEnd = (reason: string, clean = false) => {
      if (ended) return;
      ended = true;
      if (child === proc) child = undefined;
      if (stopping || starting) return;
      if (clean) {
        // Radicale exits 0 only when told to stop (SIGINT/SIGTERM), e.g. Ctrl+C reaching the whole
        // process group just before the gateway's own shutdown: not a crash, so no restart.
        log.warn('embedded Radicale was stopped from outside (exit code 0); not restarting it');
        return;
      }
      if (Date.now() - startedAt >= STABLE_AFTER_MS) failures = 0;
      failures += 1;
      if (failures > maxRestarts) {
        const error = new Error(`Radicale ${reason}; gave up after ${maxRestarts} restarts`);
        log.error({ err: error }, 'embedded Radicale keeps dying; CalDAV is unavailable');
        options.onGiveUp?.(error);
        return;
      }
      const delay = Math.min(500 * 2 ** (failures - 1), 10_000);
      log.warn(`embedded Radicale ${reason}; restart ${failures}/${maxRestarts} in ${delay} ms`);
      cancelRestart = scheduleRestart(() => {
        if (stopping) return;
        child = launch();
        waitUntilAnswering(url, 20_000, () => child === undefined).then(
          () => log.info({ pid: child?.pid }, 'embedded Radicale answers again'),
          () => undefined, // a new exit is reported by its own handler
        );
      }, delay);
    };
    proc.once('exit', (code, signal) => onEnd(signal ? `was killed by ${signal}` : `exited with code ${code}`, code === 0));
    proc.once('error', (err) => onEnd(`could not run: ${err.message}`));
    return proc;
  };

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      cancelRestart?.();
      process.off('exit', killOnExit);
      const proc = child;
      if (proc) await terminate(proc);
      log.info('embedded Radicale stopped');
    })();
    return stopped;
  };

  child = launch();
  process.once('exit', killOnExit);
  try {
    await waitUntilAnswering(url, options.startTimeoutMs ?? 20_000, () => child === undefined);
  } catch (err) {
    await stop();
    const tail = stderrTail.length > 0 ? `; Radicale said:\n${stderrTail.join('\n')}` : '';
    throw new Error(`embedded Radicale did not start: ${(err as Error).message}${tail}`);
  }
  starting = false;
  log.info({ url, version, pid: child?.pid, dataDir: home }, 'embedded Radicale is running');
  return {
    url,
    get pid() {
      return child?.pid;
    },
    stop,
  };
}
