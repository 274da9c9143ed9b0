import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { failureCount, formatFuzzReport, runFuzz } from '../../proof/fuzz.js';
import { startProofGateway, type ProofGateway } from '../../proof/proof-gateway.js';

/**
 * The CI slice of `npm run fuzz` (proof/fuzz.ts): a fixed seed and 2,500 requests over every
 * command against a real gateway on the shared Radicale and Redis, as the proof users fuzz1–fuzz3
 * (no other test reads their calendars). Any failure prints the request and how to replay it.
 */

const SEED = 20_261_203;
const REQUESTS = 2_500;

let proof: ProofGateway;
beforeAll(async () => {
  proof = await startProofGateway(inject('radicaleUrl'), inject('redisUrl'));
});
afterAll(() => proof.close());

it(`answers ${REQUESTS} fuzzed requests (seed ${SEED}) with 200, an errno and a parsable body, and keeps what it stored`, { timeout: 120_000 }, async () => {
  const all = inject('proofUsers');
  const users = Object.fromEntries(Object.entries(all).filter(([user]) => user.startsWith('fuzz')));
  const report = await runFuzz({
    gatewayUrl: proof.gateway.url,
    radicaleUrl: inject('radicaleUrl'),
    users,
    seed: SEED,
    maxRequests: REQUESTS,
    maxSeconds: 100,
    concurrency: 8,
    errorLines: proof.errorLines,
  });
  const text = formatFuzzReport(report);
  expect(failureCount(report), text).toBe(0);
  expect(report.requests).toBe(REQUESTS);
  // The slice must reach deep enough to mean something: every command, and stores that succeed.
  expect(report.perCommand.size, text).toBeGreaterThanOrEqual(25);
  expect(report.stored.checked, text).toBeGreaterThan(0);
  expect(report.stored.viaGateway, text).toBe(report.stored.checked);
  expect(report.stored.onRadicale, text).toBe(report.stored.checked);
});
