import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderRadicaleConfig } from '../../src/embedded-radicale-process.js';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Real Radicale and Redis for the `services` test project.
 * Order of preference: containers through testcontainers when a container engine answers, else the
 * Debian binaries on free loopback ports with temporary directories. Neither → a thrown error with
 * the install command; integration tests never skip silently.
 */

/** Users every test run has on Radicale (plain htpasswd, test only). */
export const TEST_USERS: Record<string, string> = {
  alice: 'alice-secret-pw',
  bob: 'bob-secret-pw',
  carol: 'carol-secret-pw',
  dave: 'dave-secret-pw',
  erin: 'erin-secret-pw',
  frank: 'frank-secret-pw',
  // Only test/integration/migrate.test.ts uses these, one user per test (each migration owns its user's calendars).
  mira: 'mira-secret-pw',
  nils: 'nils-secret-pw',
  olga: 'olga-secret-pw',
  pia: 'pia-secret-pw',
  sven: 'sven-secret-pw',
  // Only test/integration/calendar-management.test.ts uses these (it creates and deletes calendars).
  quinn: 'quinn-secret-pw',
  ravi: 'ravi-secret-pw',
  // jdoe may see team's home and read its calendars (SHARING_RIGHTS): calendar search and
  // subscriptions across homes (test/integration/subscriptions.test.ts, search-homes.test.ts).
  jdoe: 'jdoe-secret-pw',
  team: 'team-secret-pw',
};

/**
 * Users only the proof suites' CI slices (proof/, test/proof) log in as: `fuzz1`–`fuzz3` and
 * `soak01`–`soak08`. Their calendars fill with generated items, which no other test file may meet.
 */
export const PROOF_USERS: Record<string, string> = Object.fromEntries(
  [...numbered('fuzz', 3, 1), ...numbered('soak', 8, 2)].map((user) => [user, `${user}-proof-pw`]),
);

/** `prefix1`…`prefixN`, the number padded to `digits`. */
export function numbered(prefix: string, count: number, digits: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(digits, '0')}`);
}

export interface RunningServices {
  radicaleUrl: string;
  redisUrl: string;
  mode: 'containers' | 'binaries';
  /**
   * Radicale's storage folder (`filesystem_folder`, holding `collection-root/<user>/…`) when it runs
   * from the binary; undefined for containers. The benchmark writes its fixture there.
   */
  collectionsDir?: string;
  /** Radicale's rights file on this machine (bind-mounted into the container in containers mode). */
  rightsFile: string;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Users Radicale accepts in addition to {@link TEST_USERS} (name → plain password). */
  extraUsers?: Record<string, string>;
}

const INSTALL_HINT = 'install them with: sudo apt-get install -y radicale redis-server   (or run: npm run setup)';

export async function startServices(
  log: (line: string) => void = console.log,
  options: ServiceOptions = {},
): Promise<RunningServices> {
  const users = { ...TEST_USERS, ...options.extraUsers };
  if (await containerEngineAnswers()) {
    const started = await startContainers(users);
    log(`[services] Radicale and Redis from containers (testcontainers): ${started.radicaleUrl} ${started.redisUrl}`);
    return started;
  }
  const missing = ['radicale', 'redis-server'].filter((bin) => !onPath(bin));
  if (missing.length > 0) {
    throw new Error(`No container engine answers and ${missing.join(', ')} not found on PATH; ${INSTALL_HINT}`);
  }
  const started = await startBinaries(users);
  log(
    `[services] no container engine; Debian binaries on loopback: radicale ${started.radicaleUrl} ` +
      `(${radicaleVersion()}), redis-server ${started.redisUrl}`,
  );
  return started;
}

async function containerEngineAnswers(): Promise<boolean> {
  if (process.env.WCAP_TEST_NO_CONTAINERS === '1') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      sleep(5000).then(() => {
        throw new Error('timeout');
      }),
    ]);
    return true;
  } catch {
    return false;
  }
}

function htpasswdText(users: Record<string, string>): string {
  return `${Object.entries(users)
    .map(([u, p]) => `${u}:${p}`)
    .join('\n')}\n`;
}

async function startContainers(users: Record<string, string>): Promise<RunningServices> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const rightsDir = mkdtempSync(join(tmpdir(), 'wcap-rights-'));
  writeFileSync(join(rightsDir, 'rights'), TEST_RIGHTS);
  const { RedisContainer } = await import('@testcontainers/redis');
  const radicale = await new GenericContainer('tomsquest/docker-radicale:3.1.8.3')
    .withExposedPorts(5232)
    .withCopyContentToContainer([
      { content: htpasswdText(users), target: '/config/users' },
      { content: radicaleConfig('0.0.0.0:5232', '/data/collections', '/config/users', '/rights/rights'), target: '/config/config' },
    ])
    .withBindMounts([{ source: rightsDir, target: '/rights', mode: 'ro' }])
    .withWaitStrategy(Wait.forHttp('/.web', 5232).forStatusCodeMatching((c) => c < 500))
    .start();
  const redis = await new RedisContainer('redis:7').start();
  return {
    radicaleUrl: `http://${radicale.getHost()}:${radicale.getMappedPort(5232)}/`,
    redisUrl: redis.getConnectionUrl(),
    mode: 'containers',
    rightsFile: join(rightsDir, 'rights'),
    async stop() {
      await Promise.allSettled([radicale.stop(), redis.stop()]);
      rmSync(rightsDir, { recursive: true, force: true });
    },
  };
}

