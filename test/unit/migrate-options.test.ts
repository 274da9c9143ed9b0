import { describe, expect, it } from 'vitest';
import { parseMigrateArgs } from '../../src/migrate/migrate-options.js';
import { runMigrate } from '../../src/migrate/index.js';

const BASE = ['--from', 'http://old.test:8080', '--to', 'http://new.test/'];

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runMigrate(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env, isTTY: false });
  return { code, stdout, stderr };
}

describe('migrate arguments', () => {
  it('applies defaults and normalises the URLs', () => {
    expect(parseMigrateArgs([...BASE, '--users-file', 'u.txt'])).toEqual({
      from: 'http://old.test:8080/', to: 'http://new.test/', usersFile: 'u.txt', stateFile: 'wcap-migrate-state.json', dryRun: false,
      defaultCalendar: 'calendar', concurrency: 4, maxItems: 100_000, maxObjectBytes: 1024 * 1024, progressEvery: 100, timeoutMs: 120_000,
    });
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: wcap-gateway migrate');
    expect(stdout).toContain('--dry-run');
  });

  it.each([
    [['--users-file', 'u.txt', '--password', 'secret'], 'passwords are never taken from the command line'],
    [['--users-file', 'u.txt', '--password=secret'], 'passwords are never taken from the command line'],
    [['--users-file', 'u.txt', '--bogus'], "Unknown option '--bogus'"],
    [['--users-file', 'u.txt', '--user', 'a'], 'give exactly one of --users-file and --user'],
    [[], 'give exactly one of --users-file and --user'],
    [['--users-file', 'u.txt', '--concurrency', '99'], '--concurrency must be a whole number from 1 to 16'],
    [['--users-file', 'u.txt', '--max-items', '1e3'], '--max-items must be a whole number'],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const { code, stderr } = await run([...BASE, ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('secret');
  });

  it.each([
    [['--from', 'ftp://old/', '--to', 'http://new/'], '--from must be an http(s) URL'],
    [['--from', 'http://admin:pw@old/', '--to', 'http://new/'], '--from must not contain a user or password'],
    [['--from', 'http://old/', '--to', 'not a url'], '--to is not a URL'],
    [['--to', 'http://new/'], '--from is required'],
  ])('refuses bad URLs: %j', async (args, message) => {
    const { code, stderr } = await run([...args, '--users-file', 'u.txt']);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('pw@');
  });

  it('needs the passwords in the environment for --user and --proxy-admin, and a readable users file', async () => {
    expect((await run([...BASE, '--user', 'alice'])).stderr).toContain('--user needs the password in WCAP_MIGRATE_PASSWORD');
    expect((await run([...BASE, '--user', 'alice', '--proxy-admin', 'root'])).stderr).toContain('--proxy-admin needs the password in WCAP_MIGRATE_ADMIN_PASSWORD');
    const missing = await run([...BASE, '--users-file', '/nonexistent/users.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the users file /nonexistent/users.txt: ENOENT');
  });
});
