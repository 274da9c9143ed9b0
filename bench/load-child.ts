import http from 'node:http';
import { percentile, problemWith, redact, send } from './http.js';
import type { ChildMessage, LoadJob, LoadResult } from './load.js';

/** The load generator process started by bench/load.ts: one job per message, one answer back. */

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  // The measured period starts after the warm-up once every client has had an answer, so slow
  // answers (seconds, on big calendars) are measured in a steady state, not while the queue fills.
  const warmUntil = performance.now() + job.warmupMs;
  let measureFrom = Infinity;
  let measureTo = Infinity;
  let answered = 0;
  const latencies: number[] = [];
  let failure: string | undefined;
  const client = async (index: number) => {
    const spec = job.requests[index % job.requests.length]!;
    let first = true;
    while (failure === undefined && performance.now() < measureTo) {
      const start = performance.now();
      let problem: string | undefined;
      try {
        const answer = await send(agent, spec);
        problem = problemWith(spec.check, answer);
      } catch (err) {
        problem = (err as Error).message;
      }
      const end = performance.now();
      if (first && ++answered === job.connections) {
        measureFrom = Math.max(end, warmUntil);
        measureTo = measureFrom + job.durationMs;
      }
      first = false;
      if (problem) failure ??= `${spec.method ?? 'GET'} ${redact(spec.url)}: ${problem}`;
      else if (end >= measureFrom && end <= measureTo) latencies.push(end - start);
    }
  };
  try {
    await Promise.all(Array.from({ length: job.connections }, (_, i) => client(i)));
  } finally {
    agent.destroy();
  }
  if (failure !== undefined) throw new Error(failure);
  return {
    count: latencies.length,
    perSecond: latencies.length / (job.durationMs / 1000),
    p50: latencies.length > 0 ? percentile(latencies, 50) : null,
    p99: latencies.length > 0 ? percentile(latencies, 99) : null,
  };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ ok: true, result } satisfies ChildMessage),
    (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ChildMessage),
  );
});
process.on('disconnect', () => process.exit(0));
