import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real server, for fault tests: every request is forwarded unchanged
 * unless `intercept` takes it (to answer it itself, or to hold it unanswered, as a server stuck in
 * work would), and `beforeAnswer` may act between the server's answer and its delivery (to kill a
 * client at an exact point).
 */
export interface ProxyHooks {
  /** Returns true when it has taken the request; the proxy then leaves `res` alone. */
  intercept?(req: IncomingMessage, res: ServerResponse): boolean;
  beforeAnswer?(req: IncomingMessage, status: number): Promise<void>;
}

export interface ForwardingProxy {
  /** Base URL of the proxy (trailing slash). */
  url: string;
  /** Drops every connection, held ones included, and stops listening. */
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function startForwardingProxy(target: string, hooks: ProxyHooks = {}): Promise<ForwardingProxy> {
  const server = createServer((req, res) => {
    if (hooks.intercept?.(req, res)) return;
    void forward(req, target).then(
      async ({ status, headers, body }) => {
        await hooks.beforeAnswer?.(req, status);
        res.writeHead(status, headers).end(body);
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function forward(req: IncomingMessage, target: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_HEADERS.has(name) && typeof value === 'string') headers.set(name, value);
  }
  const body = chunks.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
  const response = await fetch(new URL(req.url ?? '/', target), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_HEADERS.has(name) && name !== 'content-encoding') out[name] = value;
  });
  return { status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) };
}
