import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

export interface ConnectionGuardOptions {
  /** Most client connections at once (WCAP_MAX_CONNECTIONS), lowered to fit the open-file limit. */
  maxConnections: number;
  /** How long a new connection may stay silent before its first byte (WCAP_HEADERS_TIMEOUT_MS). */
  firstByteMs: number;
  /** File descriptors kept free for the CalDAV pool, Redis, logs and files. */
  reservedFds: number;
  log: Logger;
  /** Milliseconds now, for spacing out the warning about dropped connections. */
  now: () => number;
  /** The process's open-file limit; read from /proc on Linux, undefined elsewhere. */
  openFileLimit?: number | undefined;
}

/** A warning about dropped connections at most this often, with the count since the last one. */
const DROP_WARNING_EVERY_MS = 10_000;

/**
 * Guards the listener against connections that hold resources without using them:
 * - Node's own `headersTimeout` and `requestTimeout` end slow headers and slow bodies, but only once
 *   a first byte has arrived: a connection that sends nothing stays open for ever. It is closed here
 *   after `firstByteMs`.
 * - Past `maxConnections` Node drops new connections ('drop'). The cap is kept below the open-file
 *   limit, so the gateway itself never runs out of file descriptors (at that limit libuv closes new
 *   connections silently and the CalDAV pool could not open sockets), and each drop is logged.
 * Returns the cap it applied.
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): number {
  const fdRoom = options.openFileLimit === undefined ? Number.POSITIVE_INFINITY : options.openFileLimit - options.reservedFds;
  const cap = Math.max(1, Math.min(options.maxConnections, fdRoom));
  if (cap < options.maxConnections) {
    options.log.warn(
      { maxConnections: options.maxConnections, openFileLimit: options.openFileLimit, applied: cap },
      'the open-file limit is lower than WCAP_MAX_CONNECTIONS needs; accepting fewer connections (raise it with ulimit -n or LimitNOFILE)',
    );
  }
  server.maxConnections = cap;

  let dropped = 0;
  let lastWarning = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    dropped++;
    const now = options.now();
    if (now - lastWarning < DROP_WARNING_EVERY_MS) return;
    options.log.warn({ maxConnections: cap, dropped }, 'connection limit reached: new connections are closed at once');
    lastWarning = now;
    dropped = 0;
  });

  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, options.firstByteMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  return cap;
}

/** The soft limit on open files of this process (Linux), or undefined when it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!line || line[1] === 'unlimited') return undefined;
    return Number(line[1]);
  } catch {
    return undefined;
  }
}
