import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { startServices, TEST_USERS } from '../test/support/services.js';
const s = await startServices(() => undefined);
const AUTH = `Basic ${Buffer.from(`alice:${TEST_USERS.alice}`).toString('base64')}`;
const dav = (path: string, init: RequestInit = {}) => fetch(new URL(path, s.radicaleUrl), { ...init, headers: { Authorization: AUTH, ...(init.headers ?? {}) } });
const config = loadConfig({ WCAP_PORT: '0', WCAP_CALDAV_URL: s.radicaleUrl, WCAP_REDIS_URL: s.redisUrl, WCAP_SECRET: 'benchmark-secret-0123456789abcdef', WCAP_LOG_LEVEL: 'silent' });
let davCount = 0;
const g = await startGateway(config, createLogger('silent'), { wrapFetch: (f) => (i, init) => { davCount++; return f(i, init); } });
const login = await (await fetch(`${g.url}login.wcap?user=alice&password=${encodeURIComponent(TEST_USERS.alice!)}`)).text();
const id = /X-NSCP-WCAP-SESSION-ID:(\w+)/.exec(login)![1];
const uids: string[] = [];
for (let i = 0; i < 1000; i++) {
  const uid = randomUUID(); uids.push(uid);
  const ics = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nSUMMARY:Event ${i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
  await (await dav(`/alice/calendar/${uid}.ics`, { method: 'PUT', body: ics, headers: { 'Content-Type': 'text/calendar' } })).text();
}
const cases: Record<string, () => Promise<unknown>> = {
  range: () => fetch(`${g.url}fetchcomponents_by_range.wcap?id=${id}&recurring=1&emailorcalid=1&component-type=event&dtstart=20250301T000000Z&dtend=20250401T000000Z&calid=alice`).then((r) => r.text()),
  gettime: () => fetch(`${g.url}gettime.wcap?id=${id}`).then((r) => r.text()),
  byuid: () => fetch(`${g.url}fetchevents_by_id.wcap?id=${id}&uid=${uids[7]}&calid=alice&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar`).then((r) => r.text()),
  get: () => dav(`/alice/calendar/${uids[7]}.ics`).then((r) => r.text()),
};
await cases.range!();
for (const [name, fn] of Object.entries(cases)) {
  for (let i = 0; i < 5; i++) await fn();
  (globalThis as any).__t = [];
  const t: number[] = [];
  for (let i = 0; i < 40; i++) { const a = performance.now(); await fn(); t.push(performance.now() - a); }
  t.sort((a, b) => a - b);
  const parts = (globalThis as any).__t as number[][];
  const med = (k: number) => parts.map((p) => p[k]!).sort((a, b) => a - b)[Math.floor(parts.length / 2)]?.toFixed(2);
  console.log(name.padEnd(8), t[20]!.toFixed(2), 'ms  session', med(0), 'run', med(1), 'render', med(2));
}
await g.close(); await s.stop();
