/**
 * `npm run soak`: simulated Lightning clients against the real gateway on Radicale and Redis
 * (Debian binaries on loopback, as the benchmark), one proof user each; see proof/soak.ts.
 * Exit 1 when anything acknowledged was lost or duplicated, or an unexpected errno appeared.
 *
 *   npm run soak [-- --clients 50] [--minutes 10] [--seed N] [--think-ms 500] [--sample-seconds 30]
 *
 * WCAP_* variables of the environment reach the gateway's config, as for `npm run fuzz`.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { numbered } from '../test/support/services.js';
import { positive } from './cli-options.js';
import { startProofEnvironment } from './proof-gateway.js';
import { formatSoakReport, problemCount, runSoak } from './soak.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      minutes: { type: 'string' },
      seed: { type: 'string' },
      'think-ms': { type: 'string' },
      'sample-seconds': { type: 'string' },
    },
  });
  const clients = positive(values.clients, 50, '--clients');
  const minutes = positive(values.minutes, 10, '--minutes');
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer: ${values.seed}`);
  const thinkMs = positive(values['think-ms'], 500, '--think-ms');
  const sampleSeconds = positive(values['sample-seconds'], Math.max(5, Math.round((minutes * 60) / 20)), '--sample-seconds');
  const users = Object.fromEntries(numbered('soak', clients, 2).map((u) => [u, `${u}-soak-pw`]));

  console.log(`wcap-gateway soak, ${new Date().toISOString()}, ${os.availableParallelism()} cores, Node ${process.version}`);
  console.log(`${clients} clients × ${minutes} min, seed ${seed}, think time ${thinkMs} ms on average, RSS sampled every ${sampleSeconds} s`);
  const env = await startProofEnvironment(users, (line) => console.log(line));
  try {
    const passed = Object.entries(env.passedThrough).map(([k, v]) => `${k}=${v}`);
    console.log(`gateway ${env.proof.gateway.url}; WCAP_* from the environment: ${passed.length > 0 ? passed.join(' ') : 'none'}`);
    const report = await runSoak({
      gatewayUrl: env.proof.gateway.url,
      radicaleUrl: env.services.radicaleUrl,
      users,
      seconds: minutes * 60,
      seed,
      thinkMs,
      sampleSeconds,
      errorLines: env.proof.errorLines,
      progress: (line) => console.log(line),
    });
    console.log(`\n${formatSoakReport(report)}`);
    return problemCount(report) === 0 ? 0 : 1;
  } finally {
    await env.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('\nSOAK ABORTED:', err);
    process.exit(2);
  },
);
