import { describe, expect, it } from 'vitest';
import { Readiness, reasonOf, type DependencyProbe } from '../../src/observability/readiness.js';

/** A probe that answers when the test says so, counting how often it was asked. */
function controlledProbe(name: string) {
  const pending: Array<{ resolve: () => void; reject: (err: unknown) => void; signal: AbortSignal }> = [];
  const probe: DependencyProbe & { asked: () => number; settle: (err?: unknown) => void; signals: () => AbortSignal[] } = {
    name,
    probe: (signal) => new Promise<void>((resolve, reject) => pending.push({ resolve, reject, signal })),
    asked: () => pending.length,
    signals: () => pending.map((p) => p.signal),
    settle(err) {
      for (const p of pending) {
        if (err === undefined) p.resolve();
        else p.reject(err);
      }
    },
  };
  return probe;
}

const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5232'), { code: 'ECONNREFUSED' }) });

describe('Readiness', () => {
  it('is ready when every probe answers', async () => {
    const redis = controlledProbe('redis');
    const caldav = controlledProbe('caldav');
    const readiness = new Readiness([redis, caldav], 10_000);
    const report = readiness.check();
    redis.settle();
    caldav.settle();
    expect(await report).toEqual({ ready: true, problems: [] });
  });

  it('names each dependency that failed, with a short reason, in probe order', async () => {
    const redis = controlledProbe('redis');
    const caldav = controlledProbe('caldav');
    const report = new Readiness([redis, caldav], 10_000).check();
    caldav.settle(refused);
    redis.settle(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(await report).toEqual({ ready: false, problems: ['redis: connection reset', 'caldav: connection refused'] });
  });

  it('gives up on a probe after the timeout and aborts its request', async () => {
    const hung = controlledProbe('caldav');
    const report = await new Readiness([hung], 20).check();
    expect(report).toEqual({ ready: false, problems: ['caldav: no answer within 20 ms'] });
    expect(hung.signals()[0]?.aborted).toBe(true);
  });

  it('shares the check in flight between concurrent callers, and runs a new one afterwards', async () => {
    const redis = controlledProbe('redis');
    const readiness = new Readiness([redis], 10_000);
    const reports = Array.from({ length: 50 }, () => readiness.check());
    expect(redis.asked()).toBe(1);
    redis.settle();
    expect(new Set(await Promise.all(reports)).size).toBe(1);
    const next = readiness.check();
    expect(redis.asked()).toBe(2);
    redis.settle();
    await next;
  });
});

describe('reasonOf', () => {
  it('prefers the connection error code, also from the cause', () => {
    expect(reasonOf(refused)).toBe('connection refused');
    expect(reasonOf(Object.assign(new Error('getaddrinfo ENOTFOUND radicale'), { code: 'ENOTFOUND' }))).toBe('host not found');
  });

  it('falls back to the first line of the message, bounded', () => {
    expect(reasonOf(new Error('not connected (reconnecting)\nstack'))).toBe('not connected (reconnecting)');
    expect(reasonOf(new Error('x'.repeat(500)))).toHaveLength(200);
    expect(reasonOf('plain')).toBe('plain');
  });
});
