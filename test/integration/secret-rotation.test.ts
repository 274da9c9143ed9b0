import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Rotating WCAP_SECRET across replicas that share Redis (README, Rotating WCAP_SECRET): while both
 * secrets are accepted everywhere, a session opened on any replica keeps working on every other
 * one, so nobody is logged out; once the old secret is dropped, its sessions end (login again).
 */
const OLD = 'rotation-test-old-secret-0123456789';
const NEW = 'rotation-test-new-secret-0123456789';

describe('rotating WCAP_SECRET without logging anybody out', () => {
  let before: Harness;
  let step1: Harness;
  let step2: Harness;
  let after: Harness;
  beforeAll(async () => {
    [before, step1, step2, after] = await Promise.all([
      startHarness({ WCAP_SECRET: OLD }),
      startHarness({ WCAP_SECRET: OLD, WCAP_SECRET_ACCEPTED: NEW }),
      startHarness({ WCAP_SECRET: NEW, WCAP_SECRET_ACCEPTED: OLD }),
      startHarness({ WCAP_SECRET: NEW }),
    ]);
  });
  afterAll(() => Promise.all([before, step1, step2, after].map((h) => h.close())));

  // gettime needs a live session: errno 0 with one, 1 (login required) without.
  const works = async (h: Harness, id: string) => (await h.wcap('gettime', `id=${id}&fmt-out=text%2Fxml`)).errno;

  it('a session from before the rotation works on replicas of both steps', async () => {
    const id = await before.login('dave');
    expect(await works(step1, id)).toBe(0);
    expect(await works(step2, id)).toBe(0);
  });

  it('a session opened during step 2 (sealed with the new secret) works on a replica still in step 1', async () => {
    const id = await step2.login('dave');
    expect(await works(step1, id)).toBe(0);
    expect(await works(after, id)).toBe(0);
  });

  it('after the rotation, a session sealed with the old secret ends: errno 1, the client logs in again', async () => {
    const id = await step1.login('dave');
    expect(await works(after, id)).toBe(1);
  });
});
