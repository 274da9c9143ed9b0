import { buildGoldenGateway, GATEWAY_URL } from '../test/support/golden-gateway.js';
import { generateObjects } from './fixture.js';
import { BenchError } from './http.js';
import { mb, ms } from './table.js';

/**
 * Case 8: what import and export cost the gateway itself, without the CalDAV server's time: the
 * fixture (--fake-items events, 10,000 by default) imported as one file into a calendar of the
 * in-memory CalDAV fake the golden tests use, then exported, both through the real app and
 * pipeline (in this process, no network). Radicale 3.1.8 spends time per PUT in proportion to the
 * collection's size (it looks for the UID among all items), so a 10,000-item import into it takes
 * over an hour on a small machine; this case shows the gateway's time and memory for that size.
 * Peak RSS is sampled every 10 ms while each request runs.
 */
export async function measureFakeImportExport(items: number, progress: (text: string) => void): Promise<string[]> {
  progress(`8 import and export of ${items} items over the in-memory CalDAV fake`);
  const objects = generateObjects(items, 20250302);
  const zones = new Set<string>();
  const events: string[] = [];
  for (const object of objects) {
    const zone = /BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r\n/.exec(object.ics)?.[0];
    if (zone) zones.add(zone);
    events.push(/BEGIN:VEVENT[\s\S]*END:VEVENT\r\n/.exec(object.ics)![0]);
  }
  const file = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n${[...zones].join('')}${events.join('')}END:VCALENDAR\r\n`;
  events.length = 0;
  const g = buildGoldenGateway({ WCAP_CACHE_MAX_MB: '0' });
  const sid = await g.login('alice');
  const boundary = 'benchBoundary7';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="Upload"; filename="big.ics"\r\nContent-Type: text/calendar\r\n\r\n`),
    Buffer.from(file),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const fileBytes = body.byteLength;

  const imported = await peakDuring(async () => {
    const res = await g.app.request(`${GATEWAY_URL}import.wcap?id=${sid}&calid=alice&content-in=text%2Fcalendar`, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    return res.text();
  });
  const stored = /^X-WCAP-IMPORT-STORED:(\d+)\r?$/m.exec(imported.value)?.[1];
  if (Number(stored) !== items || !imported.value.includes('X-NSCP-WCAP-ERRNO:0')) throw new BenchError(`fake import: ${imported.value.slice(0, 600)}`);

  const exported = await peakDuring(async () => {
    const res = await g.app.request(`${GATEWAY_URL}export.wcap?id=${sid}&calid=alice&dtstart=0&dtend=0&content-out=text%2Fcalendar`, { method: 'POST' });
    // Read as it streams, counting, as a client saving the file would (not kept whole).
    let bytes = 0;
    let uids = 0;
    let tail = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
      bytes += chunk.byteLength;
      const text = tail + decoder.decode(chunk, { stream: true });
      uids += text.match(/\r\nUID:/g)?.length ?? 0;
      tail = text.slice(-6);
      if (tail.includes('UID')) tail = '';
    }
    return { bytes, uids };
  });
  if (exported.value.uids < items) throw new BenchError(`fake export held ${exported.value.uids} UIDs, expected ${items}`);
  return [
    `  8 import of ${items} items (${mb(fileBytes)} upload) over the in-memory fake: ${ms(imported.ms)}; RSS before ${mb(imported.before)}, peak ${mb(imported.peak)} (+${mb(imported.peak - imported.before)})`,
    `  8 export of ${items} items (${mb(exported.value.bytes)}) over the in-memory fake: ${ms(exported.ms)}; RSS before ${mb(exported.before)}, peak ${mb(exported.peak)} (+${mb(exported.peak - exported.before)})`,
  ];
}

async function peakDuring<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; before: number; peak: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, ms: performance.now() - started, before, peak };
  } finally {
    clearInterval(timer);
  }
}
