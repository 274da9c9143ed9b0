import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

describe('startEmbeddedRadicale without the real binary', () => {
  let dir: string;
  let lines: Array<{ level: number; msg: string }>;
  let started: EmbeddedRadicale | undefined;
  const logger = () => createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wcap-embedded-unit-'));
    writeFileSync(join(dir, 'users'), 'demo:demo\n');
    lines = [];
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
      started = await startEmbeddedRadicale({
        dataDir: dir,
        usersFile: join(dir, 'users'),
        logger: logger(),
        env,
        maxRestarts: 2,
        onGiveUp: (err) => gaveUp.push(err),
      });
      expect((await fetch(started.url)).status).toBe(200);
      writeFileSync(join(dir, 'bin', 'broken'), ''); // every restart now exits at once
      await fetch(new URL('/die', started.url)).catch(() => undefined);

      const deadline = Date.now() + 10_000;
      while (gaveUp.length === 0 && Date.now() < deadline) await sleep(50);
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
      started = await startEmbeddedRadicale({
        dataDir: dir,
        usersFile: join(dir, 'users'),
        logger: logger(),
        env,
        onGiveUp: (err) => gaveUp.push(err),
      });
      await fetch(new URL('/stop', started.url)).catch(() => undefined);
      await sleep(1_000); // twice the first restart back-off
      expect(started.pid).toBeUndefined();
      await expect(fetch(started.url)).rejects.toThrow();
      expect(gaveUp).toEqual([]);
      expect(lines.map((l) => l.msg)).toContain('embedded Radicale was stopped from outside (exit code 0); not restarting it');
    });
  });
});
