import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { startServices, TEST_USERS, type RunningServices } from '../test/support/services.js';
import { cloneCalendar, generateObjects, writeCalendar, type FixtureObject } from './fixture.js';
import { BenchError, countResponses, send } from './http.js';
import { Requests } from './requests.js';

/**
 * Everything the cases run against: Radicale and Redis from test/support/services.ts (binaries on
 * loopback), the fixture calendar for every user, the gateway in this process, two keep-alive
 * agents (gateway, Radicale) for the sequential cases.
 */

export interface BenchOptions {
  items: number;
  /** Fresh calendars for the cold case, one per round. */
  coldRounds: number;
  /** Rounds of the repeated and by-UID cases. */
  rounds: number;
  /** Concurrent clients of case 3. */
  clients: number;
  pollSeconds: number;
  /** Connections of the gettime case. */
  connections: number;
  gettimeSeconds: number;
  /** Run only the import and export cases (6, 7). */
  onlyImportExport?: boolean;
  /** Run only case 8 (over the in-memory fake). */
  onlyFake?: boolean;
  /** Events of case 8. */
  fakeItems?: number;
  /** Run case 7 (import into Radicale); default true. */
  radicaleImport?: boolean;
}

export interface Environment {
  services: RunningServices;
  gateway: RunningGateway;
  requests: Requests;
  objects: FixtureObject[];
  /** The main user; case 3b and the sequential cases use its calendar. */
  user: string;
  pollUsers: string[];
  coldUsers: string[];
  gatewayAgent: http.Agent;
  davAgent: http.Agent;
  /** WCAP_* variables taken from the environment into the gateway's config. */
  passedThrough: Record<string, string>;
  fillSeconds: number;
  warmSeconds: number;
  close(): Promise<void>;
}

const USER = 'alice';
/** Set by the bench itself; the same variables from the environment are ignored. */
const FIXED = ['WCAP_HOST', 'WCAP_PORT', 'WCAP_CALDAV_URL', 'WCAP_REDIS_URL', 'WCAP_SECRET'];

export async function prepare(options: BenchOptions, log: (line: string) => void): Promise<Environment> {
  const passedThrough = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith('WCAP_') && !e[0].startsWith('WCAP_TEST_') && e[1] !== undefined && !FIXED.includes(e[0]),
    ),
  );
  const ignored = FIXED.filter((name) => process.env[name] !== undefined);
  if (ignored.length > 0) log(`ignoring ${ignored.join(', ')} from the environment (the bench sets them)`);

  const name = (prefix: string, i: number) => `${prefix}${String(i + 1).padStart(2, '0')}`;
  const pollUsers = Array.from({ length: options.clients }, (_, i) => name('poll', i));
  const coldUsers = Array.from({ length: options.coldRounds }, (_, i) => name('cold', i));
  const extraUsers = Object.fromEntries([...pollUsers, ...coldUsers].map((u) => [u, `${u}-bench-pw`]));
  const passwords = { ...TEST_USERS, ...extraUsers };

  // The fixture goes straight into Radicale's folder, which only the binaries mode exposes.
  process.env.WCAP_TEST_NO_CONTAINERS ??= '1';
  const services = await startServices(log, { extraUsers });
  const cleanups: Array<() => Promise<void>> = [() => services.stop()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    if (!services.collectionsDir) {
      throw new BenchError(
        `Radicale runs in ${services.mode} mode, whose storage folder the bench cannot fill: run it with ` +
          'WCAP_TEST_NO_CONTAINERS=1 and the Debian binaries (sudo apt-get install -y radicale redis-server)',
      );
    }
    const davAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const gatewayAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    cleanups.push(async () => {
      davAgent.destroy();
      gatewayAgent.destroy();
    });

    let t = performance.now();
    const objects = generateObjects(options.items);
    const folder = writeCalendar(services.collectionsDir, USER, objects);
    const fillSeconds = (performance.now() - t) / 1000;

    // The first access parses every object and writes Radicale's item cache; measured runs must not pay it.
    t = performance.now();
    const probe = new Requests('http://unused/', services.radicaleUrl, passwords, 0);
    const first = await send(davAgent, probe.report(USER));
    const warmSeconds = (performance.now() - t) / 1000;
    if (first.status !== 207) throw new BenchError(`direct REPORT: HTTP ${first.status}: ${first.body.slice(0, 300)}`);
    const monthObjects = countResponses(first.body);
    if (monthObjects === 0) throw new BenchError('the measured month holds no objects: fixture and month disagree');

    for (const user of [...pollUsers, ...coldUsers]) cloneCalendar(services.collectionsDir, folder, user);

    const env: Record<string, string> = {
      WCAP_LOG_LEVEL: 'silent',
      // Under 16 clients a 10,000-item REPORT can queue in Radicale for longer than the default
      // 15 s; the direct clients wait, so the gateway does too unless the environment says otherwise.
      WCAP_CALDAV_TIMEOUT_MS: '600000',
      ...passedThrough,
      WCAP_HOST: '127.0.0.1',
      WCAP_PORT: '0',
      WCAP_CALDAV_URL: services.radicaleUrl,
      WCAP_REDIS_URL: services.redisUrl,
      WCAP_SECRET: 'benchmark-secret-0123456789abcdef',
    };
    const config = loadConfig(env);
    const gateway = await startGateway(config, createLogger(config.logLevel));
    cleanups.push(() => gateway.close());
    const requests = new Requests(gateway.url, services.radicaleUrl, passwords, monthObjects);
    return {
      services,
      gateway,
      requests,
      objects,
      user: USER,
      pollUsers,
      coldUsers,
      gatewayAgent,
      davAgent,
      passedThrough,
      fillSeconds,
      warmSeconds,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** `radicale --version` and friends; "unknown" when the command fails. */
export function versionOf(command: string, args: string[], pattern = /(\S+)/): string {
  try {
    return pattern.exec(execFileSync(command, args, { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The commit of the code under test, with a note when src/ has uncommitted changes. */
export function codeVersion(): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
    return dirty ? `${commit} + uncommitted changes in src/` : commit;
  } catch {
    return 'unknown';
  }
}
