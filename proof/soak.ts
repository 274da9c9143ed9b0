import { randomUUID } from 'node:crypto';
import { errnoMessage } from '../src/wcap/errno.js';
import { HttpClient, percentEncode, TransportError, type HttpRequest } from './http-client.js';
import { directObjects } from './radicale-objects.js';
import { formatUtc, Ledger, parseUtc, type SeriesEntry } from './soak-ledger.js';
import { internalErrorIn, readAnswer, type ReadAnswer } from './wcap-answer.js';

/**
 * The soak (`npm run soak`, proof/soak-cli.ts; a one-minute version in test/proof): simulated
 * Lightning clients, one proof user and calendar each, doing Lightning's mix
 * (docs/lightning.md): the login sequence, range polls, offline-sync polls, new events and daily
 * series, occurrence edits (mod=1), "this and future" edits (mod=2), deletes of items and of
 * occurrences, logout and login again. Each client keeps a ledger of what the gateway acknowledged
 * (proof/soak-ledger.ts); at the end every calendar is read directly on Radicale and compared.
 */

export interface SoakOptions {
  gatewayUrl: string;
  radicaleUrl: string;
  /** One simulated client per user (name → password). */
  users: Record<string, string>;
  seconds: number;
  seed: number;
  /** Mean pause between a client's actions, ms (a real client waits for its user). */
  thinkMs: number;
  /** RSS sampling interval, s. */
  sampleSeconds: number;
  errorLines: string[];
  progress?: (line: string) => void;
}

export interface SoakReport {
  clients: number;
  seconds: number;
  requests: number;
  latencies: Map<string, number[]>;
  errnos: Map<string, number>;
  /** Problems that fail the run, by kind. */
  problems: Map<string, string[]>;
  ledger: { items: number; series: number; overrides: number; exdates: number; splits: number; deletes: number };
  rss: Array<{ second: number; rss: number; heapUsed: number; requests: number }>;
  /** Requests sent again after a kept-alive connection closed as it was reused (see HttpClient). */
  keepAliveRetries: number;
}

/** Every created item starts in January 2027 (UTC), so one range poll covers the whole calendar. */
const POLL_FROM = '20261201T000000Z';
const POLL_TO = '20270401T000000Z';
const SERIES_COUNT = 10;

