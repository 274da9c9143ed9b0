import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * The HTTP edge (README, Security): connections that hold a socket without using it are closed,
 * connections past the cap are dropped and logged, and a process at its open-file limit keeps
 * working. Real sockets against the gateway on Radicale and Redis.
 */
const harnesses: Harness[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(harnesses.map((h) => h.close()));
});

async function gateway(env: Record<string, string>): Promise<Harness> {
  const h = await startHarness(env);
  harnesses.push(h);
  return h;
}

/** A raw socket to the gateway; resolves once connected. Errors (resets) only end it. */
async function socketTo(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sent until it closed the connection. */
async function untilClosed(socket: net.Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  if (!socket.destroyed) await once(socket, 'close');
  return received;
}

describe('slow and silent connections', () => {
  it('closes a connection that sends nothing, one that drips its headers (408) and one that drips its body (408)', async () => {
    const h = await gateway({ WCAP_HEADERS_TIMEOUT_MS: '1000', WCAP_REQUEST_TIMEOUT_MS: '2000' });
    const silent = await socketTo(h.gateway.url);
    const slowHeaders = await socketTo(h.gateway.url);
    slowHeaders.write('GET /version.wcap HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => slowHeaders.writable && slowHeaders.write('X-Drip: 1\r\n'), 200);
    const slowBody = await socketTo(h.gateway.url);
    slowBody.write('POST /version.wcap HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na=');
    const bodyDrip = setInterval(() => slowBody.writable && slowBody.write('b'), 200);
    try {
      const [nothing, headers, body] = await Promise.all([untilClosed(silent), untilClosed(slowHeaders), untilClosed(slowBody)]);
      expect(nothing).toBe('');
      expect(headers).toMatch(/^HTTP\/1\.1 408/);
      expect(body).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      clearInterval(bodyDrip);
    }
    // The gateway answers as before.
    expect((await h.wcap('version', 'fmt-out=text%2Fxml')).errno).toBe(0);
  });
});

describe('the connection cap', () => {
  it('drops connections past WCAP_MAX_CONNECTIONS, logs it, and takes new ones once others close', async () => {
    const h = await gateway({ WCAP_MAX_CONNECTIONS: '5', WCAP_HEADERS_TIMEOUT_MS: '20000' });
    // Five connections, each in the middle of its request line: held, and not silent.
    const held = await Promise.all(Array.from({ length: 5 }, () => socketTo(h.gateway.url)));
    for (const socket of held) socket.write('GET /version.wcap');
    const extra = await socketTo(h.gateway.url);
    expect(await untilClosed(extra)).toBe('');
    expect(h.logText()).toContain('connection limit reached: new connections are closed at once');
    for (const socket of held) socket.destroy();
    // Once they are gone the gateway answers again (the server counts them down on 'close').
    let answer;
    for (let attempt = 0; attempt < 50; attempt++) {
      answer = await h.wcap('version', 'fmt-out=text%2Fxml').catch(() => undefined);
      if (answer) break;
    }
    expect(answer?.errno).toBe(0);
  });
});

describe('the open-file limit', () => {
  it('keeps a gateway under a small ulimit answering: fewer connections accepted, the cut logged, no silent failure', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      WCAP_CALDAV_URL: inject('radicaleUrl'),
      WCAP_HOST: '127.0.0.1',
      WCAP_PORT: '0',
      WCAP_HEADERS_TIMEOUT_MS: '20000',
    };
    // 200 open files: with the reserve (64 + 16 CalDAV connections) 120 client connections fit.
    const child = spawn('bash', ['-c', `ulimit -n 200 && exec "${process.execPath}" --import tsx src/cli/main.ts serve`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    let url: string | undefined;
    while (!url) {
      const listening = /"url":"(http:[^"]+)"[^\n]*wcap-gateway listening/.exec(log);
      if (listening) url = listening[1];
      else if (child.exitCode !== null) throw new Error(`serve exited: ${log}`);
      else await once(child.stdout, 'data');
    }
    expect(log).toContain('"applied":120');
    const sockets = await Promise.all(Array.from({ length: 160 }, () => socketTo(url!).catch(() => undefined)));
    for (const socket of sockets) socket?.write('GET /version.wcap');
    while (!log.includes('connection limit reached')) await once(child.stdout, 'data');
    for (const socket of sockets) socket?.destroy();
    let answered: Response | undefined;
    for (let attempt = 0; attempt < 50 && !answered; attempt++) answered = await fetch(`${url}version.wcap`).catch(() => undefined);
    expect(answered?.status).toBe(200);
    expect(await answered!.text()).toContain('X-NSCP-WCAP-ERRNO:0');
  });
});
