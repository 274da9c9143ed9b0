import { describe, expect, it } from 'vitest';
import { BackgroundBuilds } from '../../src/calendars/background-builds.js';

/** A job that runs until the test releases it. */
function gate() {
  let release!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { job: () => done, release, fail };
}

const started = (log: string[], key: string, wait: Promise<void>) => async () => {
  log.push(key);
  await wait;
};

/** Lets queued work start (BackgroundBuilds starts jobs on the next turn of the event loop). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BackgroundBuilds', () => {
  it('runs at most `concurrency` builds at once and starts the next as one ends', async () => {
    const builds = new BackgroundBuilds({ concurrency: 2, maxQueued: 10, onError: () => undefined });
    const gates = [gate(), gate(), gate()];
    const log: string[] = [];
    gates.forEach((g, i) => builds.schedule(`cal${i}`, started(log, `cal${i}`, g.job())));
    await turn();
    expect(log).toEqual(['cal0', 'cal1']);
    gates[0]!.release();
    await turn();
    expect(log).toEqual(['cal0', 'cal1', 'cal2']);
    gates[1]!.release();
    gates[2]!.release();
    await builds.idle();
  });

  it('builds a calendar once while it is queued or running, and again once it is done', async () => {
    const builds = new BackgroundBuilds({ concurrency: 1, maxQueued: 10, onError: () => undefined });
    const first = gate();
    expect(builds.schedule('cal', first.job)).toBe(true);
    expect(builds.schedule('cal', first.job)).toBe(false);
    await turn();
    expect(builds.schedule('cal', first.job)).toBe(false);
    first.release();
    await builds.idle();
    expect(builds.schedule('cal', async () => undefined)).toBe(true);
    await builds.idle();
  });

  it('drops requests beyond the queue bound', async () => {
    const builds = new BackgroundBuilds({ concurrency: 1, maxQueued: 2, onError: () => undefined });
    expect([1, 2, 3].map((i) => builds.schedule(`cal${i}`, async () => undefined))).toEqual([true, true, false]);
    await builds.idle();
  });

  it('reports a failed build and carries on with the next', async () => {
    const errors: unknown[] = [];
    const builds = new BackgroundBuilds({ concurrency: 1, maxQueued: 10, onError: (err) => errors.push(err) });
    const log: string[] = [];
    builds.schedule('bad', async () => {
      throw new Error('server said 403');
    });
    builds.schedule('good', started(log, 'good', Promise.resolve()));
    await builds.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['server said 403']);
    expect(log).toEqual(['good']);
  });

  it('on close drops what is queued, waits for what runs and accepts nothing more', async () => {
    const builds = new BackgroundBuilds({ concurrency: 1, maxQueued: 10, onError: () => undefined });
    const running = gate();
    const log: string[] = [];
    builds.schedule('a', started(log, 'a', running.job()));
    builds.schedule('b', started(log, 'b', Promise.resolve()));
    await turn();
    let closed = false;
    const closing = builds.close().then(() => (closed = true));
    await turn();
    expect(closed).toBe(false);
    running.release();
    await closing;
    expect(log).toEqual(['a']);
    expect(builds.schedule('c', async () => undefined)).toBe(false);
  });

  it('is idle at once when nothing was asked', async () => {
    const builds = new BackgroundBuilds({ concurrency: 1, maxQueued: 1, onError: () => undefined });
    await expect(builds.idle()).resolves.toBeUndefined();
  });
});
