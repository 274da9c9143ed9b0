import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedRadicale, type EmbeddedRadicale } from '../../src/embedded-radicale.js';
import { createLogger } from '../../src/logger.js';

// No Radicale needed: a missing binary, and a stand-in "radicale" script to exercise supervision.

/**
 * Stand-in for the radicale binary: answers `--version`, serves HTTP on the `hosts` line of the
 * config it is given, crashes on /die, exits cleanly on /stop, and exits at once while a `broken`
 * file exists.
 */
const FAKE_RADICALE = `#!/usr/bin/env node
const { createServer } = require('node:http');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('3.1.8-fake'); process.exit(0); }
if (existsSync(join(__dirname, 'broken'))) {
  console.error('[2024-01-01 00:00:00 +0000] [1/MainThread] [ERROR] fake radicale refuses to start');
  process.exit(1);
}
const [, host, port] = /hosts = (.*):(\\d+)/.exec(readFileSync(args[1], 'utf8'));
createServer((req, res) => {
  if (req.url === '/die') process.exit(3);
  if (req.url === '/stop') process.exit(0); // what Radicale does on SIGINT/SIGTERM
  res.end('ok');
}).listen(Number(port), host);
`;

/** Restarts the supervisor schedules, run only when the test says so: no back-off is waited out. */
class ManualRestarts {
  readonly scheduled: Array<{ delayMs: number; run: () => void; cancelled: boolean }> = [];
  private waiting: Array<() => void> = [];
  readonly schedule = (run: () => void, delayMs: number): (() => void) => {
    const entry = { delayMs, run, cancelled: false };
    this.scheduled.push(entry);
    for (const wake of this.waiting.splice(0)) wake();
    return () => {
      entry.cancelled = true;
    };
  };
  /** The `n`th restart (from 1), once the supervisor has scheduled it. */
  async nth(n: number): Promise<{ delayMs: number; run: () => void; cancelled: boolean }> {
    while (this.scheduled.length < n) await new Promise<void>((wake) => this.waiting.push(wake));
    return this.scheduled[n - 1]!;
  }
}

