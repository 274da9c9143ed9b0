import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { pooledFetch } from '../../src/backend/connection-pool.js';

/** The CalDAV connection pool against a real HTTP server on loopback. */
describe('pooledFetch', () => {
  let server: Server | undefined;
  let pool: ReturnType<typeof pooledFetch> | undefined;
  afterEach(async () => {
    await pool?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = pool = undefined;
  });

  /** A server counting the connections it accepted; `handle` answers each request. */
  async function serve(handle: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
    let connections = 0;
    let open = 0;
    let mostOpen = 0;
    server = createServer(handle);
    server.on('connection', (socket) => {
      connections++;
      mostOpen = Math.max(mostOpen, ++open);
      socket.on('close', () => open--);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    return { url, stats: () => ({ connections, mostOpen }) };
  }

  it('reuses one connection for consecutive requests and passes method, headers and body', async () => {
    const seen: string[] = [];
    const { url, stats } = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.headers.depth} ${body}`);
        res.writeHead(207, { 'Content-Type': 'application/xml', ETag: '"e1"' }).end('<ok/>');
      });
    });
    pool = pooledFetch({ connections: 4, keepAliveMs: 5000 });
    for (let i = 0; i < 5; i++) {
      const res = await pool.fetch(url, { method: 'PROPFIND', headers: { Depth: '0' }, body: `<q${i}/>` });
      expect([res.status, res.headers.get('etag'), await res.text()]).toEqual([207, '"e1"', '<ok/>']);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `PROPFIND 0 <q${i}/>`));
    expect(stats().connections).toBe(1);
  });

  it('works with a server that closes every connection (HTTP/1.0, like Radicale)', async () => {
    const { url, stats } = await serve((_req, res) => {
      res.shouldKeepAlive = false;
      res.writeHead(200, { Connection: 'close' }).end('x'.repeat(100_000));
    });
    pool = pooledFetch({ connections: 2, keepAliveMs: 5000 });
    const bodies = await Promise.all(Array.from({ length: 10 }, () => pool!.fetch(url).then((r) => r.text())));
    expect(bodies.every((b) => b.length === 100_000)).toBe(true);
    expect(stats().connections).toBe(10);
  });

  it('never opens more connections than allowed; the others wait their turn', async () => {
    const waiting: Array<() => void> = [];
    const { url, stats } = await serve((_req, res) => waiting.push(() => res.end('done')));
    pool = pooledFetch({ connections: 2, keepAliveMs: 5000 });
    const answers = Array.from({ length: 6 }, () => pool!.fetch(url).then((r) => r.text()));
    // Answer requests one by one as they arrive; only two can be in flight at any time.
    let answered = 0;
    while (answered < 6) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = waiting.shift();
      if (next) {
        next();
        answered++;
      }
    }
    expect(await Promise.all(answers)).toEqual(Array(6).fill('done'));
    expect(stats().mostOpen).toBeLessThanOrEqual(2);
  });

  it("rejects with the signal's reason when it is aborted (the backend's timeout)", async () => {
    const { url } = await serve(() => undefined);
    pool = pooledFetch({ connections: 1, keepAliveMs: 5000 });
    const controller = new AbortController();
    const pending = pool.fetch(url, { signal: controller.signal });
    controller.abort(new DOMException('no answer', 'TimeoutError'));
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('answers 204 and 304 without a body', async () => {
    const { url } = await serve((req, res) => res.writeHead(req.url === '/a' ? 204 : 304).end());
    pool = pooledFetch({ connections: 1, keepAliveMs: 5000 });
    expect((await pool.fetch(`${url}a`)).status).toBe(204);
    expect((await pool.fetch(`${url}b`)).status).toBe(304);
  });
});
