import fc from 'fast-check';
import { commandRegistry } from '../src/commands/index.js';
import type { ParamSchema, ParamShape } from '../src/wcap/params.js';
import { percentEncode, wirePath, type HttpRequest } from './http-client.js';
import { encodingArb, formatArb, maybe, nearDate, sessionValue, valueFor, xPropertyArb, type Encoding, type ParamValue, type Value } from './fuzz-values.js';

/**
 * One fuzzed request as a plan (pure data, generated from the seed) and its resolution against the
 * run's state (live sessions, stored items) into the exact bytes sent. Every command of the
 * registry (src/commands/index.ts) is drawn equally often, plus unknown commands and odd paths.
 */

export type Transport = 'get' | 'post-form' | 'post-multipart' | 'post-split' | 'post-broken';

export interface Plan {
  /** A registered command, an unknown `<name>.wcap`, or a path that is no command at all. */
  target: { kind: 'command' | 'unknown'; name: string } | { kind: 'odd-path'; path: string };
  prefix: string;
  transport: Transport;
  params: ParamValue[];
}

/** What resolution needs from the run. */
export interface FuzzState {
  users: string[];
  passwords: Record<string, string>;
  /** The user's live session; for a logout (`ending`), a spare session of the user that may end. */
  sessionOf(user: string, ending: boolean): string;
  endedSessions: string[];
  stored: Array<{ uid: string; dtstart?: string }>;
  /** Fresh UUIDs for stored-uid values when nothing is stored yet (from the seed). */
  fallbackUid(n: number): string;
}

export interface ResolvedRequest {
  /** Command name, `(unknown)` or `(odd path)`. */
  label: string;
  request: HttpRequest;
  /** The proof user whose live session the request carries, if any. */
  sessionUser?: string;
  /** UIDs of stored items the request names (uid parameters). */
  namedUids: string[];
  /** Whether the path must answer 200 (a `<name>.wcap` path) or may answer the documented 404. */
  mustBeWcap: boolean;
  /** The dtstart and dtend values the request carries, as sent before encoding (range deletes). */
  window: { dtstart: string[]; dtend: string[] };
}

const UNKNOWN = ['storecalendar', 'set_calprops', 'import', 'export', 'createcalendar', 'deletecalendar', 'WCAP', 'LOGIN', 'Login', 'a', '_', 'x'.repeat(300)];
const ODD_PATHS = [
  '/', '/healthz', '/login', '/login.wcap.bak', '/.wcap', '/login.WCAP', '/%2e%2e/login.wcap', '/login%2ewcap', '/x/../ping.wcap', '/ping.wcap/',
  '//ping.wcap', '/ping.wcap;x', '/ping.wcap%00', '/ping.wcap%', '/ping%zz.wcap', `/${'a'.repeat(5_000)}.wcap`, '/login.wcap#frag', '/ping-x.wcap',
  '/ping.wcap?', '/ping.wcap??x=1', '/%F0%9F%92%A5.wcap', '/ping%2Ewcap', '/ping.wcap/..', '/favicon.ico', '/.env', '/ping.wcap%2F',
];
function textOf(arb: fc.Arbitrary<string>): fc.Arbitrary<Value> {
  return arb.map((text): Value => ({ kind: 'text', text }));
}

/** Longest GET request line sent, below the gateway's 1 MB header limit. */
const GET_LIMIT = 1_000_000;
const PREFIXES = ['', '', '', 'wcap/', 'a/b/c/', 'login.wcap/', '%2e%2e/', 'x%2Fy/'];

/**
 * Good values for clean requests, so stores and fetches get past validation and reach Radicale;
 * `keep` is how often the parameter is sent, `wire` marks values already in Lightning's wire format.
 */
