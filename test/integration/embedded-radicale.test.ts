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

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('embedded Radicale', () => {
  let dir: string;
  let radicale: EmbeddedRadicale;
  const logLines: Array<{ level: number; msg: string; component?: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wcap-embedded-'));
    const usersFile = join(dir, 'users');
    writeFileSync(usersFile, '# demo users\nann:ann-pw\nben:ben-pw\n');
    const logger = createLogger('info', { write: (line: string) => logLines.push(JSON.parse(line)) });
    radicale = await startEmbeddedRadicale({
      dataDir: join(dir, 'data'),
      // relative on purpose: Radicale must get an absolute path in its config
      usersFile: relative(process.cwd(), usersFile),
      logger,
    });
  });

  afterAll(async () => {
    await radicale?.stop();
    rmSync(dir, { recursive: true, force: true });
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
    const pid = radicale.pid!;
    await radicale.stop();
    await radicale.stop(); // idempotent
    await expect(fetch(radicale.url, { method: 'OPTIONS' })).rejects.toThrow();
    expect(() => process.kill(pid, 0)).toThrow(); // the process is gone
    await sleep(800); // longer than the first restart back-off
    expect(radicale.pid).toBeUndefined();
    await expect(fetch(radicale.url, { method: 'OPTIONS' })).rejects.toThrow();
  });
});
