/**
 * Gateway vs direct CalDAV, measured in one run against the same Radicale (loopback, Debian
 * binaries started by test/support/services.ts) with Redis sessions. Every number is a ratio
 * against the same work done directly on Radicale in the same run:
 *
 *   1 cold month fetch     first fetchcomponents_by_range of a month on a calendar the gateway never
 *                          read (a fresh user per round) vs one calendar-query REPORT of the month
 *   2 repeated fetch       the same fetch again on an unchanged calendar vs the same REPORT
 *   3 polling              16 closed-loop clients for a fixed time: (a) 16 users, own calendar and
 *                          session each; (b) 16 sessions of one user on one calendar; vs 16 clients
 *                          sending the REPORT with the same credentials. Throughput ratio, p50/p99
 *   4 fetch by UID         fetchevents_by_id vs GET of the object
 *   5 gettime              gettime.wcap (session lookup in Redis) vs a bare node:http server with
 *                          the same body, 32 keep-alive connections
 *   6 export       export.wcap of the whole calendar vs a GET of the collection
 *   7 import       import.wcap of that file into an empty calendar vs PUTs of every object
 *                  (bench/import-export.ts; both with the peak RSS while they run)
 *   8 the gateway  import and export of --fake-items events (10,000) over the in-memory CalDAV
 *                  fake: the gateway's own time and peak RSS (bench/import-export-fake.ts)
 *   and the RSS of this process (it runs the gateway) before and after the measurements.
 *
 * Cases 2 to 5 measure the steady state: after their warm-up requests the bench waits until the
 * gateway has finished building calendar snapshots in the background (it builds one after a
 * calendar's second read; the first reads are what case 1 measures).
 *
 * Fixture (bench/fixture.ts): ~400-byte VEVENTs (SUMMARY, ~150-character DESCRIPTION, LOCATION),
 * 10 % weekly series with COUNT=20, 1 % unbounded weekly series, starts over 2020–2029, ~30 % in
 * Europe/Berlin with a VTIMEZONE; the month 2025-03 is measured. The .ics files are written into
 * Radicale's collection folder before the gateway starts, Radicale's item cache is built by one
 * direct REPORT, and the other users get hard-linked copies of that calendar.
 *
 * Every WCAP answer must have errno 0 and every fetch the number of objects the direct REPORT
 * finds in the month; anything else aborts the run (exit 1). Missed targets do not: exit 0.
 * WCAP_* variables of the environment are passed to the gateway's config (except the ones the
 * bench sets: WCAP_HOST, WCAP_PORT, WCAP_CALDAV_URL, WCAP_REDIS_URL, WCAP_SECRET); without them
 * the gateway logs nothing (WCAP_LOG_LEVEL=silent) and waits up to 600 s for Radicale
 * (WCAP_CALDAV_TIMEOUT_MS=600000), as the direct clients do.
 *
 *   npm run bench [-- --items 1000 | --big] [--rounds 40] [--cold-rounds 8] [--clients 16]
 *                    [--poll-seconds 8] [--connections 32] [--gettime-seconds 4] [--only-import-export]
 *
 * --only-import-export runs cases 6 to 8 alone; --only-fake runs case 8 alone (no Radicale, no Redis);
 * --no-radicale-import leaves out case 7 (Radicale 3.1.8 looks for a new item's UID among all items
 * of the collection on every PUT, so importing 10,000 items into it takes over an hour here).
 *
 * --big is --items 10000 with fewer rounds (15 repeated/by-UID, 5 cold) and 30 s of polling.
 * The polling and gettime periods start after a 1 s warm-up once every client has had an answer.
 */
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { codeVersion, prepare, versionOf, type BenchOptions, type Environment } from './environment.js';
import { percentile, timed, type RequestSpec } from './http.js';
import { startLoadGenerator, type LoadGenerator, type LoadResult } from './load.js';
import { measureImportExport } from './import-export.js';
import { measureFakeImportExport } from './import-export-fake.js';
import { MONTH } from './requests.js';
import { formatTable, mb, ms, perSecond, type Row } from './table.js';

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      big: { type: 'boolean' },
      rounds: { type: 'string' },
      'cold-rounds': { type: 'string' },
      clients: { type: 'string' },
      'poll-seconds': { type: 'string' },
      connections: { type: 'string' },
      'gettime-seconds': { type: 'string' },
      'only-import-export': { type: 'boolean' },
      'only-fake': { type: 'boolean' },
      'no-radicale-import': { type: 'boolean' },
      'fake-items': { type: 'string' },
    },
  });
  const num = (value: string | undefined, fallback: number) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${value}`);
    return n;
  };
  const items = num(values.items, values.big ? 10_000 : 1_000);
  const big = items >= 5_000;
  return {
    items,
    rounds: num(values.rounds, big ? 15 : 40),
    coldRounds: num(values['cold-rounds'], big ? 5 : 8),
    clients: num(values.clients, 16),
    // Big calendars answer in seconds under 16 clients: a longer period gives enough answers.
    pollSeconds: num(values['poll-seconds'], big ? 30 : 8),
    connections: num(values.connections, 32),
    gettimeSeconds: num(values['gettime-seconds'], 4),
    onlyImportExport: values['only-import-export'] === true,
    onlyFake: values['only-fake'] === true,
    radicaleImport: values['no-radicale-import'] !== true,
    fakeItems: num(values['fake-items'], 10_000),
  };
}

async function main(): Promise<void> {
  const began = performance.now();
  const options = readOptions();
  const progress = (text: string) => console.log(`… ${text}`);
  if (options.onlyFake) {
    for (const line of await measureFakeImportExport(options.fakeItems!, progress)) console.log(line);
    console.log(`  process peak RSS (getrusage maxrss): ${mb(process.resourceUsage().maxRSS * 1024)}`);
    return;
  }
  const env = await prepare(options, (line) => console.log(line));
  const load = startLoadGenerator();
  try {
    printHeader(env, options);
    const rssBefore = process.memoryUsage.rss();
    const rows = options.onlyImportExport ? [] : await measure(env, load, options);
    const impexp = await measureImportExport(env, progress, options.radicaleImport);
    rows.push(...impexp.rows);
    const rssAfter = process.memoryUsage.rss();
    console.log(`\n${formatTable(rows)}`);
    console.log('\nRSS during import and export (gateway and bench in this process):');
    for (const line of impexp.memory) console.log(line);
    for (const line of await measureFakeImportExport(options.fakeItems!, progress)) console.log(line);
    console.log('\nRSS of the gateway process (gateway in-process; the load generator is a child process):');
    console.log(`  before the measurements ${mb(rssBefore)}, after all of them ${mb(rssAfter)} (${rssAfter >= rssBefore ? '+' : ''}${mb(rssAfter - rssBefore)})`);
  } finally {
    load.stop();
    await env.close();
  }
  console.log(`\ntotal bench duration ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

