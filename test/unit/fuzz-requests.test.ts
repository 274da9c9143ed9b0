import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandRegistry } from '../../src/commands/index.js';
import { planArb, resolvePlan, type FuzzState } from '../../proof/fuzz-requests.js';

/** The fuzz suite derives its values from each parameter's declared shape (src/wcap/params.ts). */

const state: FuzzState = {
  users: ['fuzz1', 'fuzz2'],
  passwords: { fuzz1: 'pw1', fuzz2: 'pw2' },
  sessionOf: (user, ending) => `${ending ? 'spare' : 'live'}${user}`.padEnd(32, 'x'),
  endedSessions: [],
  stored: [{ uid: 'stored-uid', dtstart: '20260101T100000Z' }],
  fallbackUid: (n) => `fallback-${n}`,
};

describe('fuzz requests', () => {
  it('every parameter of every command declares its shape', () => {
    const missing = [...commandRegistry.values()].flatMap((command) =>
      Object.entries(command.params).filter(([, spec]) => spec.shape === undefined).map(([name]) => `${command.name}.${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('the same seed gives the same requests, and a sample reaches every command', () => {
    const plans = fc.sample(planArb(), { seed: 42, numRuns: 3_000 });
    expect(fc.sample(planArb(), { seed: 42, numRuns: 3_000 })).toEqual(plans);
    const resolved = plans.map((plan) => resolvePlan(plan, state));
    const labels = new Set(resolved.map((r) => r.label));
    for (const name of commandRegistry.keys()) expect(labels).toContain(name);
    expect(labels).toContain('(unknown command)');
    expect(labels).toContain('(odd path)');
    expect(new Set(resolved.map((r) => r.request.method))).toEqual(new Set(['GET', 'POST']));
    // Clean store requests carry a live session and a calid of the same user.
    expect(resolved.some((r) => r.label === 'storeevents' && /id=livefuzz1/.test(r.request.path) && /calid=fuzz1(&|$)/.test(r.request.path))).toBe(true);
    // Request lines stay under the gateway's 1 MB header limit.
    expect(Math.max(...resolved.map((r) => r.request.path.length))).toBeLessThanOrEqual(1_000_000);
  });
});
