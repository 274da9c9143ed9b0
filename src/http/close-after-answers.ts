import type { Server, ServerResponse } from 'node:http';

/** Servers being closed: a kept-alive connection whose answer has just been sent is closed then. */
const closingServers = new WeakSet<Server>();

/**
 * Once a server is closing ({@link markClosing}), each connection is closed as soon as its answer
 * has been sent, rather than when the client's keep-alive runs out: a shutdown waits for the
 * requests in flight, not for idle clients. Install once, when the server starts listening.
 */
export function closeAfterAnswersWhenClosing(server: Server): void {
  server.on('request', (_request, response: ServerResponse) => {
    response.once('finish', () => {
      if (closingServers.has(server)) setImmediate(() => server.closeIdleConnections());
    });
  });
}

/** Marks a server as closing, before `server.close()`. */
export function markClosing(server: Server): void {
  closingServers.add(server);
}
