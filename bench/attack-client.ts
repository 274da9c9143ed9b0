/**
 * The attackers of bench/attack.ts, in a process of their own:
 *   parameters <base> <id> <ms>   4 clients POSTing storeevents with 100,000 X- parameters, in a loop
 *   bodies <base> <id> <ms>       10 clients uploading 100 MB chunked bodies, in a loop
 */
import http from 'node:http';

const [mode, base, id, duration] = process.argv.slice(2) as [string, string, string, string];
const until = performance.now() + Number(duration);
const USER = 'alice';

function post(body: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('storeevents.wcap', base), { agent, method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } });
    req.on('response', (res) => res.resume().on('end', () => resolve()));
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs `total` bytes chunked (no Content-Length) until the gateway answers and closes. */
function upload(total: number): Promise<void> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let done = false;
    const finish = () => {
      if (!done) resolve();
      done = true;
    };
    const req = http.request(new URL('storeevents.wcap', base), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' } });
    req.on('response', (res) => res.resume().on('end', finish));
    req.on('error', finish);
    const pump = () => {
      while (sent < total && !done && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (sent >= total) req.end();
    };
    pump();
  });
}

async function loop(run: () => Promise<void>): Promise<void> {
  while (performance.now() < until) await run();
}

if (mode === 'parameters') {
  const agent = new http.Agent({ keepAlive: true });
  const body =
    `id=${id}&calid=${USER}&uid=attack-flood&dtstart=20300101T090000Z&dtend=20300101T100000Z&summary=x&storetype=1&` +
    Array.from({ length: 100_000 }, (_, i) => `X-P${i}=v${i}`).join('&');
  await Promise.all(Array.from({ length: 4 }, () => loop(() => post(body, agent))));
} else {
  await Promise.all(Array.from({ length: 10 }, () => loop(() => upload(100 * 1024 * 1024))));
}