const PLAUSIBLE: Record<string, { value: fc.Arbitrary<Value>; keep?: number; wire?: boolean }> = {
  dtstart: { value: textOf(nearDate) },
  dtend: { value: textOf(nearDate) },
  due: { value: textOf(nearDate), keep: 0.3 },
  summary: { value: textOf(fc.string({ maxLength: 30 })) },
  desc: { value: textOf(fc.string({ maxLength: 60 })), keep: 0.4 },
  location: { value: textOf(fc.string({ maxLength: 20 })), keep: 0.3 },
  // Wire format, as Lightning sends them (docs/lightning.md#store-request-layout).
  rrules: { value: textOf(fc.constantFrom('', '"FREQ%3DDAILY%3BCOUNT%3D5"', 'FREQ=WEEKLY;COUNT=4', '"FREQ%3DDAILY%3BUNTIL%3D20260701T000000Z"')), keep: 0.4, wire: true },
  exdates: { value: textOf(nearDate), keep: 0.2 },
  calid: { value: fc.constant<Value>({ kind: 'session-calid' }), keep: 0.8 },
  uid: { value: fc.nat().map((pick): Value => ({ kind: 'stored-uid', pick, count: 1 })), keep: 0.5 },
  rid: { value: fc.record({ pick: fc.nat(), days: fc.integer({ min: 0, max: 4 }) }).map(({ pick, days }): Value => ({ kind: 'stored-rid', pick, days })), keep: 0.3 },
  mod: { value: textOf(fc.constantFrom('1', '2', '3', '4')), keep: 0.3 },
  storetype: { value: textOf(fc.constantFrom('', '1', '2')), keep: 0.3 },
  fetch: { value: textOf(fc.constant('1')) },
  tzid: { value: textOf(fc.constantFrom('Europe/Berlin', 'UTC', 'America/New_York')), keep: 0.3 },
  categories: { value: textOf(fc.constantFrom('a;b', 'Work', '100%')), keep: 0.3, wire: true },
  attendees: { value: textOf(fc.constant('RSVP=TRUE^PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^CN=Jane%20Roe^mailto%3Ajane%40example.com')), keep: 0.2, wire: true },
  alarmStart: { value: textOf(fc.constantFrom('-PT15M', '-P1D')), keep: 0.3 },
  alarmEmails: { value: textOf(fc.constant('a%40example.com')), keep: 0.3, wire: true },
  'component-type': { value: textOf(fc.constantFrom('event', 'todo', 'all')) },
  recurring: { value: textOf(fc.constantFrom('0', '1')) },
  maxResults: { value: textOf(fc.integer({ min: 0, max: 50 }).map(String)), keep: 0.3 },
  guidCount: { value: textOf(fc.integer({ min: 1, max: 10 }).map(String)) },
  percent: { value: textOf(fc.integer({ min: 0, max: 100 }).map(String)), keep: 0.3 },
  priority: { value: textOf(fc.integer({ min: 0, max: 9 }).map(String)), keep: 0.3 },
};

/** Shapes of the parameters an instance-targets spec reads (uid, rid and mod lists, see src/wcap/params.ts). */
const TARGET_SHAPES: Record<string, ParamShape> = { uid: { kind: 'text' }, rid: { kind: 'date' }, mod: { kind: 'int', min: 1, max: 4 } };

/**
 * The parameters a schema reads, each with its generator: any value (`clean` false) or a good one
 * (`clean` true; parameters without a good value are left out, X-properties are sent in both).
 * Combined specs expand to the parameters they read.
 */
function paramArbs(schema: ParamSchema, clean: boolean): Array<fc.Arbitrary<ParamValue[]>> {
  const one = (name: string, value: fc.Arbitrary<Value>, encoding: fc.Arbitrary<Encoding> = encodingArb) =>
    fc.record({ name: fc.constant(name), value, encoding }).map((p): ParamValue[] => [p]);
  const out: Array<fc.Arbitrary<ParamValue[]>> = [];
  for (const [name, spec] of Object.entries(schema)) {
    const shape = spec.shape;
    if (shape?.kind === 'xProperties') {
      out.push(fc.array(xPropertyArb, { maxLength: 2 }).chain((xs) => fc.tuple(...xs.map((x) => one(x.name, fc.constant(x.value)))).map((l) => l.flat())));
      continue;
    }
    const read: Array<[string, ParamShape | undefined]> =
      shape?.kind === 'instanceTargets' ? (shape.withMod ? ['uid', 'rid', 'mod'] : ['uid', 'rid']).map((n) => [n, TARGET_SHAPES[n]]) : [[name, shape]];
    for (const [n, s] of read) {
      const good = PLAUSIBLE[n];
      if (!clean) out.push(one(n, valueFor(n, s)));
      else if (good) out.push(maybe(one(n, good.value, fc.constant(good.wire ? 'raw' : 'encoded')), good.keep ?? 0.8).map((l) => l ?? []));
    }
  }
  return out;
}

