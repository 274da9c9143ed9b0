/**
 * Input bounds under attack (README, Security): what an oversized request costs the gateway, and
 * what an unrelated client sees meanwhile. Radicale and Redis from test/support/services.ts, the
 * gateway in this process.
 *
 *   1 parameters    CPU time of one POST storeevents with 1,000 / 10,000 / 100,000 X- parameters:
 *                   (a) with the default WCAP_MAX_PARAMS (refused once past it), (b) with the
 *                   limit raised to 1,000,000 (parsed and stored: shows the cost stays linear)
 *   2 floods        gettime latency (p50/p99) of one client alone, then while 4 clients send
 *                   100,000-parameter requests, then while 10 clients each upload 100 MB chunked;
 *                   the gateway's RSS before and after each flood
 *
 *   npm run bench:attack [-- --seconds 5]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { startServices, TEST_USERS } from '../test/support/services.js';
import { percentile, send } from './http.js';
import { formatColumns, mb, ms } from './table.js';

const USER = 'alice';
const SIZES = [1_000, 10_000, 100_000];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
  const seconds = Number(values.seconds ?? 5);
  const services = await startServices(console.log);
  const gateways: RunningGateway[] = [];
  const start = async (env: Record<string, string>) => {
    const config = loadConfig({
      WCAP_HOST: '127.0.0.1',
      WCAP_PORT: '0',
      WCAP_CALDAV_URL: services.radicaleUrl,
      WCAP_REDIS_URL: services.redisUrl,
      WCAP_SECRET: 'bench-attack-secret-0123456789',
      WCAP_LOG_LEVEL: 'silent',
      ...env,
    });
    const gateway = await startGateway(config, createLogger('silent'));
    gateways.push(gateway);
    return gateway;
  };
  try {
    const strict = await start({});
    const lenient = await start({ WCAP_MAX_PARAMS: '1000000', WCAP_MAX_BODY_BYTES: String(64 * 1024 * 1024) });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const login = async (g: RunningGateway) => {
      const answer = await send(agent, { url: `${g.url}login.wcap?user=${USER}&password=${encodeURIComponent(TEST_USERS[USER]!)}`, check: { kind: 'wcap' } });
      return /X-NSCP-WCAP-SESSION-ID:(\S+)/.exec(answer.body)![1]!;
    };
    const ids = new Map([[strict, await login(strict)], [lenient, await login(lenient)]]);
    let counter = 0;
    const flood = (g: RunningGateway, n: number) =>
      `id=${ids.get(g)}&calid=${USER}&uid=attack-${Date.now()}-${++counter}&dtstart=20300101T090000Z&dtend=20300101T100000Z&summary=x&storetype=1&` +
      Array.from({ length: n }, (_, i) => `X-P${i}=v${i}`).join('&');
    const post = (g: RunningGateway, body: string) =>
      send(agent, { url: `${g.url}storeevents.wcap`, method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, check: { kind: 'wcap' } });

    const rows: string[][] = [];
    for (const n of SIZES) {
      for (const [label, g] of [['default limits', strict], ['WCAP_MAX_PARAMS=1000000', lenient]] as const) {
        const body = flood(g, n);
        const cpu = process.cpuUsage();
        const answer = await post(g, body);
        const used = process.cpuUsage(cpu);
        const errno = /X-NSCP-WCAP-ERRNO:(-?\d+)/.exec(answer.body)?.[1];
        rows.push([`${n.toLocaleString('en')} parameters, ${label}`, `${((used.user + used.system) / 1000).toFixed(0)} ms CPU`, `errno ${errno}`, `${(body.length / 1024).toFixed(0)} KB`]);
      }
    }
    console.log('\n1 parameters: CPU time of the gateway process per request');
    console.log(formatColumns(['request', 'CPU', 'answer', 'body'], rows));

    const gettime = async (until: number) => {
      const latencies: number[] = [];
      while (performance.now() < until) {
        const t = performance.now();
        await send(agent, { url: `${strict.url}gettime.wcap?id=${ids.get(strict)}`, check: { kind: 'wcap' } });
        latencies.push(performance.now() - t);
      }
      return latencies;
    };
    const measure = async (label: string, attack?: (until: number) => Promise<unknown>) => {
      const rssBefore = process.memoryUsage().rss;
      const until = performance.now() + seconds * 1000;
      const [latencies] = await Promise.all([gettime(until), attack?.(until)]);
      return [label, `${latencies.length}`, ms(percentile(latencies, 50)), ms(percentile(latencies, 99)), `${mb(rssBefore)} → ${mb(process.memoryUsage().rss)}`];
    };
    // The attackers run in a child process, so their own work does not slow this event loop.
    const paramFlood = (until: number) => attackers('parameters', strict.url, ids.get(strict)!, until);
    const bodyFlood = (until: number) => attackers('bodies', strict.url, ids.get(strict)!, until);
    const floods = [await measure('alone'), await measure('4 clients × 100,000 parameters', paramFlood), await measure('10 clients × 100 MB chunked bodies', bodyFlood)];
    console.log(`\n2 floods: gettime of one client, ${seconds} s each`);
    console.log(formatColumns(['meanwhile', 'answers', 'p50', 'p99', 'RSS'], floods));
    agent.destroy();
  } finally {
    for (const g of gateways) await g.close();
    await services.stop();
  }
}

/** Runs bench/attack-client.ts (`mode`) against `base` until `until` (performance.now() of this process). */
async function attackers(mode: 'parameters' | 'bodies', base: string, id: string, until: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./attack-client.ts', import.meta.url)), mode, base, id, String(Math.max(0, until - performance.now()))], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`attack client ${mode} exited with ${code}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
