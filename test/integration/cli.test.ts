import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CliProcesses, collect, waitForLine } from '../support/cli-process.js';
import { enc, parseAnswer, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * The operator's CLI as an operator runs it: child processes against the real Radicale and Redis,
 * asserting exit codes and output. Its Redis database (/5) is its own, so session counts are not
 * disturbed by other test files' sessions.
 */

const SECRET = 'integration-test-secret-0123456789';
const cli = new CliProcesses();
let env: Record<string, string>;
let h: Harness;
const tmp = mkdtempSync(join(tmpdir(), 'wcap-cli-test-'));

beforeAll(async () => {
  const redisUrl = `${inject('redisUrl').replace(/\/+$/, '')}/5`;
  env = { WCAP_CALDAV_URL: inject('radicaleUrl'), WCAP_REDIS_URL: redisUrl, WCAP_SECRET: SECRET, WCAP_LOG_LEVEL: 'info' };
  h = await startHarness({ WCAP_REDIS_URL: redisUrl });
});

afterAll(async () => {
  cli.killAll();
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('wcap-gateway help and usage', () => {
  it('prints the commands and exit codes with --help (exit 0), and each command its own options', async () => {
    const [global, check, sessions, migrate] = await Promise.all([
      cli.run(['--help'], {}),
      cli.run(['check', '--help'], {}),
      cli.run(['sessions', '-h'], {}),
      cli.run(['migrate', '--help'], {}),
    ]);
    expect(global.code).toBe(0);
    expect(global.stdout).toMatch(/^Usage: wcap-gateway <command>/);
    for (const command of ['serve', 'check', 'sessions', 'migrate']) expect(global.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(global.stdout).toContain('2  usage error or invalid configuration');

    expect(check.code).toBe(0);
    expect(check.stdout).toContain('--user NAME');
    expect(check.stdout).toContain('WCAP_CHECK_PASSWORD');
    expect(sessions.code).toBe(0);
    expect(sessions.stdout).toContain('--logout USER');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('--from');
  });

  it('answers a missing command, an unknown one and an unknown option with exit 2 and a hint on stderr', async () => {
    const [none, unknown, option] = await Promise.all([
      cli.run([], {}),
      cli.run(['frobnicate'], {}),
      cli.run(['check', '--password', 'x'], env),
    ]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: wcap-gateway <command>');

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');

    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--password'");
    expect(option.stderr).toContain("Run 'wcap-gateway check --help'");
  });
});

describe('wcap-gateway check', () => {
  it('passes with the test Redis and Radicale, listing the DAV classes (exit 0)', async () => {
    const run = await cli.run(['check'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok +config +settings valid/m);
    expect(run.stdout).toMatch(/^ok +redis +redis:\/\/\S+\/5 answered PING in \d+ ms \(connected in \d+ ms\)$/m);
    expect(run.stdout).toMatch(/^ok +caldav +http:\/\/\S+ answered OPTIONS with HTTP 200/m);
    expect(run.stdout).toMatch(/DAV: .*calendar-access/);
    expect(run.stdout).toMatch(/calendar-access: yes/);
    expect(run.stdout).toMatch(/calendar-auto-schedule: no/);
    expect(run.stdout).toMatch(/^all 3 checks passed$/m);
  });

  it('skips Redis when none is configured and still passes (exit 0)', async () => {
    const run = await cli.run(['check'], { ...env, WCAP_REDIS_URL: '' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^skip +redis +WCAP_REDIS_URL unset: sessions live in each gateway process/m);
    expect(run.stdout).toMatch(/^all 2 checks passed, 1 skipped$/m);
  });

  it('fails the Redis check for a Redis that does not answer (exit 1), without showing its password', async () => {
    const port = await closedPort();
    const run = await cli.run(['check', '--timeout', '1'], { ...env, WCAP_REDIS_URL: `redis://default:hunter2-redis@127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^FAIL +redis +redis://\\*\\*\\*@127\\.0\\.0\\.1:${port} gave no PING answer within 1000 ms: .*ECONNREFUSED`, 'm'));
    // The other checks still run and pass.
    expect(run.stdout).toMatch(/^ok +caldav /m);
    expect(run.stdout).toMatch(/^1 of 3 checks failed \(2 ok\)$/m);
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });

  it('fails the CalDAV check for a server that does not answer (exit 1)', async () => {
    const port = await closedPort();
    const run = await cli.run(['check', '--timeout', '2'], { ...env, WCAP_CALDAV_URL: `http://127.0.0.1:${port}/` });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^FAIL +caldav +http://127\\.0\\.0\\.1:${port}/: CalDAV server did not answer OPTIONS /: ECONNREFUSED`, 'm'));
  });

  it('reports every invalid setting on stderr and exits 2, from the environment or WCAP_CONFIG', async () => {
    const run = await cli.run(['check'], { ...env, WCAP_PORT: '99999', WCAP_SESSION_IDLE_SECONDS: 'soon' });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^FAIL +config +invalid settings \(2, on stderr\)$/m);
    expect(run.stderr).toContain('Invalid configuration:');
    expect(run.stderr).toContain('WCAP_PORT:');
    expect(run.stderr).toContain('WCAP_SESSION_IDLE_SECONDS:');
    // Nothing else is checked on a broken configuration.
    expect(run.stdout).not.toMatch(/redis|caldav/);

    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'caldavUrl: ftp://example.org/\nwcapColour: blue\n');
    const fromFile = await cli.run(['check'], { ...env, WCAP_CALDAV_URL: '', WCAP_CONFIG: file });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('WCAP_CALDAV_URL: must be an http(s) URL');
    expect(fromFile.stderr).toContain('unknown setting "wcapColour"');
  });

  it("logs in with --user and the password from WCAP_CHECK_PASSWORD and lists the user's calendars by calid", async () => {
    // A second calendar next to the default one, made directly on Radicale.
    const made = await h.radicale('bob', '/bob/cli-work/', {
      method: 'MKCALENDAR',
      headers: { 'content-type': 'application/xml' },
      body:
        '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
        '<D:set><D:prop><D:displayname>CLI work</D:displayname></D:prop></D:set></C:mkcalendar>',
    });
    expect([201, 405, 409]).toContain(made.status);
    const password = h.password('bob');
    const run = await cli.run(['check', '--user', 'bob'], { ...env, WCAP_CHECK_PASSWORD: password });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok +login +bob logged in; \d+ calendars \(calid, name\):$/m);
    // The default calendar's calid is the user name; the others are user:name.
    expect(run.stdout).toMatch(/^ +bob +"[^"]*" +\(default\)$/m);
    expect(run.stdout).toMatch(/^ +bob:cli-work +"CLI work"$/m);
    expect(run.stdout).toMatch(/^all 4 checks passed$/m);
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('fails the login check for a wrong password (exit 1), and never prints the password', async () => {
    const run = await cli.run(['check', '-u', 'bob'], { ...env, WCAP_CHECK_PASSWORD: 'not-bobs-password-42' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL +login +the CalDAV server refused the login of bob/m);
    expect(run.stdout + run.stderr).not.toContain('not-bobs-password-42');
  });

  it('cannot log in without WCAP_CALDAV_URL: the embedded Radicale runs only inside serve (exit 1)', async () => {
    const run = await cli.run(['check', '--user', 'bob'], { ...env, WCAP_CALDAV_URL: '', WCAP_CHECK_PASSWORD: h.password('bob') });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^(ok|FAIL) +caldav +WCAP_CALDAV_URL unset: serve would start the embedded Radicale/m);
    expect(run.stdout).toMatch(/^FAIL +login +needs WCAP_CALDAV_URL: the embedded Radicale runs only inside serve/m);
  });

  it('refuses --user without a password source (exit 2): no variable and stdin not a terminal', async () => {
    const run = await cli.run(['check', '--user', 'bob'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set WCAP_CHECK_PASSWORD, or run on a terminal');
    expect(run.stdout).toBe('');
  });
});

describe('wcap-gateway sessions', () => {
  async function liveSessions(): Promise<number> {
    const run = await cli.run(['sessions'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /^(\d+) live sessions?$/m.exec(run.stdout);
    if (!match) throw new Error(`unexpected output: ${run.stdout}`);
    return Number(match[1]);
  }

  async function isAlive(id: string): Promise<boolean> {
    const answer = await h.wcap('check_id', `id=${id}&fmt-out=text%2Fcalendar`);
    return answer.ical?.getFirstPropertyValue('x-nscp-wcap-check-id') === '1';
  }

  it('counts the sessions a gateway sharing its Redis holds, and no longer those logged out', async () => {
    const before = await liveSessions();
    const first = await h.login('carol');
    await h.login('dave');
    expect(await liveSessions()).toBe(before + 2);
    await h.wcap('logout', `id=${first}&fmt-out=text%2Fcalendar`);
    expect(await liveSessions()).toBe(before + 1);
  });

  it("ends all of a user's sessions with --logout: their ids answer errno 1, other users keep theirs", async () => {
    // Sessions of carol left by other tests of this file end too; count only from a clean start.
    await cli.run(['sessions', '--logout', 'carol'], env);
    const carol1 = await h.login('carol');
    const carol2 = await h.login('carol');
    const dave = await h.login('dave');
    const before = await liveSessions();

    const run = await cli.run(['sessions', '--logout', 'carol'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ended 2 sessions of carol\n');
    expect(await liveSessions()).toBe(before - 2);

    for (const id of [carol1, carol2]) {
      expect(await isAlive(id)).toBe(false);
      const fetched = await h.wcap('fetchcomponents_by_range', `id=${id}&calid=carol&fmt-out=text%2Fcalendar`);
      expect(fetched.errno).toBe(1);
    }
    expect(await isAlive(dave)).toBe(true);
    const again = await cli.run(['sessions', '--logout', 'carol'], env);
    expect(again.stdout).toBe('ended 0 sessions of carol\n');
  });

  it('explains that sessions without Redis cannot be counted from outside (exit 2)', async () => {
    const run = await cli.run(['sessions'], { ...env, WCAP_REDIS_URL: '' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('sessions live inside each gateway process and cannot be counted or ended from outside');
  });

  it('fails with exit 1 when Redis does not answer', async () => {
    const port = await closedPort();
    const run = await cli.run(['sessions', '--timeout', '1'], { ...env, WCAP_REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ gave no PING answer within 1000 ms: .*ECONNREFUSED/);
  });
});

describe('wcap-gateway serve', () => {
  for (const [entry, argv] of [
    ['src/cli/main.ts', ['serve']],
    // The image's `node dist/main.js` and `npm start`: the thin entry that runs serve.
    ['src/main.ts', []],
  ] as const) {
    it(`starts the gateway, answers version.wcap, and exits 0 on SIGTERM (${entry} ${argv.join(' ')})`, async () => {
      const child = cli.start([...argv], { ...env, WCAP_HOST: '127.0.0.1', WCAP_PORT: '0' }, entry);
      const exited = collect(child, 30_000, 'serve');
      const line = await waitForLine(child, /"msg":"wcap-gateway listening"/, 20_000);
      const { url } = JSON.parse(line) as { url: string };
      const answer = await parseAnswer(await fetch(`${url}version.wcap?fmt-out=${enc('text/calendar')}`));
      expect(answer.status).toBe(200);
      expect(answer.errno).toBe(0);
      expect(answer.ical?.getFirstPropertyValue('x-nscp-wcapversion')).toBe('3.0.0');

      child.kill('SIGTERM');
      const run = await exited;
      expect(run.signal).toBeNull();
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"msg":"shutting down"');
      await expect(fetch(`${url}version.wcap`)).rejects.toThrow();
    });
  }

  it("exits 0 after the admin listener's shutdown command", async () => {
    const token = 'cli-admin-token-0123456789';
    const child = cli.start(['serve'], { ...env, WCAP_HOST: '127.0.0.1', WCAP_PORT: '0', WCAP_ADMIN_PORT: '0', WCAP_ADMIN_TOKEN: token });
    const exited = collect(child, 30_000, 'serve');
    const line = await waitForLine(child, /"msg":"admin listener started"/, 20_000);
    const { url } = JSON.parse(line) as { url: string };
    const answer = await parseAnswer(await fetch(`${url}shutdown.wcap`, { headers: { Authorization: `Bearer ${token}` } }));
    expect(answer.errno).toBe(0);
    const run = await exited;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"signal":"admin shutdown"');
    expect(run.stdout).not.toContain(token);
  });

  it('exits 2 with the problems on stderr for an invalid configuration', async () => {
    const run = await cli.run(['serve'], { ...env, WCAP_SECRET: 'short' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('WCAP_SECRET: must be at least 16 characters');
  });
});
