import { describe, expect, it } from 'vitest';
import { QueryBreaker } from '../../src/calendars/query-breaker.js';
import { GatewayError } from '../../src/model/errors.js';

/** The per-calendar breaker of whole-calendar queries (calendars/query-breaker.ts), on a fixed clock. */
const A = 'http://dav.test/alice/calendar/';
const B = 'http://dav.test/alice/work/';

function setup() {
  let now = 1_000_000;
  const clock = { now: () => now };
  const breaker = new QueryBreaker({ failures: 3, coolDownMs: 30_000, maxCoolDownMs: 100_000, clock });
  let calls = 0;
  const timeout = () => {
    calls++;
    const cause = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    return Promise.reject(new GatewayError('unavailable', 'CalDAV server did not answer REPORT /alice/calendar/: no answer within 300 ms', { cause }));
  };
  const ok = () => {
    calls++;
    return Promise.resolve('answer');
  };
  const refused = () => {
    calls++;
    return Promise.reject(new GatewayError('unavailable', 'CalDAV server did not answer REPORT: connection refused'));
  };
  return { breaker, advance: (ms: number) => (now += ms), calls: () => calls, timeout, ok, refused };
}

const message = (promise: Promise<unknown>) => promise.then(() => 'resolved', (err: Error) => err.message);

describe('QueryBreaker', () => {
  it('after three time-outs in a row refuses the calendar at once, without asking the server', async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) expect(await message(t.breaker.run(A, t.timeout))).toContain('no answer within 300 ms');
    expect(await message(t.breaker.run(A, t.ok))).toBe('The CalDAV server kept timing out on this calendar; it is not asked again for 30 s');
    expect(t.calls()).toBe(3);
    // Another calendar is not affected.
    expect(await t.breaker.run(B, t.ok)).toBe('answer');
  });

  it('lets one query try after the cool-down; its success closes the breaker', async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) await message(t.breaker.run(A, t.timeout));
    t.advance(30_000);
    let finish: (v: string) => void = () => undefined;
    const probe = t.breaker.run(A, () => new Promise<string>((resolve) => (finish = resolve)));
    // While the probe runs, the others are still refused.
    expect(await message(t.breaker.run(A, t.ok))).toContain('not asked again');
    finish('probe answer');
    expect(await probe).toBe('probe answer');
    expect(await t.breaker.run(A, t.ok)).toBe('answer');
  });

  it('doubles the cool-down while the probe times out, up to the longest', async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) await message(t.breaker.run(A, t.timeout));
    const cooldowns: string[] = [];
    for (const wait of [30_000, 60_000, 100_000]) {
      t.advance(wait);
      await message(t.breaker.run(A, t.timeout));
      cooldowns.push(await message(t.breaker.run(A, t.ok)));
    }
    expect(cooldowns).toEqual([
      'The CalDAV server kept timing out on this calendar; it is not asked again for 60 s',
      'The CalDAV server kept timing out on this calendar; it is not asked again for 100 s',
      'The CalDAV server kept timing out on this calendar; it is not asked again for 100 s',
    ]);
  });

  it('counts only time-outs: quick refusals and answers in between do not open it', async () => {
    const t = setup();
    await message(t.breaker.run(A, t.timeout));
    await message(t.breaker.run(A, t.timeout));
    await message(t.breaker.run(A, t.refused));
    await message(t.breaker.run(A, t.refused));
    expect(await t.breaker.run(A, t.ok)).toBe('answer');
    // The answer reset the count: two more time-outs do not open it either.
    await message(t.breaker.run(A, t.timeout));
    await message(t.breaker.run(A, t.timeout));
    expect(await t.breaker.run(A, t.ok)).toBe('answer');
  });
});