describe('startEmbeddedRadicale without the real binary', () => {
  let dir: string;
  let lines: Array<{ level: number; msg: string }>;
  let watchers: Array<{ pattern: RegExp; resolve: () => void }>;
  let started: EmbeddedRadicale | undefined;
  const logger = () =>
    createLogger('info', {
      write: (line: string) => {
        const entry = JSON.parse(line) as { level: number; msg: string };
        lines.push(entry);
        for (const watcher of watchers.filter((w) => w.pattern.test(entry.msg))) watcher.resolve();
      },
    });
  /** Resolves once a log line matching `pattern` has been written (at once if one was). */
  const logged = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      if (lines.some((l) => pattern.test(l.msg))) resolve();
      else watchers.push({ pattern, resolve });
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wcap-embedded-unit-'));
    writeFileSync(join(dir, 'users'), 'demo:demo\n');
    lines = [];
    watchers = [];
    started = undefined;
  });
  afterEach(async () => {
    await started?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['an empty PATH', { env: { PATH: '/nonexistent-wcap-path' } }],
    ['a binary name that does not exist', { command: 'radicale-not-installed-wcap' }],
  ])('names the install command when radicale is missing (%s)', async (_case, extra) => {
    const attempt = startEmbeddedRadicale({ dataDir: dir, usersFile: join(dir, 'users'), logger: logger(), ...extra });
    await expect(attempt).rejects.toThrow(/apt-get install -y radicale/);
    await expect(attempt).rejects.toThrow(/WCAP_CALDAV_URL/);
  });

  describe('with a stand-in radicale', () => {
    let env: Record<string, string>;
    beforeEach(() => {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'radicale'), FAKE_RADICALE);
      chmodSync(join(bin, 'radicale'), 0o755);
      env = { PATH: `${bin}:${dirname(process.execPath)}` };
    });

    it('names an unreadable users file', async () => {
      const attempt = startEmbeddedRadicale({ dataDir: dir, usersFile: join(dir, 'missing'), logger: logger(), env });
      await expect(attempt).rejects.toThrow(/missing is not readable \(set WCAP_RADICALE_USERS\)/);
    });

    it('fails start-up with what Radicale said when it exits at once', async () => {
      writeFileSync(join(dir, 'bin', 'broken'), '');
      const attempt = startEmbeddedRadicale({ dataDir: dir, usersFile: join(dir, 'users'), logger: logger(), env });
      await expect(attempt).rejects.toThrow(/did not start: the process exited.*\n.*fake radicale refuses to start/);
    });

    it('restarts with back-off, then gives up and reports it', async () => {
      const gaveUp: Error[] = [];
      const restarts = new ManualRestarts();
      started = await startEmbeddedRadicale({
        dataDir: dir,
        usersFile: join(dir, 'users'),
        logger: logger(),
        env,
        maxRestarts: 2,
        onGiveUp: (err) => gaveUp.push(err),
        scheduleRestart: restarts.schedule,
      });
      expect((await fetch(started.url)).status).toBe(200);
      writeFileSync(join(dir, 'bin', 'broken'), ''); // every restart now exits at once
      await fetch(new URL('/die', started.url)).catch(() => undefined);

      // Back-off doubles: 500 ms, then 1000 ms; the restarts run when the test says so.
      const first = await restarts.nth(1);
      expect(first.delayMs).toBe(500);
      first.run();
      const second = await restarts.nth(2);
      expect(second.delayMs).toBe(1000);
      second.run();
      await logged(/keeps dying/);
      await logged(/fake radicale refuses to start/);
      expect(restarts.scheduled).toHaveLength(2); // no third try
      expect(gaveUp).toHaveLength(1);
      expect(gaveUp[0]!.message).toMatch(/exited with code 1; gave up after 2 restarts/);
      const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
      expect(warnings).toEqual(
        expect.arrayContaining([
          'embedded Radicale exited with code 3; restart 1/2 in 500 ms',
          'embedded Radicale exited with code 1; restart 2/2 in 1000 ms',
          expect.stringMatching(/^radicale: .*\[ERROR\] fake radicale refuses to start$/),
        ]),
      );
      expect(lines.some((l) => l.level === 50 && /keeps dying/.test(l.msg))).toBe(true);
      expect(started.pid).toBeUndefined();
    });

    it('does not restart after a clean exit (someone stopped it on purpose, e.g. Ctrl+C)', async () => {
      const gaveUp: Error[] = [];
      const restarts = new ManualRestarts();
      started = await startEmbeddedRadicale({
        dataDir: dir,
        usersFile: join(dir, 'users'),
        logger: logger(),
        env,
        onGiveUp: (err) => gaveUp.push(err),
        scheduleRestart: restarts.schedule,
      });
      await fetch(new URL('/stop', started.url)).catch(() => undefined);
      // The exit has been handled once this is logged; a restart would have been scheduled by then.
      await logged(/^embedded Radicale was stopped from outside \(exit code 0\); not restarting it$/);
      expect(restarts.scheduled).toEqual([]);
      expect(started.pid).toBeUndefined();
      await expect(fetch(started.url)).rejects.toThrow();
      expect(gaveUp).toEqual([]);
    });

    it('stop() during a restart back-off cancels the restart', async () => {
      const restarts = new ManualRestarts();
      started = await startEmbeddedRadicale({ dataDir: dir, usersFile: join(dir, 'users'), logger: logger(), env, scheduleRestart: restarts.schedule });
      await fetch(new URL('/die', started.url)).catch(() => undefined);
      const pending = await restarts.nth(1);
      expect(pending.cancelled).toBe(false);
      await started.stop();
      expect(pending.cancelled).toBe(true);
      expect(restarts.scheduled).toHaveLength(1);
    });
  });
});