function commandPlan(name: string): fc.Arbitrary<Plan> {
  const command = commandRegistry.get(name)!;
  const schema = command.params;
  const all = paramArbs(schema, false);
  const good = paramArbs(schema, true);
  const pick = (arbs: Array<fc.Arbitrary<ParamValue[]>>, keep: number) =>
    fc.tuple(...arbs.map((arb) => maybe(arb, Math.min(1, keep)))).map((l) => l.flatMap((x) => x ?? []));
  // Three kinds of requests: clean ones (good values only, a live session: they reach Radicale
  // and store items), mutated ones (good values and about one wild parameter), wild ones (a
  // random subset of the parameters, any values, any session).
  const clean = pick(good, 1).map(withEndAfterStart);
  const params = all.length === 0
    ? fc.constant({ mode: 'clean' as const, list: [] as ParamValue[] })
    : fc.oneof(
        { weight: 3, arbitrary: clean.map((list) => ({ mode: 'clean' as const, list })) },
        { weight: 3, arbitrary: fc.tuple(clean, pick(all, 1 / all.length)).map(([a, b]) => ({ mode: 'mutated' as const, list: [...a, ...b] })) },
        { weight: 4, arbitrary: pick(all, 0.3).map((list) => ({ mode: 'wild' as const, list })) },
      );
  const login = name === 'login'
    ? fc.oneof(
        fc.nat().map((user): ParamValue[] => [
          { name: 'user', value: { kind: 'own-calid', user, suffix: '' }, encoding: 'encoded' },
          { name: 'password', value: { kind: 'password', user }, encoding: 'encoded' },
        ]),
        fc.constant([] as ParamValue[]),
      )
    : fc.constant([] as ParamValue[]);
  return fc
    .record({
      id: maybe(sessionValue, 0.9),
      live: fc.nat(),
      idEncoding: encodingArb,
      format: maybe(formatArb, 0.9),
      clientFormat: fc.constantFrom('text/calendar', 'text/xml'),
      params,
      login,
      prefix: fc.constantFrom(...PREFIXES),
      transport: transportArb,
      clientTransport: fc.constantFrom<Transport>('get', 'get', 'get', 'post-form', 'post-multipart'),
      shuffle: fc.boolean(),
    })
    .map((r): Plan => {
      const wild = r.params.mode === 'wild';
      const list: ParamValue[] = [...r.login, ...r.params.list];
      if (!wild) list.push({ name: 'id', value: { kind: 'session', user: r.live }, encoding: 'encoded' });
      else if (r.id) list.push({ name: 'id', value: r.id, encoding: r.idEncoding });
      const format = wild ? r.format : r.clientFormat;
      if (format !== undefined) list.push({ name: 'fmt-out', value: { kind: 'text', text: format }, encoding: 'encoded' });
      if (r.shuffle) list.reverse();
      return { target: { kind: 'command', name }, prefix: wild ? r.prefix : '', transport: wild ? r.transport : r.clientTransport, params: list };
    });
}

/** A clean request's dtend (or due) lies one to three hours after its dtstart, as a client's would. */
function withEndAfterStart(list: ParamValue[]): ParamValue[] {
  const start = list.find((p) => p.name === 'dtstart')?.value;
  if (start?.kind !== 'text') return list;
  return list.map((p, i) => {
    if ((p.name !== 'dtend' && p.name !== 'due') || p.value.kind !== 'text') return p;
    const hours = 1 + (i % 3);
    const at = new Date(Date.UTC(+start.text.slice(0, 4), +start.text.slice(4, 6) - 1, +start.text.slice(6, 8), +start.text.slice(9, 11) + hours));
    return { ...p, value: { kind: 'text', text: `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z` } };
  });
}

const transportArb: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('get' as const) },
  { weight: 2, arbitrary: fc.constant('post-form' as const) },
  { weight: 2, arbitrary: fc.constant('post-multipart' as const) },
  { weight: 1, arbitrary: fc.constant('post-split' as const) },
  { weight: 1, arbitrary: fc.constant('post-broken' as const) },
);

const STORES = new Set(['storeevents', 'storetodos']);

/** Plans for every registered command, unknown commands and odd paths. */
export function planArb(): fc.Arbitrary<Plan> {
  const names = [...commandRegistry.keys()];
  const otherParams = fc.array(fc.record({ name: fc.constantFrom('id', 'fmt-out', 'calid', 'x'), value: sessionValue, encoding: encodingArb }), { maxLength: 3 });
  return fc.oneof(
    // Stores weigh three times as much: the slice must keep enough stored items to check after the
    // deletes (range deletes with open ends take every item of their user).
    { weight: names.length * 10, arbitrary: fc.oneof(...names.map((name) => ({ weight: STORES.has(name) ? 3 : 1, arbitrary: fc.constant(name) }))).chain(commandPlan) },
    {
      weight: 6,
      arbitrary: fc.record({ name: fc.constantFrom(...UNKNOWN), params: otherParams, transport: transportArb, prefix: fc.constantFrom(...PREFIXES) })
        .map((r): Plan => ({ target: { kind: 'unknown', name: r.name }, prefix: r.prefix, transport: r.transport, params: r.params })),
    },
    {
      weight: 4,
      arbitrary: fc.record({ path: fc.constantFrom(...ODD_PATHS), params: otherParams, transport: transportArb })
        .map((r): Plan => ({ target: { kind: 'odd-path', path: r.path }, prefix: '', transport: r.transport, params: r.params })),
    },
  );
}

