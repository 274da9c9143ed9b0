import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startProofGateway, type ProofGateway } from '../../proof/proof-gateway.js';
import { formatSoakReport, problemCount, runSoak } from '../../proof/soak.js';

/**
 * The CI version of `npm run soak` (proof/soak.ts): one minute of Lightning's mix from 8
 * simulated clients (proof users soak01–soak08, whose calendars no other test reads), then every
 * calendar on Radicale must hold exactly what the gateway acknowledged. The RSS table is printed
 * on failure; its verdict is for the full 10-minute run (one minute is mostly warm-up).
 */

const SEED = 20_261_203;

let proof: ProofGateway;
beforeAll(async () => {
  proof = await startProofGateway(inject('radicaleUrl'), inject('redisUrl'));
});
afterAll(() => proof.close());

it('loses and duplicates nothing under a minute of 8 Lightning clients, with no unexpected errno', { timeout: 150_000 }, async () => {
  const users = Object.fromEntries(Object.entries(inject('proofUsers')).filter(([user]) => user.startsWith('soak')));
  const report = await runSoak({
    gatewayUrl: proof.gateway.url,
    radicaleUrl: inject('radicaleUrl'),
    users,
    seconds: 60,
    seed: SEED,
    thinkMs: 300,
    sampleSeconds: 5,
    errorLines: proof.errorLines,
  });
  const text = formatSoakReport(report);
  expect(problemCount(report), text).toBe(0);
  // The mix really ran: every kind of write was acknowledged and checked on Radicale.
  expect(report.ledger.items, text).toBeGreaterThan(0);
  expect(report.ledger.overrides + report.ledger.exdates, text).toBeGreaterThan(0);
  expect(report.ledger.splits, text).toBeGreaterThan(0);
  expect(report.ledger.deletes, text).toBeGreaterThan(0);
});
