/**
 * `npm run fuzz`: generated WCAP requests over every command against the real gateway, on Radicale
 * and Redis started like the benchmark does (Debian binaries on loopback, test/support/services.ts).
 * See proof/fuzz.ts for the checks. Exit 1 on any failure.
 *
 *   npm run fuzz [-- --requests 100000] [--seconds 1800] [--seed N] [--concurrency 8] [--users 4]
 *
 * Without --seed a random seed is drawn and printed; the same seed sends the same requests.
 * WCAP_* variables of the environment reach the gateway's config (except WCAP_HOST, WCAP_PORT,
 * WCAP_CALDAV_URL, WCAP_REDIS_URL, WCAP_SECRET, which the run sets); it logs at warn level.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { numbered } from '../test/support/services.js';
import { failureCount, formatFuzzReport, runFuzz } from './fuzz.js';
import { startProofEnvironment } from './proof-gateway.js';
import { positive } from './cli-options.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string' },
      seconds: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      users: { type: 'string' },
    },
  });
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer: ${values.seed}`);
  const maxRequests = positive(values.requests, 100_000, '--requests');
  const maxSeconds = positive(values.seconds, 3_600, '--seconds');
  const concurrency = positive(values.concurrency, 8, '--concurrency');
  const users = Object.fromEntries(numbered('fuzz', positive(values.users, 4, '--users'), 1).map((u) => [u, `${u}-fuzz-pw`]));

  console.log(`wcap-gateway fuzz, ${new Date().toISOString()}, ${os.availableParallelism()} cores, Node ${process.version}`);
  console.log(`seed ${seed} (replay with --seed ${seed}); up to ${maxRequests} requests or ${maxSeconds} s; ${concurrency} in flight; users ${Object.keys(users).join(', ')}`);
  const env = await startProofEnvironment(users, (line) => console.log(line));
  try {
    const passed = Object.entries(env.passedThrough).map(([k, v]) => `${k}=${v}`);
    console.log(`gateway ${env.proof.gateway.url}; WCAP_* from the environment: ${passed.length > 0 ? passed.join(' ') : 'none'}`);
    const report = await runFuzz({
      gatewayUrl: env.proof.gateway.url,
      radicaleUrl: env.services.radicaleUrl,
      users,
      seed,
      maxRequests,
      maxSeconds,
      concurrency,
      errorLines: env.proof.errorLines,
      progress: (line) => console.log(line),
    });
    console.log(`\n${formatFuzzReport(report)}`);
    return failureCount(report) === 0 ? 0 : 1;
  } finally {
    await env.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('\nFUZZ ABORTED:', err);
    process.exit(2);
  },
);
