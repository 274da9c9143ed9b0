import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../src/config.js';

// docker-compose.yml, the Dockerfile and config/radicale/compose.conf must agree with src/config.ts:
// a renamed variable, service or port breaks `docker compose up` silently otherwise.

const root = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Service {
  healthcheck?: { test?: string[] | string; interval?: string; timeout?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { source: string; target: string }>;
}
const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Service> };
const dockerfile = read('Dockerfile');

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function environmentOf(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)] as const);
  return Object.fromEntries(entries);
}

/** Compose interpolation of ${VAR}, ${VAR:-default}, ${VAR:?message} from `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const set = vars[name];
    if (set !== undefined && set !== '') return set;
    if (op === '?') throw new Error(`compose requires ${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** Container-side ports a service listens on: targets of `ports` plus `expose`. */
function containerPorts(name: string): number[] {
  const { ports = [], expose = [] } = service(name);
  const targets = ports.map((p) => {
    if (typeof p === 'object') return Number(p.target);
    const withoutProto = String(p).split('/')[0]!;
    return Number(withoutProto.split(':').at(-1));
  });
  return [...targets, ...expose.map((e) => Number(String(e).split('/')[0]))];
}

const gatewayEnv = environmentOf('gateway');
const DUMMY_SECRET = 'compose-test-secret-0123456789';
const resolvedEnv = Object.fromEntries(
  Object.entries(gatewayEnv).map(([k, v]) => [k, interpolate(v, { WCAP_SECRET: DUMMY_SECRET })]),
);

describe('docker-compose.yml agrees with src/config.ts and the Dockerfile', () => {
  it('has the services gateway, radicale and redis', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['gateway', 'radicale', 'redis']));
  });

  it('only uses WCAP_* variables that src/config.ts reads', () => {
    const used = Object.keys(compose.services).flatMap((name) =>
      Object.keys(environmentOf(name)).filter((k) => k.startsWith('WCAP_')),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const variable of used) expect(Object.keys(ENVIRONMENT_VARIABLES), variable).toContain(variable);
    // the Dockerfile's ENV lines too
    for (const [, variable] of dockerfile.matchAll(/\b(WCAP_\w+)=/g)) {
      expect(Object.keys(ENVIRONMENT_VARIABLES), `Dockerfile ${variable}`).toContain(variable);
    }
  });

  it('passes loadConfig validation with the secret filled in', () => {
    const config = loadConfig(resolvedEnv);
    expect(config.host).toBe('0.0.0.0');
    expect(config.caldavUrl).toBe('http://radicale:5232/');
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.secret).toBe(DUMMY_SECRET);
  });

  it('refuses to start without WCAP_SECRET (Redis needs the shared key)', () => {
    expect(gatewayEnv.WCAP_SECRET).toMatch(/^\$\{WCAP_SECRET:\?.+\}$/);
    expect(() => interpolate(gatewayEnv.WCAP_SECRET!, {})).toThrow(/WCAP_SECRET/);
  });

  it('publishes the gateway on the port it listens on, which the Dockerfile exposes', () => {
    const port = Number(resolvedEnv.WCAP_PORT);
    expect(containerPorts('gateway')).toEqual([port]);
    const exposed = [...dockerfile.matchAll(/^EXPOSE\s+(\d+)/gm)].map((m) => Number(m[1]));
    expect(exposed).toEqual([port]);
    expect(/\bWCAP_PORT=(\d+)/.exec(dockerfile)?.[1]).toBe(String(port));
    expect(dockerfile).toMatch(/\bWCAP_HOST=0\.0\.0\.0\b/);
  });

  it('points WCAP_CALDAV_URL at the radicale service and the port Radicale listens on', () => {
    const url = new URL(resolvedEnv.WCAP_CALDAV_URL!);
    expect(compose.services).toHaveProperty(url.hostname);
    expect(url.hostname).toBe('radicale');
    expect(containerPorts('radicale')).toContain(Number(url.port));
    const radicaleConf = read('config/radicale/compose.conf');
    expect(radicaleConf).toMatch(new RegExp(`^hosts\\s*=\\s*0\\.0\\.0\\.0:${url.port}\\s*$`, 'm'));
  });

  it('points WCAP_REDIS_URL at the redis service on 6379, not published to the host', () => {
    const url = new URL(resolvedEnv.WCAP_REDIS_URL!);
    expect(compose.services).toHaveProperty(url.hostname);
    expect(url.hostname).toBe('redis');
    expect(url.port).toBe('6379');
    expect(containerPorts('redis')).toEqual([6379]);
    expect(service('redis').ports ?? []).toEqual([]);
  });

  it('mounts the Radicale config and users file that compose.conf names, and both exist', () => {
    const mounts = (service('radicale').volumes ?? []).map((v) =>
      typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1]! } : v,
    );
    const radicaleConf = read('config/radicale/compose.conf');
    const usersTarget = /^htpasswd_filename\s*=\s*(\S+)/m.exec(radicaleConf)?.[1];
    expect(radicaleConf).toMatch(/^type\s*=\s*owner_only/m);
    expect(mounts).toEqual(
      expect.arrayContaining([
        { source: './config/radicale/compose.conf', target: '/config/config' },
        { source: './config/radicale/users', target: usersTarget },
      ]),
    );
    for (const { source } of mounts.filter((m) => m.source.startsWith('./'))) {
      expect(existsSync(join(root, source)), source).toBe(true);
    }
  });
});