function printHeader(env: Environment, options: BenchOptions): void {
  const kinds = (k: string) => env.objects.filter((o) => o.kind === k).length;
  const berlin = env.objects.filter((o) => o.ics.includes('TZID=Europe/Berlin')).length;
  const veventBytes = env.objects.reduce((sum, o) => sum + (/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/.exec(o.ics)?.[0].length ?? 0), 0);
  const passed = Object.entries(env.passedThrough).map(([k, v]) => `${k}=${v}`);
  console.log(`\nwcap-gateway bench, ${new Date().toISOString()}`);
  console.log(`  machine   ${os.availableParallelism()} cores (os.availableParallelism), ${os.cpus()[0]?.model ?? '?'}, ${mb(os.totalmem())} RAM`);
  console.log(`  versions  Node ${process.version}, Radicale ${versionOf('radicale', ['--version'])}, Redis ${versionOf('redis-server', ['--version'], /v=(\S+)/)}, gateway ${codeVersion()}`);
  console.log(`  gateway   WCAP_* from the environment: ${passed.length > 0 ? passed.join(' ') : 'none'}`);
  console.log(
    `  fixture   ${env.objects.length} events (${kinds('single')} single, ${kinds('series')} weekly COUNT=20, ${kinds('unbounded')} unbounded weekly; ` +
      `${berlin} Europe/Berlin), ${Math.round(veventBytes / env.objects.length)} bytes per VEVENT; written in ${env.fillSeconds.toFixed(1)} s, ` +
      `Radicale item cache built in ${env.warmSeconds.toFixed(1)} s`,
  );
  console.log(`  month     ${MONTH.label}: ${env.requests.monthObjects} objects (checked on every fetch answer of both sides)`);
  console.log(
    `  rounds    cold ${options.coldRounds}, repeated/by-UID ${options.rounds}; polling ${options.clients} clients × ${options.pollSeconds} s per side; ` +
      `gettime ${options.connections} connections × ${options.gettimeSeconds} s per side`,
  );
}

