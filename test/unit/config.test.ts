import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig, type Config } from '../../src/config.js';

const SECRET = 'a-secret-of-at-least-16-chars';
const dir = mkdtempSync(join(tmpdir(), 'wcap-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlFile(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted the configuration');
}

const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8080,
  caldavUrl: undefined,
  redisUrl: undefined,
  secret: undefined,
  secretAccepted: undefined,
  logLevel: 'info',
  defaultCalendar: 'calendar',
  mailDomain: undefined,
  sessionIdleSeconds: 1800,
  sessionMaxSeconds: 43200,
  recurrenceBound: 5000,
  maxParamLength: 1024 * 1024,
  maxBodyBytes: 4 * 1024 * 1024,
  maxUploadBytes: 64 * 1024 * 1024,
  maxImportComponents: 100_000,
  maxImportComponentBytes: 4 * 1024 * 1024,
  maxAttachmentBytes: 1024 * 1024,
  maxParams: 1000,
  maxListItems: 1000,
  maxAttendees: 1000,
  rangeDeleteMaxItems: 1000,
  maxConnections: 1000,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  shutdownGraceMs: 10_000,
  caldavTimeoutMs: 15000,
  dataDir: './data',
  radicaleUsersFile: './config/radicale/users',
  tombstoneRetentionSeconds: 30 * 24 * 3600,
  caldavConnections: 16,
  cacheMaxMb: 256,
  cacheValidation: undefined,
  readyTimeoutMs: 2000,
  logUser: 'hashed',
  loginMaxFailures: 5,
  loginAddressMaxFailures: 20,
  loginWindowSeconds: 900,
  loginBlockSeconds: 60,
  loginBlockMaxSeconds: 3600,
  trustedProxies: [],
  smtpUrl: undefined,
  smtpFrom: undefined,
  smtpTimeoutMs: 10000,
  adminPort: undefined,
  adminHost: '127.0.0.1',
  adminToken: undefined,
};

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set, and freezes the result', () => {
    const config = loadConfig({});
    expect({ ...config }).toEqual(DEFAULTS);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty variables as unset', () => {
    const empty = Object.fromEntries(Object.keys(ENVIRONMENT_VARIABLES).map((v) => [v, '']));
    expect({ ...loadConfig(empty) }).toEqual(DEFAULTS);
  });

  // One valid, non-default value per variable.
  const overrides: Array<[keyof typeof ENVIRONMENT_VARIABLES, string, unknown]> = [
    ['WCAP_HOST', '0.0.0.0', '0.0.0.0'],
    ['WCAP_PORT', '9090', 9090],
    ['WCAP_CALDAV_URL', 'https://dav.example.org/dav/', 'https://dav.example.org/dav/'],
    ['WCAP_REDIS_URL', 'rediss://cache.example.org:6380/2', 'rediss://cache.example.org:6380/2'],
    ['WCAP_SECRET', SECRET, SECRET],
    ['WCAP_SECRET_ACCEPTED', `${SECRET}-old`, `${SECRET}-old`],
    ['WCAP_LOG_LEVEL', 'debug', 'debug'],
    ['WCAP_DEFAULT_CALENDAR', 'work.2024', 'work.2024'],
    ['WCAP_MAIL_DOMAIN', 'example.org', 'example.org'],
    ['WCAP_SESSION_IDLE_SECONDS', '600', 600],
    ['WCAP_SESSION_MAX_SECONDS', '86400', 86400],
    ['WCAP_RECURRENCE_BOUND', '250', 250],
    ['WCAP_MAX_PARAM_LENGTH', '2048', 2048],
    ['WCAP_MAX_BODY_BYTES', '100000', 100000],
    ['WCAP_MAX_UPLOAD_BYTES', '1000000', 1000000],
    ['WCAP_MAX_IMPORT_COMPONENTS', '500', 500],
    ['WCAP_MAX_IMPORT_COMPONENT_BYTES', '65536', 65536],
    ['WCAP_MAX_ATTACHMENT_BYTES', '1', 1],
    ['WCAP_MAX_PARAMS', '200', 200],
    ['WCAP_MAX_LIST_ITEMS', '50', 50],
    ['WCAP_MAX_ATTENDEES', '20', 20],
    ['WCAP_RANGE_DELETE_MAX_ITEMS', '25', 25],
    ['WCAP_MAX_CONNECTIONS', '64', 64],
    ['WCAP_HEADERS_TIMEOUT_MS', '5000', 5000],
    ['WCAP_REQUEST_TIMEOUT_MS', '60000', 60000],
    ['WCAP_SHUTDOWN_GRACE_MS', '0', 0],
    ['WCAP_CALDAV_TIMEOUT_MS', '30000', 30000],
    ['WCAP_DATA_DIR', '/var/lib/wcap', '/var/lib/wcap'],
    ['WCAP_RADICALE_USERS', '/etc/wcap/users', '/etc/wcap/users'],
    ['WCAP_TOMBSTONE_RETENTION_SECONDS', '604800', 604800],
    ['WCAP_CALDAV_CONNECTIONS', '4', 4],
    ['WCAP_CACHE_MAX_MB', '0', 0],
    ['WCAP_CACHE_VALIDATION', 'last-modified', 'last-modified'],
    ['WCAP_READY_TIMEOUT_MS', '500', 500],
    ['WCAP_LOG_USER', 'off', 'off'],
    ['WCAP_LOGIN_MAX_FAILURES', '0', 0],
    ['WCAP_LOGIN_ADDRESS_MAX_FAILURES', '100', 100],
    ['WCAP_LOGIN_WINDOW_SECONDS', '300', 300],
    ['WCAP_LOGIN_BLOCK_SECONDS', '30', 30],
    ['WCAP_LOGIN_BLOCK_MAX_SECONDS', '86400', 86400],
    ['WCAP_TRUSTED_PROXIES', '10.0.0.1, 192.168.0.0/16 fd00::/8', ['10.0.0.1', '192.168.0.0/16', 'fd00::/8']],
    ['WCAP_SMTP_URL', 'smtps://relay:pw@mail.example.org:465', 'smtps://relay:pw@mail.example.org:465'],
    ['WCAP_SMTP_FROM', 'calendar@example.org', 'calendar@example.org'],
    ['WCAP_SMTP_TIMEOUT_MS', '2500', 2500],
    ['WCAP_ADMIN_PORT', '8081', 8081],
    ['WCAP_ADMIN_HOST', '::1', '::1'],
    ['WCAP_ADMIN_TOKEN', `${SECRET}-admin`, `${SECRET}-admin`],
  ];

  it('has an override case for every environment variable', () => {
    expect(overrides.map(([v]) => v).sort()).toEqual(Object.keys(ENVIRONMENT_VARIABLES).sort());
  });

  it.each(overrides)('%s=%s overrides its setting', (variable, value, expected) => {
    const env: Record<string, string> = { [variable]: value };
    if (variable === 'WCAP_REDIS_URL' || variable === 'WCAP_SECRET_ACCEPTED') env.WCAP_SECRET = SECRET; // both need the secret
    const config = loadConfig(env);
    expect(config[ENVIRONMENT_VARIABLES[variable]]).toEqual(expected);
  });

  it.each([
    ['http://radicale:5232', 'http://radicale:5232/'],
    ['http://radicale:5232/', 'http://radicale:5232/'],
    ['https://dav.example.org/remote.php/dav', 'https://dav.example.org/remote.php/dav/'],
  ])('adds the trailing slash to WCAP_CALDAV_URL %s', (value, expected) => {
    expect(loadConfig({ WCAP_CALDAV_URL: value }).caldavUrl).toBe(expected);
  });

  it.each([
    ['WCAP_PORT', 'abc'],
    ['WCAP_PORT', '70000'],
    ['WCAP_PORT', '80.5'],
    ['WCAP_CALDAV_URL', 'ftp://radicale:5232/'],
    ['WCAP_CALDAV_URL', 'radicale'],
    ['WCAP_REDIS_URL', 'http://redis:6379'],
    ['WCAP_SECRET', 'too-short'],
    ['WCAP_LOG_LEVEL', 'verbose'],
    ['WCAP_DEFAULT_CALENDAR', 'a/b'],
    ['WCAP_MAIL_DOMAIN', 'exa mple.org'],
    ['WCAP_SESSION_IDLE_SECONDS', '0'],
    ['WCAP_RECURRENCE_BOUND', '-5'],
    ['WCAP_MAX_PARAM_LENGTH', '100'],
    ['WCAP_MAX_BODY_BYTES', '1000'],
    ['WCAP_MAX_UPLOAD_BYTES', '1000'],
    ['WCAP_MAX_IMPORT_COMPONENTS', '0'],
    ['WCAP_MAX_IMPORT_COMPONENT_BYTES', '100'],
    ['WCAP_MAX_ATTACHMENT_BYTES', '0'],
    ['WCAP_MAX_PARAMS', '10'],
    ['WCAP_MAX_LIST_ITEMS', '0'],
    ['WCAP_MAX_ATTENDEES', 'many'],
    ['WCAP_RANGE_DELETE_MAX_ITEMS', '0'],
    ['WCAP_MAX_CONNECTIONS', '0'],
    ['WCAP_HEADERS_TIMEOUT_MS', '10'],
    ['WCAP_SHUTDOWN_GRACE_MS', '-1'],
    ['WCAP_CALDAV_TIMEOUT_MS', '10'],
    ['WCAP_TOMBSTONE_RETENTION_SECONDS', '0'],
    ['WCAP_READY_TIMEOUT_MS', '50'],
    ['WCAP_READY_TIMEOUT_MS', '600000'],
    ['WCAP_LOG_USER', 'plain'],
    ['WCAP_LOGIN_MAX_FAILURES', '-1'],
    ['WCAP_LOGIN_WINDOW_SECONDS', '0'],
    ['WCAP_LOGIN_BLOCK_SECONDS', 'soon'],
    ['WCAP_TRUSTED_PROXIES', '10.0.0.0/33'],
    ['WCAP_TRUSTED_PROXIES', 'proxy.example.org'],
    ['WCAP_SMTP_URL', 'http://mail.example.org/'],
    ['WCAP_SMTP_FROM', 'not a mail address'],
    ['WCAP_SMTP_TIMEOUT_MS', '10'],
    ['WCAP_ADMIN_PORT', '65536'],
    ['WCAP_ADMIN_TOKEN', 'short'],
  ])('rejects %s=%s, naming the variable', (variable, value) => {
    const problems = problemsOf({ [variable]: value, ...(variable === 'WCAP_REDIS_URL' ? { WCAP_SECRET: SECRET } : {}) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('never repeats a WCAP_SMTP_URL it refuses (it may hold the relay password)', () => {
    const problems = problemsOf({ WCAP_SMTP_URL: 'imap://relay:s3cret-pw@mail.example.org/' });
    expect(problems).toEqual(['WCAP_SMTP_URL: must be an smtp:// or smtps:// URL']);
  });

  it('takes WCAP_SECRET_ACCEPTED only beside WCAP_SECRET, and only as long as a secret', () => {
    expect(problemsOf({ WCAP_SECRET_ACCEPTED: `${SECRET}-old` })).toEqual([expect.stringMatching(/^WCAP_SECRET_ACCEPTED: .*beside WCAP_SECRET/)]);
    expect(problemsOf({ WCAP_SECRET: SECRET, WCAP_SECRET_ACCEPTED: 'short' })).toEqual([expect.stringMatching(/^WCAP_SECRET_ACCEPTED: .*16 characters/)]);
  });

  it('wants the whole request to be allowed at least as long as its headers', () => {
    expect(problemsOf({ WCAP_HEADERS_TIMEOUT_MS: '30000', WCAP_REQUEST_TIMEOUT_MS: '10000' })).toEqual([
      'WCAP_REQUEST_TIMEOUT_MS: must not be shorter than WCAP_HEADERS_TIMEOUT_MS',
    ]);
  });

  it('requires WCAP_SECRET with WCAP_REDIS_URL', () => {
    const problems = problemsOf({ WCAP_REDIS_URL: 'redis://redis:6379' });
    expect(problems).toEqual([expect.stringMatching(/^WCAP_SECRET: .*required when WCAP_REDIS_URL is set/)]);
    expect(() => loadConfig({ WCAP_REDIS_URL: 'redis://redis:6379' })).toThrow(/WCAP_SECRET/);
    expect(loadConfig({ WCAP_REDIS_URL: 'redis://redis:6379', WCAP_SECRET: SECRET }).redisUrl).toBe('redis://redis:6379');
  });

  it('rejects a maximum session shorter than the idle timeout', () => {
    const problems = problemsOf({ WCAP_SESSION_IDLE_SECONDS: '3600', WCAP_SESSION_MAX_SECONDS: '60' });
    expect(problems).toEqual([expect.stringMatching(/^WCAP_SESSION_MAX_SECONDS: /)]);
  });

  it('rejects a maximum login block shorter than the first block', () => {
    const problems = problemsOf({ WCAP_LOGIN_BLOCK_SECONDS: '600', WCAP_LOGIN_BLOCK_MAX_SECONDS: '60' });
    expect(problems).toEqual([expect.stringMatching(/^WCAP_LOGIN_BLOCK_MAX_SECONDS: /)]);
  });

  it('names the trusted proxy entry it cannot read', () => {
    const problems = problemsOf({ WCAP_TRUSTED_PROXIES: '10.0.0.1,not-an-ip,::1/129' });
    expect(problems).toEqual([
      expect.stringMatching(/^WCAP_TRUSTED_PROXIES: "not-an-ip" is not an IP address/),
      expect.stringMatching(/^WCAP_TRUSTED_PROXIES: "::1\/129" is not an IP address/),
    ]);
  });

  it('lists every invalid setting in one ConfigError, cross-setting rules included', () => {
    const env = {
      WCAP_PORT: 'eighty',
      WCAP_LOG_LEVEL: 'loud',
      WCAP_CALDAV_URL: 'not a url',
      WCAP_REDIS_URL: 'redis://redis:6379', // without WCAP_SECRET
      WCAP_SESSION_IDLE_SECONDS: '3600',
      WCAP_SESSION_MAX_SECONDS: '60',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    const named = problems.map((p) => p.split(':')[0]).sort();
    expect(named).toEqual(
      ['WCAP_CALDAV_URL', 'WCAP_LOG_LEVEL', 'WCAP_PORT', 'WCAP_SECRET', 'WCAP_SESSION_MAX_SECONDS'].sort(),
    );
    for (const problem of problems) expect(message).toContain(problem);
  });

  describe('with a YAML file named by WCAP_CONFIG', () => {
    it.each([
      ['camelCase keys', 'port: 9191\ncaldavUrl: http://dav.internal:5232\nlogLevel: warn\n'],
      ['environment variable names', 'WCAP_PORT: 9191\nWCAP_CALDAV_URL: http://dav.internal:5232\nWCAP_LOG_LEVEL: warn\n'],
    ])('reads settings with %s', (name, content) => {
      const config = loadConfig({ WCAP_CONFIG: yamlFile(`${name}.yaml`, content) });
      expect(config.port).toBe(9191);
      expect(config.caldavUrl).toBe('http://dav.internal:5232/');
      expect(config.logLevel).toBe('warn');
      expect(config.host).toBe(DEFAULTS.host);
    });

    it('lets the environment win over the file, and ignores empty variables', () => {
      const file = yamlFile('both.yaml', 'port: 9191\nhost: 10.0.0.1\nmailDomain: file.example\n');
      const config = loadConfig({ WCAP_CONFIG: file, WCAP_PORT: '9292', WCAP_HOST: '', WCAP_MAIL_DOMAIN: 'env.example' });
      expect(config.port).toBe(9292);
      expect(config.mailDomain).toBe('env.example');
      expect(config.host).toBe('10.0.0.1');
    });

    it('combines settings from file and environment for cross-setting rules', () => {
      const file = yamlFile('redis.yaml', `redisUrl: redis://redis:6379\n`);
      expect(problemsOf({ WCAP_CONFIG: file })).toEqual([expect.stringMatching(/^WCAP_SECRET: /)]);
      expect(loadConfig({ WCAP_CONFIG: file, WCAP_SECRET: SECRET }).redisUrl).toBe('redis://redis:6379');
    });

    it('reports unknown keys together with invalid values', () => {
      const file = yamlFile('unknown.yaml', 'prot: 9191\nlogLevel: loud\n');
      const problems = problemsOf({ WCAP_CONFIG: file });
      expect(problems).toHaveLength(2);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^WCAP_CONFIG \(.*unknown\.yaml\): unknown setting "prot"/),
          expect.stringMatching(/^WCAP_LOG_LEVEL: /),
        ]),
      );
    });

    it.each([
      ['a missing file', join(dir, 'does-not-exist.yaml'), /ENOENT/],
      ['a list at the top level', 'list.yaml', /top level must be a mapping/],
      ['broken YAML', 'broken.yaml', /.+/],
    ])('reports %s under WCAP_CONFIG', (_case, file, reason) => {
      if (file === 'list.yaml') file = yamlFile(file, '- port: 1\n');
      if (file === 'broken.yaml') file = yamlFile(file, 'port: [9191\n');
      const problems = problemsOf({ WCAP_CONFIG: file });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^WCAP_CONFIG \(/);
      expect(problems[0]).toMatch(reason);
    });

    it('reads WCAP_TRUSTED_PROXIES as a YAML list too', () => {
      const file = yamlFile('proxies.yaml', 'trustedProxies:\n  - 10.0.0.1\n  - fd00::/8\n');
      expect(loadConfig({ WCAP_CONFIG: file }).trustedProxies).toEqual(['10.0.0.1', 'fd00::/8']);
    });

    it('accepts an empty file', () => {
      expect({ ...loadConfig({ WCAP_CONFIG: yamlFile('empty.yaml', '') }) }).toEqual(DEFAULTS);
    });
  });
});
