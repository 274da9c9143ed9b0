/**
 * Gateway vs direct CalDAV, measured in the same run against the same Radicale (loopback).
 * Prints median latencies and the ratio gateway / direct for: login (vs principal + home discovery
 * + calendar PROPFIND), a one-month range fetch (vs one calendar-query REPORT with calendar-data),
 * fetch by UID (vs GET), and a store (vs PUT).
 *
 *   npm run bench [-- --items 500 --rounds 30]
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { startServices, TEST_USERS } from '../test/support/services.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ITEMS = Number(args.get('items') ?? 500);
const ROUNDS = Number(args.get('rounds') ?? 30);
const USER = 'alice';
const PASSWORD = TEST_USERS[USER]!;
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

async function main(): Promise<void> {
  const services = await startServices((line) => console.log(line));
  const config = loadConfig({
    WCAP_PORT: '0',
    WCAP_CALDAV_URL: services.radicaleUrl,
    WCAP_REDIS_URL: services.redisUrl,
    WCAP_SECRET: 'benchmark-secret-0123456789abcdef',
    WCAP_LOG_LEVEL: 'silent',
  });
  const gateway = await startGateway(config, createLogger('silent'));
  try {
    const dav = (path: string, init: RequestInit = {}) =>
      fetch(new URL(path, services.radicaleUrl), { ...init, headers: { Authorization: AUTH, ...(init.headers ?? {}) } });
    const wcap = async (query: string) => {
      const res = await fetch(`${gateway.url}${query}`);
      const body = await res.text();
      if (!/X-NSCP-WCAP-ERRNO:(0|-1)\b|<X-NSCP-WCAP-ERRNO>0</.test(body)) throw new Error(`WCAP failed: ${body.slice(0, 300)}`);
      return body;
    };
    const loginBody = await wcap(`login.wcap?user=${USER}&password=${encodeURIComponent(PASSWORD)}`);
    const id = /X-NSCP-WCAP-SESSION-ID:(\w+)/.exec(loginBody)![1]!;

    console.log(`filling ${ITEMS} events directly into /${USER}/calendar/ …`);
    const uids: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const uid = randomUUID();
      uids.push(uid);
      const day = new Date(Date.UTC(2027, 0, 1) + (i % 365) * 86_400_000);
      const stamp = day.toISOString().slice(0, 10).replace(/-/g, '');
      const ics = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${stamp}T090000Z\r\nDTEND:${stamp}T100000Z\r\nSUMMARY:Event ${i}\r\n${i % 10 === 0 ? 'RRULE:FREQ=WEEKLY;COUNT=20\r\n' : ''}END:VEVENT\r\nEND:VCALENDAR\r\n`;
      const res = await dav(`/${USER}/calendar/${uid}.ics`, { method: 'PUT', body: ics, headers: { 'Content-Type': 'text/calendar' } });
      if (res.status >= 300) throw new Error(`PUT failed: ${res.status}`);
    }

    const report = `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20270301T000000Z" end="20270401T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
    const propfind = (path: string, prop: string) =>
      dav(path, { method: 'PROPFIND', headers: { Depth: '0', 'Content-Type': 'application/xml' }, body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>${prop}</D:prop></D:propfind>` }).then((r) => r.text());

    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      [
        'login',
        () => wcap(`login.wcap?user=${USER}&password=${encodeURIComponent(PASSWORD)}`),
        async () => {
          await propfind('/', '<D:current-user-principal/>');
          await propfind(`/${USER}/`, '<C:calendar-home-set/>');
          await propfind(`/${USER}/calendar/`, '<D:displayname/><D:resourcetype/>');
        },
      ],
      [
        'range fetch (1 month)',
        () => wcap(`fetchcomponents_by_range.wcap?id=${id}&recurring=1&compressed=1&emailorcalid=1&fmt-out=text%2Fcalendar&component-type=event&dtstart=20270301T000000Z&dtend=20270401T000000Z&calid=${USER}`),
        () => dav(`/${USER}/calendar/`, { method: 'REPORT', headers: { Depth: '1', 'Content-Type': 'application/xml' }, body: report }).then((r) => r.text()),
      ],
      [
        'fetch by uid',
        () => wcap(`fetchevents_by_id.wcap?id=${id}&uid=${uids[7]}&calid=${USER}`),
        () => dav(`/${USER}/calendar/${uids[7]}.ics`).then((r) => r.text()),
      ],
    ];
    console.log(`\n${ROUNDS} rounds each, medians (ms):`);
    console.log('case                    gateway   direct   ratio');
    for (const [name, viaGateway, direct] of cases) {
      for (let i = 0; i < 3; i++) {
        await viaGateway();
        await direct();
      }
      const g: number[] = [];
      const d: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        g.push(await time(viaGateway));
        d.push(await time(direct));
      }
      const [mg, md] = [median(g), median(d)];
      console.log(`${name.padEnd(22)} ${mg.toFixed(1).padStart(8)} ${md.toFixed(1).padStart(8)} ${(mg / md).toFixed(2).padStart(7)}`);
    }
  } finally {
    await gateway.close();
    await services.stop();
  }
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