/** The exec-form command of the Dockerfile's HEALTHCHECK (continuation lines joined). */
function dockerfileHealthcheck(): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const line = /^HEALTHCHECK\s.*?\bCMD\s+(\[.*\])\s*$/m.exec(joined);
  if (!line) throw new Error('the Dockerfile has no exec-form HEALTHCHECK');
  return JSON.parse(line[1]!) as string[];
}

/** Runs a health check command (node -e …) with WCAP_PORT set; resolves with its exit code. */
function runCheck(command: string[], port: number): Promise<number> {
  const [program, ...args] = command;
  expect(program).toBe('node');
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, WCAP_PORT: String(port) }, timeout: 10_000 }, (err) =>
      resolve(err ? Number((err as { code?: unknown }).code ?? 1) : 0),
    );
  });
}

/** A stand-in gateway answering /readyz with `status`; returns its port and the paths it was asked. */
async function stubGateway(status: number): Promise<{ port: number; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(req.url === '/readyz' ? status : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('health checks of the image and of docker-compose.yml', () => {
  const composeCheck = () => {
    const test = service('gateway').healthcheck?.test;
    if (!Array.isArray(test) || test[0] !== 'CMD') throw new Error('the gateway service needs an exec-form healthcheck (["CMD", …])');
    return test.slice(1);
  };

  it('both run the same check, with the node of the image (it has no curl)', () => {
    expect(composeCheck()).toEqual(dockerfileHealthcheck());
    expect(dockerfileHealthcheck().slice(0, 2)).toEqual(['node', '-e']);
  });

  it.each([
    [200, 0],
    [503, 1],
  ])('the check asks /readyz on WCAP_PORT: %i → exit %i', async (status, exitCode) => {
    const stub = await stubGateway(status);
    try {
      expect(await runCheck(dockerfileHealthcheck(), stub.port)).toBe(exitCode);
      expect(stub.paths).toEqual(['/readyz']);
    } finally {
      await stub.close();
    }
  });

  it('the check fails when nothing listens', async () => {
    const stub = await stubGateway(200);
    await stub.close();
    expect(await runCheck(dockerfileHealthcheck(), stub.port)).toBe(1);
  });

  it('the image still runs as the unprivileged node user', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime.indexOf('USER node')).toBeLessThan(runtime.indexOf('CMD ["node", "dist/main.js"]'));
  });
});