/** The test Radicale's config: the gateway's own, without the failed-login delay. */
export function radicaleConfig(hostPort: string, collections: string, usersFile: string, rightsFile?: string): string {
  return renderRadicaleConfig(hostPort, usersFile, collections, 0, rightsFile);
}

/**
 * Rights of the test Radicale (`from_file`): exactly what `owner_only` grants — everyone reads the
 * root, owns their principal and their calendars. Tests add sharing rules above these sections
 * (the first matching section wins) and Radicale 3.1.8 re-reads the file on every request, so a
 * test can grant and revoke access while the gateway runs.
 */
export const OWNER_ONLY_RIGHTS = [
  '[root]', 'user: .+', 'collection:', 'permissions: R', '',
  '[principal]', 'user: .+', 'collection: {user}', 'permissions: RW', '',
  '[calendars]', 'user: .+', 'collection: {user}/[^/]+', 'permissions: rw', '',
].join('\n');

/**
 * Sharing of the test Radicale, above the owner rules: jdoe sees team's principal and home (`R`)
 * and reads team's calendars (`r`), the way an administrator shares a team calendar on Radicale;
 * jdoe also reads carol's calendar `shared`, without seeing carol's home.
 * Nobody else gets anything more than {@link OWNER_ONLY_RIGHTS}.
 */
export const SHARING_RIGHTS = [
  '[jdoe-sees-team]', 'user: jdoe', 'collection: team', 'permissions: R', '',
  '[jdoe-reads-team]', 'user: jdoe', 'collection: team/[^/]+', 'permissions: r', '',
  // One calendar shared without its home: found by jdoe only once subscribed.
  '[jdoe-reads-carol-shared]', 'user: jdoe', 'collection: carol/shared', 'permissions: r', '',
].join('\n');

/** The rights file of the shared test Radicale: the sharing rules, then the owner rules. */
export const TEST_RIGHTS = `${SHARING_RIGHTS}\n${OWNER_ONLY_RIGHTS}`;

