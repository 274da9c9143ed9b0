import fc from 'fast-check';
import { errnoMessage } from '../src/wcap/errno.js';
import { HttpClient, percentEncode, TransportError, type HttpRequest } from './http-client.js';
import { planArb, resolvePlan, type FuzzState, type Plan } from './fuzz-requests.js';
import { directObjects } from './radicale-objects.js';
import { internalErrorIn, readAnswer } from './wcap-answer.js';

/**
 * The fuzz run (`npm run fuzz`, proof/fuzz-cli.ts; a fixed-seed slice in test/proof): generated
 * requests over every command against a real gateway, each answer checked, then every item a
 * successful store created is read back through the gateway and directly on Radicale.
 */

export interface FuzzOptions {
  gatewayUrl: string;
  radicaleUrl: string;
  /** Proof users (name → password) the run logs in as; their calendars receive the stored items. */
  users: Record<string, string>;
  seed: number;
  maxRequests: number;
  maxSeconds: number;
  concurrency: number;
  /** Error-level lines the gateway logged (filled while the run goes on). */
  errorLines: string[];
  /** Per-request time-out, ms. */
  timeoutMs?: number;
  progress?: (line: string) => void;
}

export const FAILURE_CLASSES = [
  'non-200',
  'no errno',
  'unparsable',
  'internal error',
  'error logged',
  'time-out',
  'crash',
  'unreadable stored item',
  'duplicated stored item',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export interface Failure {
  class: FailureClass;
  detail: string;
  /** Index of the request in the seeded sequence; undefined for checks after the run. */
  index?: number;
  label?: string;
  request?: HttpRequest;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  seconds: number;
  concurrency: number;
  perCommand: Map<string, number>;
  errnos: Map<number, number>;
  failures: Map<FailureClass, number>;
  examples: Failure[];
  stored: { created: number; namedByDelete: number; checked: number; viaGateway: number; onRadicale: number };
  rss: { start: number; max: number; end: number };
  /** Requests sent again after a kept-alive connection closed as it was reused (see HttpClient). */
  keepAliveRetries: number;
}

const BATCH = 500;
const EXAMPLES = 20;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const users = Object.keys(options.users);
  const client = new HttpClient(options.gatewayUrl, options.timeoutMs ?? 60_000, options.concurrency);
  const report: FuzzReport = {
    seed: options.seed,
    requests: 0,
    seconds: 0,
    concurrency: options.concurrency,
    perCommand: new Map(),
    errnos: new Map(),
    failures: new Map(FAILURE_CLASSES.map((c) => [c, 0])),
    examples: [],
    stored: { created: 0, namedByDelete: 0, checked: 0, viaGateway: 0, onRadicale: 0 },
    rss: { start: process.memoryUsage.rss(), max: 0, end: 0 },
    keepAliveRetries: 0,
  };
  const fail = (failure: Failure) => {
    report.failures.set(failure.class, (report.failures.get(failure.class) ?? 0) + 1);
    if (report.examples.length < EXAMPLES) report.examples.push(failure);
  };
  const crashes: string[] = [];
  const onCrash = (err: unknown) => crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);

  const sessions = new Map<string, string>();
  // Logouts end spare sessions, so the sessions the other requests carry stay alive.
  const spares = new Map<string, string>();
  const login = async (user: string) => {
    const answer = await client.send({ method: 'GET', path: `/login.wcap?fmt-out=text%2Fcalendar&user=${percentEncode(user)}&password=${percentEncode(options.users[user]!)}` });
    const id = /X-NSCP-WCAP-SESSION-ID:(\w+)/.exec(answer.body)?.[1];
    if (!id) throw new Error(`the fuzz run cannot log in as ${user}: ${answer.body.slice(0, 300)}`);
    return id;
  };
  const refillSpares = async () => {
    for (const user of users) if (!spares.has(user)) spares.set(user, await login(user));
  };
  const stored = new Map<string, { uid: string; dtstart?: string; owner: string; type: 'VEVENT' | 'VTODO' }>();
  const namedByDelete = new Set<string>();
  const state: FuzzState = {
    users,
    passwords: options.users,
    sessionOf: (user, ending) => (ending ? spares.get(user) : sessions.get(user)) ?? '',
    endedSessions: [],
    stored: [],
    fallbackUid: (n) => `fuzz-${options.seed}-${n}`,
  };

  try {
    for (const user of users) sessions.set(user, await login(user));
    const arb = planArb();
    let batch: Plan[] = [];
    let batchNo = -1;
    const planAt = (index: number) => {
      const wanted = Math.floor(index / BATCH);
      if (wanted !== batchNo) {
        batchNo = wanted;
        // Each batch has its own seed derived from the run's: request i is the same in every run.
        batch = fc.sample(arb, { seed: (options.seed + wanted * 7_919) | 0, numRuns: BATCH });
      }
      return batch[index % BATCH]!;
    };
    const started = performance.now();
    const deadline = started + options.maxSeconds * 1000;
    let next = 0;
    let lastProgress = started;
    const worker = async () => {
      while (next < options.maxRequests && performance.now() < deadline) {
        const index = next++;
        const plan = planAt(index);
        if (plan.target.kind === 'command' && plan.target.name === 'logout') {
          try {
            await refillSpares();
          } catch (err) {
            fail({ class: err instanceof TransportError && err.kind === 'time-out' ? 'time-out' : 'crash', detail: `login for a spare session: ${String(err)}`, index });
          }
        }
        const resolved = resolvePlan(plan, state);
        report.perCommand.set(resolved.label, (report.perCommand.get(resolved.label) ?? 0) + 1);
        const where = { index, label: resolved.label, request: resolved.request };
        try {
          const answer = await client.send(resolved.request);
          const documented404 = !resolved.mustBeWcap && answer.status === 404 && answer.body.startsWith('Not a WCAP command');
          const health = !resolved.mustBeWcap && answer.status === 200 && String(answer.headers['content-type']).startsWith('text/plain');
          if (documented404 || health) continue;
          if (answer.status !== 200) {
            fail({ class: 'non-200', detail: `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`, ...where });
            continue;
          }
          const read = readAnswer(answer);
          if (read.unparsable) {
            fail({ class: 'unparsable', detail: `${read.unparsable}; body: ${answer.body.slice(0, 300)}`, ...where });
            continue;
          }
          if (read.errno === undefined) {
            fail({ class: 'no errno', detail: answer.body.slice(0, 300), ...where });
            continue;
          }
          report.errnos.set(read.errno, (report.errnos.get(read.errno) ?? 0) + 1);
          const internal = internalErrorIn(read, answer.body, resolved.label);
          if (internal) fail({ class: 'internal error', detail: `errno ${read.errno}, ${internal}`, ...where });
          if (resolved.label.startsWith('delete')) for (const uid of resolved.namedUids) namedByDelete.add(uid);
          // A range delete names no UIDs: what it took are the session user's items in its window.
          if (/^delete\w*_by_range$/.test(resolved.label) && read.errno === 0 && resolved.sessionUser) {
            const types = resolved.label.startsWith('deleteevents') ? ['VEVENT'] : resolved.label.startsWith('deletetodos') ? ['VTODO'] : ['VEVENT', 'VTODO'];
            for (const item of stored.values()) {
              if (item.owner === resolved.sessionUser && types.includes(item.type) && mayLieIn(item.dtstart, resolved.window)) namedByDelete.add(item.uid);
            }
          }
          if ((resolved.label === 'storeevents' || resolved.label === 'storetodos') && read.errno === 0 && resolved.sessionUser) {
            for (const component of read.components) {
              const key = `${resolved.sessionUser} ${component.uid}`;
              if (component.rid || stored.has(key)) continue;
              const item = { uid: component.uid, dtstart: component.dtstart, owner: resolved.sessionUser, type: component.type };
              stored.set(key, item);
              state.stored.push(item);
            }
          }
          const spare = resolved.sessionUser ? spares.get(resolved.sessionUser) : undefined;
          if (resolved.label === 'logout' && read.errno === -1 && spare && `${resolved.request.path} ${String(resolved.request.body ?? '')}`.includes(spare)) {
            state.endedSessions.push(spare);
            spares.delete(resolved.sessionUser!);
          }
        } catch (err) {
          if (err instanceof TransportError) fail({ class: err.kind === 'time-out' ? 'time-out' : 'crash', detail: err.message, ...where });
          else throw err;
        } finally {
          report.requests++;
          report.rss.max = Math.max(report.rss.max, process.memoryUsage.rss());
          if (options.progress && performance.now() - lastProgress > 10_000) {
            lastProgress = performance.now();
            options.progress(`… ${report.requests} requests, ${((lastProgress - started) / 1000).toFixed(0)} s, ${stored.size} items stored`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    report.seconds = (performance.now() - started) / 1000;

    options.progress?.(`… reading back ${stored.size} stored items through the gateway and on Radicale`);
    await checkStored(options, client, sessions, stored, namedByDelete, report, fail);
  } finally {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    report.keepAliveRetries = client.keepAliveRetries;
    client.close();
  }
  for (const crash of crashes) fail({ class: 'crash', detail: crash.slice(0, 500) });
  for (const line of options.errorLines) fail({ class: 'error logged', detail: line.slice(0, 300) });
  report.rss.end = process.memoryUsage.rss();
  return report;
}

/**
 * Whether a range delete with these dtstart/dtend values may have taken an item starting at
 * `dtstart`: compared by day with a day's slack either side (zones, durations); an absent, empty
 * or `0` bound is open; true whenever the item's start or a bound cannot be read as a plain date.
 */
function mayLieIn(dtstart: string | undefined, window: { dtstart: string[]; dtend: string[] }): boolean {
  const day = (text: string | undefined) => (text && /^\d{8}(T\d{6}Z?)?$/.test(text) ? Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8)) : undefined);
  const slack = 86_400_000;
  const bound = (values: string[], open: number): number | undefined => {
    if (values.length === 0 || (values.length === 1 && ['', '0'].includes(values[0]!.trim()))) return open;
    return values.length === 1 ? day(values[0]) : undefined;
  };
  const at = day(dtstart);
  const from = bound(window.dtstart, -Infinity);
  const to = bound(window.dtend, Infinity);
  if (at === undefined || from === undefined || to === undefined) return true;
  return at >= from - slack && at <= to + slack;
}

async function checkStored(
  options: FuzzOptions,
  client: HttpClient,
  sessions: Map<string, string>,
  stored: Map<string, { uid: string; owner: string; type: 'VEVENT' | 'VTODO' }>,
  namedByDelete: Set<string>,
  report: FuzzReport,
  fail: (failure: Failure) => void,
): Promise<void> {
  report.stored.created = stored.size;
  const expected = [...stored.values()].filter((item) => !namedByDelete.has(item.uid));
  report.stored.namedByDelete = stored.size - expected.length;
  report.stored.checked = expected.length;
  const onRadicale = new Map<string, Map<string, number>>();
  for (const user of new Set(expected.map((item) => item.owner))) {
    const counts = new Map<string, number>();
    for (const object of await directObjects(options.radicaleUrl, user, options.users[user]!)) counts.set(object.uid, (counts.get(object.uid) ?? 0) + 1);
    onRadicale.set(user, counts);
    for (const [uid, count] of counts) if (count > 1) fail({ class: 'duplicated stored item', detail: `${count} objects with UID ${JSON.stringify(uid)} in ${user}'s calendars` });
  }
  let next = 0;
  const worker = async () => {
    while (next < expected.length) {
      const item = expected[next++]!;
      const count = onRadicale.get(item.owner)?.get(item.uid) ?? 0;
      if (count >= 1) report.stored.onRadicale++;
      else fail({ class: 'unreadable stored item', detail: `UID ${JSON.stringify(item.uid)} of ${item.owner} is not on Radicale (PROPFIND + GET)` });
      const command = item.type === 'VEVENT' ? 'fetchevents_by_id' : 'fetchtodos_by_id';
      const path = `/${command}.wcap?id=${sessions.get(item.owner)}&fmt-out=text%2Fcalendar&calid=${percentEncode(item.owner)}&uid=${percentEncode(item.uid)}`;
      try {
        const answer = await client.send({ method: 'GET', path });
        const read = readAnswer(answer);
        if (read.errno === 0 && read.components.some((c) => c.uid === item.uid)) report.stored.viaGateway++;
        else fail({ class: 'unreadable stored item', detail: `${command} of UID ${JSON.stringify(item.uid)}: errno ${read.errno} ${read.messages.join(' ')}`, request: { method: 'GET', path } });
      } catch (err) {
        fail({ class: 'unreadable stored item', detail: `${command}: ${String(err)}`, request: { method: 'GET', path } });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/** The figures, as `npm run fuzz` prints them. */
export function formatFuzzReport(report: FuzzReport): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const lines: string[] = [];
  lines.push(`seed ${report.seed}: ${report.requests} requests in ${report.seconds.toFixed(1)} s, ${(report.requests / report.seconds).toFixed(0)} req/s, ${report.concurrency} in flight`);
  lines.push('', 'requests per command:');
  for (const [name, count] of [...report.perCommand].sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`  ${name.padEnd(28)} ${String(count).padStart(7)}`);
  lines.push('', 'errno histogram:');
  for (const [errno, count] of [...report.errnos].sort((a, b) => a[0] - b[0])) lines.push(`  ${String(errno).padStart(6)} ${String(count).padStart(7)}  ${errnoMessage(errno)}`);
  lines.push('', 'failures by class:');
  for (const [name, count] of report.failures) lines.push(`  ${name.padEnd(24)} ${count}`);
  const s = report.stored;
  lines.push(
    '',
    `stored items: ${s.created} created by successful stores, ${s.namedByDelete} of them later named by a delete (not checked), ` +
      `${s.checked} checked: ${s.viaGateway} readable through the gateway, ${s.onRadicale} found on Radicale (PROPFIND + GET)`,
  );
  lines.push(`requests sent again after a kept-alive connection closed as it was reused: ${report.keepAliveRetries}`);
  lines.push(`gateway RSS (in-process, with the fuzz client): start ${mb(report.rss.start)}, max ${mb(report.rss.max)}, end ${mb(report.rss.end)}`);
  const total = [...report.failures.values()].reduce((a, b) => a + b, 0);
  if (total > 0) {
    lines.push('', `FAILED: ${total} failures; the first ${report.examples.length}:`);
    for (const f of report.examples) {
      lines.push(`  [${f.class}]${f.index !== undefined ? ` request #${f.index}` : ''}${f.label ? ` ${f.label}` : ''}: ${f.detail}`);
      if (f.request) {
        lines.push(`    ${f.request.method} ${f.request.path.length > 600 ? `${f.request.path.slice(0, 600)}… (${f.request.path.length} chars)` : f.request.path}`);
        if (f.request.headers) lines.push(`    headers ${JSON.stringify(f.request.headers)}`);
        if (f.request.body !== undefined) lines.push(`    body ${JSON.stringify(String(f.request.body).slice(0, 600))}${String(f.request.body).length > 600 ? `… (${String(f.request.body).length} chars)` : ''}`);
      }
      if (f.index !== undefined) lines.push(`    replay: npm run fuzz -- --seed ${report.seed} --requests ${f.index + 1} --concurrency 1   (request #${f.index} is the last one sent)`);
    }
  } else {
    lines.push('', 'PASSED: no failures');
  }
  return lines.join('\n');
}

export function failureCount(report: FuzzReport): number {
  return [...report.failures.values()].reduce((a, b) => a + b, 0);
}
