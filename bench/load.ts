import { fork, type ChildProcess } from 'node:child_process';
import { BenchError, type RequestSpec } from './http.js';

/**
 * Closed-loop load: `connections` clients, each sending its request again as soon as the previous
 * answer has arrived and been checked. Runs in a child process (bench/load-child.ts) so the
 * generator never shares the event loop or the RSS of the gateway under test.
 */

export interface LoadJob {
  /** Client i sends requests[i % requests.length]. */
  requests: RequestSpec[];
  connections: number;
  /** Answers before this much time has passed and every client has had one are checked but not counted. */
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  /** Answers completed inside the measured period (their latencies give p50/p99). */
  count: number;
  perSecond: number;
  /** null when no answer completed in the period. */
  p50: number | null;
  p99: number | null;
}

export type ChildMessage = { ok: true; result: LoadResult } | { ok: false; error: string };

export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadResult>;
  stop(): void;
}

export function startLoadGenerator(): LoadGenerator {
  // execArgv is inherited, so the child runs TypeScript through tsx like this process.
  const child: ChildProcess = fork(new URL('./load-child.ts', import.meta.url), { stdio: 'inherit' });
  let pending: { resolve: (r: LoadResult) => void; reject: (e: Error) => void } | undefined;
  child.on('message', (message: ChildMessage) => {
    const waiting = pending;
    pending = undefined;
    if (message.ok) waiting?.resolve(message.result);
    else waiting?.reject(new BenchError(`load generator: ${message.error}`));
  });
  child.on('exit', (code) => {
    pending?.reject(new BenchError(`load generator exited with ${code}`));
    pending = undefined;
  });
  return {
    run(job) {
      if (pending) return Promise.reject(new Error('one load job at a time'));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send(job);
      });
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}