/** A Radicale of its own (not the shared one), e.g. the legacy side of a migration test. */
export interface RunningRadicale {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts one more Radicale with `users` and the owner-only rights: a container when an engine
 * answers, else the Debian binary on a free loopback port.
 */
export async function startRadicale(users: Record<string, string>): Promise<RunningRadicale> {
  if (await containerEngineAnswers()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('tomsquest/docker-radicale:3.1.8.3')
      .withExposedPorts(5232)
      .withCopyContentToContainer([
        { content: htpasswdText(users), target: '/config/users' },
        { content: OWNER_ONLY_RIGHTS, target: '/config/rights' },
        { content: radicaleConfig('0.0.0.0:5232', '/data/collections', '/config/users', '/config/rights'), target: '/config/config' },
      ])
      .withWaitStrategy(Wait.forHttp('/.web', 5232).forStatusCodeMatching((c) => c < 500))
      .start();
    return { url: `http://${container.getHost()}:${container.getMappedPort(5232)}/`, stop: async () => void (await container.stop()) };
  }
  if (!onPath('radicale')) throw new Error(`No container engine answers and radicale not found on PATH; ${INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), 'wcap-radicale-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const radicale = await startLocalRadicale(dir, users);
    return {
      url: radicale.url,
      async stop() {
        await radicale.stop();
        remove();
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}

async function startBinaries(users: Record<string, string>): Promise<RunningServices> {
  const dir = mkdtempSync(join(tmpdir(), 'wcap-test-'));
  const started: LocalService[] = [];
  const cleanup = async () => {
    await Promise.all(started.map((service) => service.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const radicale = await startLocalRadicale(dir, users, TEST_RIGHTS);
    started.push(radicale);
    const redis = await startLocalRedis(dir);
    started.push(redis);
    return {
      radicaleUrl: radicale.url,
      redisUrl: redis.url,
      mode: 'binaries',
      collectionsDir: join(dir, 'collections'),
      rightsFile: join(dir, 'rights'),
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * A Debian service binary on a free loopback port, which a test may stop and start again on the same
 * port with the same data (readiness tests), or freeze (SIGSTOP) to play a hung server.
 */
export interface LocalService {
  readonly url: string;
  /** SIGTERM, then waits until it has exited (bounded: 5 s). */
  stop(): Promise<void>;
  /** Starts it again and waits until it answers. */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: the port stays open, nothing answers. */
  pause(): void;
  resume(): void;
}

/** A redis-server in `dir` (no persistence) on a free loopback port, answering. */
export async function startLocalRedis(dir: string): Promise<LocalService> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  return localService('redis-server', args, `redis://127.0.0.1:${port}`, () => tcpAnswers(port));
}

/**
 * A Radicale with the test configuration (users, owner-only rights file) in `dir` on a free loopback
 * port, answering. Its collections are `dir/collections`.
 */
export async function startLocalRadicale(dir: string, users: Record<string, string> = TEST_USERS, rights: string = OWNER_ONLY_RIGHTS): Promise<LocalService> {
  const port = await freePort();
  mkdirSync(join(dir, 'collections'), { recursive: true });
  writeFileSync(join(dir, 'users'), htpasswdText(users));
  writeFileSync(join(dir, 'rights'), rights);
  writeFileSync(
    join(dir, 'radicale.conf'),
    radicaleConfig(`127.0.0.1:${port}`, join(dir, 'collections'), join(dir, 'users'), join(dir, 'rights')),
  );
  const url = `http://127.0.0.1:${port}/`;
  return localService('radicale', ['--config', join(dir, 'radicale.conf')], url, async () => {
    const res = await fetch(url, { method: 'OPTIONS' });
    return res.status < 500;
  });
}

export async function localService(command: string, args: string[], url: string, answers: () => Promise<boolean>): Promise<LocalService> {
  let child: ChildProcess | undefined;
  const service: LocalService = {
    url,
    async start() {
      if (child) throw new Error(`${command} is already running`);
      child = startChild(command, args);
      try {
        await waitFor(answers, command);
      } catch (err) {
        await service.stop();
        throw err;
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      running.kill('SIGCONT'); // a paused process would not act on SIGTERM
      running.kill('SIGTERM');
      await Promise.race([once(running, 'exit'), sleep(5000, undefined, { ref: false })]);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
  await service.start();
  return service;
}

function startChild(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGTERM' && code !== 0 && code !== null) {
      console.error(`[services] ${command} exited with ${code}: ${stderr}`);
    }
  });
  return child;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms: ${String(lastError)}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function tcpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function onPath(bin: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((d) => {
    try {
      return statSync(join(d, bin)).isFile();
    } catch {
      return false;
    }
  });
}

function radicaleVersion(): string {
  try {
    return execFileSync('radicale', ['--version']).toString().trim();
  } catch {
    return 'unknown version';
  }
}