/** The plan as the exact request, against the current state. */
export function resolvePlan(plan: Plan, state: FuzzState): ResolvedRequest {
  const ending = plan.target.kind === 'command' && plan.target.name === 'logout';
  let sessionUser: string | undefined;
  const namedUids: string[] = [];
  const user = (n: number) => state.users[n % state.users.length]!;
  // Half of the picks name a stored item, the other half a UID nothing has (yet).
  const storedAt = (pick: number) => state.stored[pick % Math.max(1, 2 * state.stored.length)];
  const resolveValue = (value: Value): string => {
    switch (value.kind) {
      case 'text':
        return value.text;
      case 'session':
        sessionUser = user(value.user);
        return state.sessionOf(sessionUser, ending);
      case 'ended-session':
        return state.endedSessions[value.pick % Math.max(1, state.endedSessions.length)] ?? 'A'.repeat(32);
      case 'own-calid':
        return `${user(value.user)}${value.suffix}`;
      case 'session-calid':
        return sessionUser ?? user(0);
      case 'password':
        return state.passwords[user(value.user)] ?? '';
      case 'stored-uid': {
        const uids = Array.from({ length: value.count }, (_, i) => storedAt(value.pick + i)?.uid ?? state.fallbackUid(value.pick + i));
        namedUids.push(...uids);
        return uids.join(';');
      }
      case 'stored-rid': {
        const start = storedAt(value.pick)?.dtstart;
        return start ? shiftDays(start, value.days) : '0';
      }
    }
  };
  // The session first: a calid of the session's user depends on it.
  const sessionParam = plan.params.find((p) => p.value.kind === 'session');
  const sessionText = sessionParam ? resolveValue(sessionParam.value) : undefined;
  const pairs = plan.params.map((p) => ({ name: p.name, text: p === sessionParam ? sessionText! : resolveValue(p.value), encoding: p.encoding }));

  const path = plan.target.kind === 'odd-path' ? plan.target.path : `/${plan.prefix}${plan.target.name}.wcap`;
  const label = plan.target.kind === 'command' ? plan.target.name : plan.target.kind === 'unknown' ? '(unknown command)' : '(odd path)';
  const encodeValue = (text: string, encoding: Encoding) =>
    encoding === 'encoded' ? percentEncode(text) : encoding === 'raw' ? wirePath(text) : encoding === 'double' ? percentEncode(percentEncode(text)) : `${percentEncode(text)}%${text.length % 2 ? 'G1' : 'E2%82'}`;
  const form = (list: typeof pairs) => list.map((p) => `${percentEncode(p.name)}=${encodeValue(p.text, p.encoding)}`).join('&');
  // Node answers 431 to a request line over the gateway's 1 MB header limit (src/gateway.ts)
  // before the gateway sees it: huge values travel in a body, as a client's would (GET, and the
  // query half of post-split).
  const inQuery = plan.transport === 'get' ? pairs : plan.transport === 'post-split' ? pairs.slice(0, Math.ceil(pairs.length / 2)) : [];
  const transport = path.length + form(inQuery).length > GET_LIMIT ? 'post-form' : plan.transport;
  const request = ((): HttpRequest => {
    switch (transport) {
      case 'get':
        return { method: 'GET', path: `${path}${pairs.length ? `?${form(pairs)}` : ''}` };
      case 'post-form':
        return { method: 'POST', path, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form(pairs) };
      case 'post-split': {
        const half = Math.ceil(pairs.length / 2);
        return { method: 'POST', path: `${path}?${form(pairs.slice(0, half))}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form(pairs.slice(half)) };
      }
      case 'post-multipart':
      case 'post-broken': {
        const boundary = 'proofBoundary7MA4YWxk';
        const parts = pairs.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.encoding === 'encoded' ? p.text : encodeValue(p.text, p.encoding)}\r\n`);
        const complete = `${parts.join('')}--${boundary}--\r\n`;
        if (transport === 'post-multipart') return { method: 'POST', path, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: complete };
        // Broken bodies: a cut multipart, a multipart without boundary, a form sent as JSON.
        const variant = pairs.length % 3;
        if (variant === 0) return { method: 'POST', path, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: complete.slice(0, Math.floor(complete.length / 2)) };
        if (variant === 1) return { method: 'POST', path, headers: { 'Content-Type': 'multipart/form-data' }, body: complete };
        return { method: 'POST', path, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Object.fromEntries(pairs.map((p) => [p.name, p.text]))) };
      }
    }
  })();
  const textsOf = (name: string) => pairs.filter((p) => p.name === name).map((p) => p.text);
  const window = { dtstart: textsOf('dtstart'), dtend: textsOf('dtend') };
  return { label, request, sessionUser, namedUids, mustBeWcap: plan.target.kind !== 'odd-path', window };
}

/** A DTSTART value (`YYYYMMDDTHHMMSSZ`, floating or DATE) moved by whole days, in the same form. */
function shiftDays(value: string, days: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(value);
  if (!m) return value;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}${m[4]}`;
}
