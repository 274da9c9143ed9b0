import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRadicale, type EmbeddedRadicale } from '../../src/embedded-radicale.js';
import { createLogger } from '../../src/logger.js';

// The real Radicale binary (Debian package), as the single-node set-up runs it.

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function propfind(url: string, path: string, user: string, password: string): Promise<Response> {
  return fetch(new URL(path, url), {
    method: 'PROPFIND',
    headers: { Depth: '0', Authorization: basic(user, password) },
  });
}

/** Restarts the supervisor schedules: their back-offs are recorded, then waited out as usual. */
function recordingRestarts() {
  const scheduled: number[] = [];
  const schedule = (restart: () => void, delayMs: number) => {
    scheduled.push(delayMs);
    const timer = setTimeout(restart, delayMs);
    return () => clearTimeout(timer);
  };
  return { scheduled, schedule };
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('embedded Radicale', () => {
  const dirs: string[] = [];
  const instances: EmbeddedRadicale[] = [];
  let dir: string;
  let radicale: EmbeddedRadicale;
  const logLines: Array<{ level: number; msg: string; component?: string }> = [];

  /** A Radicale of its own in a new folder, with two users. */
  async function start(lines: typeof logLines, scheduleRestart?: ReturnType<typeof recordingRestarts>['schedule']) {
    const home = mkdtempSync(join(tmpdir(), 'wcap-embedded-'));
    dirs.push(home);
    const usersFile = join(home, 'users');
    writeFileSync(usersFile, '# demo users\nann:ann-pw\nben:ben-pw\n');
    const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const started = await startEmbeddedRadicale({
      dataDir: join(home, 'data'),
      // relative on purpose: Radicale must get an absolute path in its config
      usersFile: relative(process.cwd(), usersFile),
      logger,
      ...(scheduleRestart ? { scheduleRestart } : {}),
    });
    instances.push(started);
    return { home, started };
  }

  beforeAll(async () => {
    ({ home: dir, started: radicale } = await start(logLines));
  });

  afterAll(async () => {
    for (const started of instances) await started.stop(); // idempotent
    for (const home of dirs) rmSync(home, { recursive: true, force: true });
  });

  it('listens on a loopback URL and writes its config under <dataDir>/radicale', () => {
    expect(radicale.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const config = readFileSync(join(dir, 'data', 'radicale', 'config'), 'utf8');
    expect(config).toContain(`htpasswd_filename = ${join(dir, 'users')}`);
    expect(config).toMatch(/type = owner_only/);
  });

  it('lets a user from the users file read its principal', async () => {
    const res = await propfind(radicale.url, '/ann/', 'ann', 'ann-pw');
    expect(res.status).toBe(207);
    expect(await res.text()).toContain('/ann/');
    expect(existsSync(join(dir, 'data', 'radicale', 'collections', 'collection-root', 'ann'))).toBe(true);
  });

  it('rejects a wrong password and forwards Radicale’s warning to the gateway log', async () => {
    const res = await propfind(radicale.url, '/ann/', 'ann', 'not-the-password');
    expect(res.status).toBe(401);
    await eventually(() =>
      logLines.some((l) => l.level === 40 && l.component === 'embedded-radicale' && /^radicale: .*Failed login/.test(l.msg)),
    );
  });

  it('keeps users apart (owner_only)', async () => {
    const res = await propfind(radicale.url, '/ben/', 'ann', 'ann-pw');
    expect(res.status).toBe(403);
  });

  it('restarts Radicale on the same URL when it dies', async () => {
    const first = radicale.pid;
    expect(first).toBeTypeOf('number');
    process.kill(first!, 'SIGKILL');
    await eventually(async () => radicale.pid !== undefined && radicale.pid !== first);
    await eventually(async () => (await propfind(radicale.url, '/ann/', 'ann', 'ann-pw')).status === 207);
    expect(logLines.some((l) => l.level === 40 && /was killed by SIGKILL; restart 1\/5/.test(l.msg))).toBe(true);
  });

  it('stop() terminates it: the port no longer answers and nothing restarts', async () => {
    // Its own instance: the other tests keep using theirs, in whatever order they run.
    const restarts = recordingRestarts();
    const { started: own } = await start([], restarts.schedule);
    const pid = own.pid!;
    await own.stop();
    await own.stop(); // idempotent
    await expect(fetch(own.url, { method: 'OPTIONS' })).rejects.toThrow();
    expect(() => process.kill(pid, 0)).toThrow(); // the process is gone
    // Its exit was handled inside stop(): no restart was scheduled, and none can be any more.
    expect(restarts.scheduled).toEqual([]);
    expect(own.pid).toBeUndefined();
  });
});
