import { randomUUID } from 'node:crypto';
import { TEST_USERS } from '../test/support/services.js';
import type { Environment } from './environment.js';
import { BenchError, countEvents, send, timed, type RequestSpec } from './http.js';
import { mb, ms, type Row } from './table.js';

/**
 * Cases 6 and 7: the whole calendar of the main user (the fixture: --items events, 10,000 with
 * --big) exported and imported, against the same work done directly:
 *
 *   6 export   export.wcap (dtstart=0, dtend=0, text/calendar) vs a GET of the collection, which
 *              Radicale answers with the whole calendar as one iCalendar file
 *   7 import   import.wcap of that export into an empty calendar (multipart upload, as Sun's import
 *              page posts it) vs PUTs of every object into another empty calendar, 4 at a time
 *              (the gateway writes 4 at a time too)
 *
 * Both check their answers (errno 0, every event exported, every item stored). For each gateway
 * case the peak RSS of this process (it runs the gateway; the bench's own copy of the file is in
 * it too) is sampled every 10 ms while the request runs, next to its RSS before.
 */
export async function measureImportExport(env: Environment, progress: (text: string) => void, withImport = true): Promise<{ rows: Row[]; memory: string[] }> {
  const { requests: r, user, gatewayAgent: gw, davAgent: dav, objects } = env;
  const sid = await r.session(gw, user);
  const auth = { Authorization: `Basic ${Buffer.from(`${user}:${TEST_USERS[user]}`).toString('base64')}` };
  const radicale = env.services.radicaleUrl;
  const events = objects.length;

  progress(`6 export of ${events} items, then 7 import into an empty calendar`);
  // One direct read first: Radicale's item cache, not measured on either side.
  await send(dav, { url: `${radicale}${user}/calendar/`, headers: auth, check: { kind: 'ok' } });
  const exportSpec: RequestSpec = {
    url: `${env.gateway.url}export.wcap?id=${sid}&calid=${user}&dtstart=0&dtend=0&content-out=text%2Fcalendar`,
    method: 'POST',
    check: { kind: 'wcap' },
  };
  const exported = await peakDuring(() => timed(gw, exportSpec));
  const masters = new Set(exported.value.body.match(/^UID:.*$/gm)).size;
  if (masters !== events) throw new BenchError(`export held ${masters} UIDs, expected ${events}`);
  const direct = await timed(dav, { url: `${radicale}${user}/calendar/`, headers: auth, check: { kind: 'ok' } });
  if (countEvents(direct.body) < events) throw new BenchError(`the collection GET held ${countEvents(direct.body)} events`);

  const exportRow = row(`6 export of ${events} items vs collection GET`, exported.value.ms, direct.ms, 3, `export: ${mb(Buffer.byteLength(exported.value.body))}`);
  const exportMemory = `  6 export: RSS before ${mb(exported.before)}, peak ${mb(exported.peak)} (+${mb(exported.peak - exported.before)}); ${mb(Buffer.byteLength(exported.value.body))} exported`;
  progress(`6 export: gateway ${ms(exported.value.ms)}, direct ${ms(direct.ms)}; ${exportMemory.trim()}`);
  if (!withImport) return { rows: [exportRow], memory: [exportMemory] };

  const target = await newCollection(env, auth, 'import');
  const boundary = `----bench${randomUUID().replace(/-/g, '')}`;
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="Upload"; filename="export.ics"\r\nContent-Type: text/calendar\r\n\r\n` +
    `${exported.value.body}\r\n--${boundary}--\r\n`;
  const importSpec: RequestSpec = {
    url: `${env.gateway.url}import.wcap?id=${sid}&calid=${user}:${target}&content-in=text%2Fcalendar`,
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body,
    check: { kind: 'wcap' },
  };
  const imported = await peakDuring(() => timed(gw, importSpec));
  const stored = /^X-WCAP-IMPORT-STORED:(\d+)\r?$/m.exec(imported.value.body)?.[1];
  if (Number(stored) !== events) throw new BenchError(`import stored ${stored}, expected ${events}`);

  const directTarget = await newCollection(env, auth, 'direct');
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < objects.length) {
        const object = objects[next++]!;
        const answer = await send(dav, {
          url: `${radicale}${user}/${directTarget}/${encodeURIComponent(object.uid)}.ics`,
          method: 'PUT',
          headers: { ...auth, 'Content-Type': 'text/calendar; charset=utf-8', 'If-None-Match': '*' },
          body: object.ics,
          check: { kind: 'ok' },
        });
        if (answer.status !== 201) throw new BenchError(`direct PUT: HTTP ${answer.status}`);
      }
    }),
  );
  const directImportMs = performance.now() - started;

  const memory = [
    exportMemory,
    `  7 import: RSS before ${mb(imported.before)}, peak ${mb(imported.peak)} (+${mb(imported.peak - imported.before)})`,
    `  process peak RSS so far (getrusage maxrss): ${mb(process.resourceUsage().maxRSS * 1024)}`,
  ];
  return {
    rows: [
      exportRow,
      row(`7 import of ${events} items vs PUTs, 4 at a time`, imported.value.ms, directImportMs, 1.5, `import answered ${stored} stored`),
    ],
    memory,
  };
}

function row(name: string, g: number, d: number, target: number, detail: string): Row {
  return { name, gateway: ms(g), direct: ms(d), ratio: g / d, target: { better: 'lower', value: target }, detail };
}

async function newCollection(env: Environment, auth: Record<string, string>, prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const answer = await send(env.davAgent, { url: `${env.services.radicaleUrl}${env.user}/${name}/`, method: 'MKCALENDAR', headers: auth, check: { kind: 'ok' } });
  if (answer.status !== 201) throw new BenchError(`MKCALENDAR ${name}: HTTP ${answer.status}`);
  return name;
}

/** Runs `work` while sampling this process's RSS every 10 ms. */
async function peakDuring<T>(work: () => Promise<T>): Promise<{ value: T; before: number; peak: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, before, peak };
  } finally {
    clearInterval(timer);
  }
}