type Action = 'poll' | 'sync' | 'create' | 'create-series' | 'edit-occurrence' | 'edit-future' | 'delete' | 'delete-occurrence' | 'relogin';
const ACTIONS: Array<[Action, number]> = [
  ['poll', 30],
  ['sync', 10],
  ['create', 12],
  ['create-series', 8],
  ['edit-occurrence', 8],
  ['edit-future', 4],
  ['delete', 4],
  ['delete-occurrence', 5],
  ['relogin', 1],
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, [, weight]) => sum + weight, 0);

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const users = Object.keys(options.users);
  const client = new HttpClient(options.gatewayUrl, 60_000, Math.max(8, users.length * 2));
  const report: SoakReport = {
    clients: users.length,
    seconds: 0,
    requests: 0,
    latencies: new Map(),
    errnos: new Map(),
    problems: new Map(),
    ledger: { items: 0, series: 0, overrides: 0, exdates: 0, splits: 0, deletes: 0 },
    rss: [],
    keepAliveRetries: 0,
  };
  const problem = (kind: string, text: string) => {
    const list = report.problems.get(kind) ?? [];
    list.push(text);
    report.problems.set(kind, list);
  };
  const crashes: string[] = [];
  const onCrash = (err: unknown) => crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);

  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const sampler = setInterval(() => {
    const sample = memorySample(started, report.requests);
    report.rss.push(sample);
    options.progress?.(`… ${sample.second} s, ${sample.requests} requests, RSS ${(sample.rss / 1024 / 1024).toFixed(0)} MB, ${problemCount(report)} problems so far`);
  }, options.sampleSeconds * 1000);
  report.rss.push(memorySample(started, 0));

  /** One WCAP request: timed, checked (200, parsable, errno expected), counted. */
  const wcap = async (user: string, command: string, query: string, expected: number[] = [0]): Promise<ReadAnswer | undefined> => {
    const request: HttpRequest = { method: 'GET', path: `/${command}.wcap?${query}` };
    try {
      const answer = await client.send(request);
      report.requests++;
      const list = report.latencies.get(command) ?? [];
      list.push(answer.ms);
      report.latencies.set(command, list);
      if (answer.status !== 200) {
        problem('non-200', `${user} ${command}: HTTP ${answer.status}`);
        return undefined;
      }
      const read = readAnswer(answer);
      if (read.unparsable || read.errno === undefined) {
        problem('unparsable or no errno', `${user} ${command}: ${read.unparsable ?? 'no errno'}: ${answer.body.slice(0, 200)}`);
        return undefined;
      }
      const key = `${command} ${read.errno}`;
      report.errnos.set(key, (report.errnos.get(key) ?? 0) + 1);
      const internal = internalErrorIn(read, answer.body, command);
      if (internal) problem('internal error', `${user} ${command}: ${internal}`);
      if (!expected.includes(read.errno)) {
        problem('unexpected errno', `${user} ${command} errno ${read.errno} (${read.messages.join(' ') || errnoMessage(read.errno)}): ${request.path.replace(/id=\w+/, 'id=…').slice(0, 300)}`);
        return undefined;
      }
      return read;
    } catch (err) {
      report.requests++;
      if (err instanceof TransportError) problem(err.kind, `${user} ${command}: ${err.message}`);
      else throw err;
      return undefined;
    }
  };

  const ledgers = new Map(users.map((user) => [user, new Ledger()]));
  const runClient = async (user: string, index: number) => {
    const ledger = ledgers.get(user)!;
    // Each client draws its choices from its own seeded stream: the same seed, the same mix.
    const random = seededRandom(options.seed + index);
    const draw = (): [number, number, number] => [Math.floor(random() * 1_000), Math.floor(random() * 2 ** 31), Math.floor(random() * 1_001)];
    const calid = percentEncode(user);
    let sid = '';
    let lastSync = '0';
    const loginSequence = async () => {
      const answer = await client.send({ method: 'GET', path: `/login.wcap?fmt-out=text%2Fcalendar&user=${calid}&password=${percentEncode(options.users[user]!)}` });
      report.requests++;
      const list = report.latencies.get('login') ?? [];
      list.push(answer.ms);
      report.latencies.set('login', list);
      const id = /X-NSCP-WCAP-SESSION-ID:(\w+)/.exec(answer.body)?.[1];
      if (!id) {
        problem('unexpected errno', `${user} login: no session id: ${answer.body.slice(0, 200)}`);
        return false;
      }
      report.errnos.set('login 0', (report.errnos.get('login 0') ?? 0) + 1);
      sid = id;
      // Lightning's session setup: three requests in parallel, then the calendar properties.
      await Promise.all([
        wcap(user, 'get_userprefs', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fxml&userid=${calid}`),
        wcap(user, 'gettime', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fcalendar`),
        wcap(user, 'get_all_timezones', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fcalendar`),
      ]);
      await wcap(user, 'get_calprops', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fxml&calid=${calid}`);
      return true;
    };
    const tail = `&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&calid=${calid}`;
    const pickSeries = (n: number, fresh = false): SeriesEntry | undefined => {
      const list = [...ledger.series.values()].filter((s) => ledger.liveInstances(s).length > 1 && (!fresh || (s.overrides.size === 0 && s.exdates.size === 0)));
      return list[n % Math.max(1, list.length)];
    };

    await wcap(user, 'version', 'fmt-out=text%2Fcalendar');
    if (!(await loginSequence())) return;
    while (performance.now() < deadline) {
      const [roll, n, pause] = draw();
      await new Promise((resolve) => setTimeout(resolve, (pause / 1000) * 2 * options.thinkMs));
      if (performance.now() >= deadline) break;
      let cumulative = 0;
      const action = ACTIONS.find(([, weight]) => (cumulative += weight) > roll % TOTAL_WEIGHT)?.[0] ?? 'poll';
      const day = 1 + (n % 20);
      switch (action) {
        case 'poll': {
          const read = await wcap(user, 'fetchcomponents_by_range', `appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&dtstart=${POLL_FROM}&dtend=${POLL_TO}&calid=${calid}`);
          if (read) {
            // Read-your-writes: the client's own acknowledged items, no more, no less.
            const seen = [...new Set(read.components.map((c) => c.uid))].sort().join();
            const expected = ledger.uids().sort().join();
            if (seen !== expected) problem('poll differs from acknowledged state', `${user}: poll ${seen.split(',').length} UIDs, ledger ${ledger.uids().length}`);
          }
          break;
        }
        case 'sync': {
          const now = formatUtc(Date.now());
          const query = `appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&dtstart=${lastSync}&dtend=${now}&calid=${calid}`;
          await Promise.all([wcap(user, 'fetchcomponents_by_lastmod', query), wcap(user, 'fetch_deletedcomponents', query)]);
          lastSync = now;
          break;
        }
        case 'create': {
          const start = `202701${String(day).padStart(2, '0')}T090000Z`;
          const withUid = n % 2 === 0;
          const uid = `soak-${randomUUID()}`;
          const read = await wcap(
            user,
            'storeevents',
            `appid=mozilla-calendar&id=${sid}&dtstart=${start}&dtend=${start.replace('T09', 'T10')}&isAllDay=0&summary=${percentEncode(`event ${n}`)}&desc=&location=&priority=null&icsClass=PUBLIC&status=0&transparent=0` +
              `${withUid ? `&uid=${uid}&storetype=1` : ''}&method=1&smtp=0&smtpNotify=0&notify=0&replace=1${tail}`,
          );
          const stored = read?.components.find((c) => !c.rid)?.uid;
          if (stored) ledger.singles.add(stored);
          else if (read) problem('store answer without the item', `${user} storeevents`);
          break;
        }
        case 'create-series': {
          const start = `202701${String(day).padStart(2, '0')}T100000Z`;
          const read = await wcap(
            user,
            'storeevents',
            `appid=mozilla-calendar&id=${sid}&dtstart=${start}&dtend=${start.replace('T10', 'T11')}&isAllDay=0&rrules=${percentEncode(`"FREQ=DAILY;COUNT=${SERIES_COUNT}"`).replace(/%22/g, '"')}` +
              `&summary=${percentEncode(`series ${n}`)}&icsClass=PUBLIC&status=0&transparent=0&method=1&smtp=0&smtpNotify=0&notify=0&replace=1${tail}`,
          );
          const uid = read?.components.find((c) => !c.rid)?.uid;
          if (uid) {
            const first = parseUtc(start)!;
            ledger.series.set(uid, { uid, instances: Array.from({ length: SERIES_COUNT }, (_, i) => formatUtc(first + i * 86_400_000)), overrides: new Set(), exdates: new Set() });
          } else if (read) problem('store answer without the item', `${user} storeevents series`);
          break;
        }
        case 'edit-occurrence': {
          const series = pickSeries(n);
          if (!series) break;
          const live = ledger.liveInstances(series);
          const rid = live[n % live.length]!;
          const read = await wcap(
            user,
            'storeevents',
            `appid=mozilla-calendar&id=${sid}&summary=${percentEncode(`moved ${n}`)}&location=${percentEncode('room')}&uid=${percentEncode(series.uid)}${series.overrides.has(rid) ? '&storetype=2' : ''}&mod=1&rid=${rid}&method=1&smtp=0&smtpNotify=0&notify=0&replace=1${tail}`,
          );
          if (read) series.overrides.add(rid);
          break;
        }
        case 'edit-future': {
          // Only on series without exceptions: the expected halves stay easy to state exactly.
          const series = pickSeries(n, true);
          if (!series) break;
          const k = 1 + (n % (series.instances.length - 1));
          const rid = series.instances[k]!;
          const read = await wcap(
            user,
            'storeevents',
            `appid=mozilla-calendar&id=${sid}&summary=${percentEncode(`future ${n}`)}&uid=${percentEncode(series.uid)}&storetype=2&mod=2&rid=${rid}&method=1&smtp=0&smtpNotify=0&notify=0&replace=1${tail}`,
          );
          const newUid = read?.components.find((c) => !c.rid && c.uid !== series.uid)?.uid;
          if (read && newUid) {
            ledger.series.set(newUid, { uid: newUid, instances: series.instances.slice(k), overrides: new Set(), exdates: new Set() });
            series.instances = series.instances.slice(0, k);
            report.ledger.splits++;
          } else if (read) problem('store answer without the item', `${user} mod=2 split of ${series.uid} at ${rid}: no new series in the answer`);
          break;
        }
        case 'delete': {
          const uids = ledger.uids();
          if (uids.length === 0) break;
          const uid = uids[n % uids.length]!;
          const read = await wcap(user, 'deleteevents_by_id', `appid=mozilla-calendar&id=${sid}&uid=${percentEncode(uid)}&mod=4&rid=0&fmt-out=text%2Fxml&calid=${calid}`);
          if (read) {
            ledger.singles.delete(uid);
            ledger.series.delete(uid);
            report.ledger.deletes++;
          }
          break;
        }
        case 'delete-occurrence': {
          const series = pickSeries(n);
          if (!series) break;
          const live = ledger.liveInstances(series);
          const rid = live[n % live.length]!;
          const read = await wcap(user, 'deleteevents_by_id', `appid=mozilla-calendar&id=${sid}&uid=${percentEncode(series.uid)}&mod=1&rid=${rid}&fmt-out=text%2Fxml&calid=${calid}`);
          if (read) {
            series.exdates.add(rid);
            series.overrides.delete(rid);
          }
          break;
        }
        case 'relogin': {
          await wcap(user, 'logout', `fmt-out=text%2Fxml&id=${sid}`, [-1]);
          if (!(await loginSequence())) return;
          break;
        }
      }
    }
  };

  try {
    await Promise.all(users.map((user, i) => runClient(user, i)));
    report.seconds = (performance.now() - started) / 1000;
  } finally {
    clearInterval(sampler);
    report.rss.push(memorySample(started, report.requests));
    report.keepAliveRetries = client.keepAliveRetries;
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    client.close();
  }

  options.progress?.('… comparing every ledger with the calendar on Radicale (PROPFIND + GET)');
  for (const user of users) {
    const ledger = ledgers.get(user)!;
    report.ledger.items += ledger.singles.size + ledger.series.size;
    report.ledger.series += ledger.series.size;
    for (const s of ledger.series.values()) {
      report.ledger.overrides += s.overrides.size;
      report.ledger.exdates += s.exdates.size;
    }
    const diff = ledger.compare(await directObjects(options.radicaleUrl, user, options.users[user]!));
    for (const uid of diff.lost) problem('lost', `${user}: acknowledged ${uid} is not on Radicale`);
    for (const uid of diff.unexpected) problem('unexpected item on Radicale', `${user}: ${uid} (deleted, or never acknowledged)`);
    for (const uid of diff.duplicated) problem('duplicated', `${user}: UID ${uid} stored more than once`);
    for (const text of diff.seriesMismatch) problem('series differs', `${user}: ${text}`);
  }
  for (const crash of crashes) problem('crash', crash.slice(0, 500));
  for (const line of options.errorLines) problem('error logged', line.slice(0, 300));
  return report;
}

/** mulberry32: a small seeded generator (uniform in [0, 1)), so a client's choices follow from the seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function memorySample(started: number, requests: number): SoakReport['rss'][number] {
  const memory = process.memoryUsage();
  return { second: Math.round((performance.now() - started) / 1000), rss: memory.rss, heapUsed: memory.heapUsed, requests };
}

export function problemCount(report: SoakReport): number {
  return [...report.problems.values()].reduce((sum, list) => sum + list.length, 0);
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/**
 * "RSS flat": the median RSS of the last third of the samples is within `tolerance` of the
 * middle third's (the first third is warm-up: caches and JIT fill). Undefined with fewer than 6 samples.
 */
export function rssVerdict(samples: SoakReport['rss'], tolerance = 0.1): { flat: boolean; middle: number; last: number } | undefined {
  if (samples.length < 6) return undefined;
  const third = Math.floor(samples.length / 3);
  const middle = median(samples.slice(third, 2 * third).map((s) => s.rss));
  const last = median(samples.slice(2 * third).map((s) => s.rss));
  return { flat: last <= middle * (1 + tolerance), middle, last };
}

export function formatSoakReport(report: SoakReport): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const lines: string[] = [];
  lines.push(`${report.clients} clients, ${report.seconds.toFixed(0)} s, ${report.requests} requests (${(report.requests / report.seconds).toFixed(1)} req/s)`);
  lines.push('', `${'latency ms'.padEnd(28)} ${'count'.padStart(7)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}`);
  for (const [command, values] of [...report.latencies].sort((a, b) => a[0].localeCompare(b[0]))) {
    const sorted = [...values].sort((a, b) => a - b);
    const f = (p: number) => percentile(sorted, p).toFixed(1).padStart(7);
    lines.push(`${command.padEnd(28)} ${String(values.length).padStart(7)} ${f(50)} ${f(90)} ${f(99)} ${sorted.at(-1)!.toFixed(1).padStart(7)}`);
  }
  lines.push('', 'errnos (command errno: count):');
  for (const [key, count] of [...report.errnos].sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`  ${key.padEnd(32)} ${count}`);
  const l = report.ledger;
  lines.push('', `acknowledged final state: ${l.items} items (${l.series} daily series with ${l.overrides} overridden and ${l.exdates} excluded occurrences; ${l.splits} this-and-future splits), ${l.deletes} items deleted`);
  lines.push(`requests sent again after a kept-alive connection closed as it was reused: ${report.keepAliveRetries}`);
  lines.push('', `gateway RSS over time (in-process, with the simulated clients):`, `  ${'second'.padStart(6)} ${'RSS'.padStart(8)} ${'JS heap'.padStart(8)} ${'requests'.padStart(9)}`);
  for (const s of report.rss) lines.push(`  ${String(s.second).padStart(6)} ${mb(s.rss).padStart(8)} ${mb(s.heapUsed).padStart(8)} ${String(s.requests).padStart(9)}`);
  const verdict = rssVerdict(report.rss);
  lines.push(
    verdict === undefined
      ? 'RSS verdict: too few samples (fewer than 6)'
      : `RSS ${verdict.flat ? 'flat' : 'GROWING'}: median of the last third ${mb(verdict.last)} vs the middle third ${mb(verdict.middle)} (flat = at most +10 %)`,
  );
  const total = problemCount(report);
  lines.push('', total === 0 ? 'PASSED: nothing lost, nothing duplicated, no unexpected errno' : `FAILED: ${total} problems`);
  for (const [kind, list] of report.problems) {
    lines.push(`  ${kind}: ${list.length}`);
    for (const text of list.slice(0, 8)) lines.push(`    ${text}`);
  }
  return lines.join('\n');
}