async function measure(env: Environment, load: LoadGenerator, options: BenchOptions): Promise<Row[]> {
  const { requests: r, user, gatewayAgent: gw, davAgent: dav } = env;
  const median = (values: number[]) => percentile(values, 50);
  const latencyRow = (name: string, g: number[], d: number[], target: number): Row => ({
    name,
    gateway: ms(median(g)),
    direct: ms(median(d)),
    ratio: median(g) / median(d),
    target: { better: 'lower', value: target },
  });
  const progress = (text: string) => console.log(`… ${text}`);

  progress(`1 cold month fetch, ${env.coldUsers.length} fresh calendars`);
  const cold = { g: [] as number[], d: [] as number[] };
  for (const coldUser of env.coldUsers) {
    await timed(dav, r.report(coldUser)); // Radicale's first look at the folder: not measured
    const sid = await r.session(gw, coldUser);
    cold.g.push((await timed(gw, r.range(sid, coldUser))).ms);
    cold.d.push((await timed(dav, r.report(coldUser))).ms);
  }

  progress(`2 repeated fetch and 4 fetch by UID, ${options.rounds} rounds each`);
  const sid = await r.session(gw, user);
  const uid = env.objects.find((o) => o.kind === 'single')!.uid;
  const alternate = async (g: RequestSpec, d: RequestSpec) => {
    const out = { g: [] as number[], d: [] as number[] };
    for (let i = 0; i < 3; i++) {
      await timed(gw, g);
      await timed(dav, d);
    }
    await env.gateway.deps.calendars.settled();
    for (let i = 0; i < options.rounds; i++) {
      out.g.push((await timed(gw, g)).ms);
      out.d.push((await timed(dav, d)).ms);
    }
    return out;
  };
  const repeated = await alternate(r.range(sid, user), r.report(user));
  const byUid = await alternate(r.byUid(sid, user, uid), r.get(user, uid));

  const poll = async (label: string, gatewayRequests: RequestSpec[], directRequests: RequestSpec[]) => {
    progress(`3${label}: ${options.clients} clients, ${options.pollSeconds} s through the gateway, then ${options.pollSeconds} s direct`);
    // Every client's first two fetches (the second has its calendar's snapshot built in the
    // background) are not measured: the polling cases measure the steady state.
    for (let i = 0; i < 2; i++) for (const spec of gatewayRequests) await timed(gw, spec);
    await env.gateway.deps.calendars.settled();
    const job = { connections: options.clients, warmupMs: 1_000, durationMs: options.pollSeconds * 1000 };
    const g = await load.run({ ...job, requests: gatewayRequests });
    const d = await load.run({ ...job, requests: directRequests });
    return { g, d };
  };
  const pollSids: string[] = [];
  for (const pollUser of env.pollUsers) pollSids.push(await r.session(gw, pollUser));
  const pollA = await poll(
    'a',
    env.pollUsers.map((u, i) => r.range(pollSids[i]!, u)),
    env.pollUsers.map((u) => r.report(u)),
  );
  const userSids: string[] = [];
  for (let i = 0; i < options.clients; i++) userSids.push(await r.session(gw, user));
  const pollB = await poll(
    'b',
    userSids.map((s) => r.range(s, user)),
    [r.report(user)],
  );

  progress(`5 gettime vs bare node:http, ${options.connections} connections × ${options.gettimeSeconds} s each`);
  const gettime = await compareGettime(env, load, userSids, options);

  const loadRow = (name: string, p: { g: LoadResult; d: LoadResult }, target: number): Row => ({
    name,
    gateway: `${perSecond(p.g.perSecond)}, p99 ${ms(p.g.p99)}`,
    direct: `${perSecond(p.d.perSecond)}, p99 ${ms(p.d.p99)}`,
    ratio: p.g.perSecond / p.d.perSecond,
    target: { better: 'higher', value: target },
    detail:
      `p50/p99 gateway ${ms(p.g.p50)}/${ms(p.g.p99)} (${p.g.count} answers), ` +
      `direct ${ms(p.d.p50)}/${ms(p.d.p99)} (${p.d.count} answers)`,
  });
  return [
    latencyRow(`1 cold month fetch (median of ${cold.g.length})`, cold.g, cold.d, 1.15),
    latencyRow(`2 repeated fetch, unchanged month (median of ${options.rounds})`, repeated.g, repeated.d, 0.25),
    loadRow(`3a ${options.clients} users polling own calendars`, pollA, 5),
    loadRow(`3b ${options.clients} sessions of one user, one calendar`, pollB, 5),
    latencyRow(`4 fetch by UID vs GET (median of ${options.rounds})`, byUid.g, byUid.d, 1.3),
    loadRow(`5 gettime (Redis sessions) vs bare node:http, ${options.connections} conns`, gettime, 0.4),
  ];
}

/** gettime through the gateway vs a bare node:http server (in this process) answering the same body. */
async function compareGettime(env: Environment, load: LoadGenerator, sids: string[], options: BenchOptions) {
  const sample = await timed(env.gatewayAgent, env.requests.gettime(sids[0]!));
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(sample.body);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = bare.address() as { port: number };
    const job = { connections: options.connections, warmupMs: 1_000, durationMs: options.gettimeSeconds * 1000 };
    const g = await load.run({ ...job, requests: sids.map((s) => env.requests.gettime(s)) });
    const d = await load.run({ ...job, requests: [{ url: `http://127.0.0.1:${port}/gettime.wcap`, check: { kind: 'wcap' } }] });
    return { g, d };
  } finally {
    bare.closeAllConnections();
    await new Promise((resolve) => bare.close(resolve));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('\nBENCH ABORTED:', err);
    process.exit(1);
  },
);
