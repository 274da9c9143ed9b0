import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/calendars/group-commit.js';

/** A task whose completion the test controls, counting how often it was started. */
function controlledTasks() {
  const runs: Array<{ resolve: (v: number) => void; reject: (e: unknown) => void }> = [];
  const task = () =>
    new Promise<number>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { runs, task };
}

/** Lets pending promise callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit: shared work that is never older than the question', () => {
  it('a caller arriving while a task runs waits for the next one, shared with everyone who arrived meanwhile', async () => {
    const group = new GroupCommit<number>();
    const { runs, task } = controlledTasks();
    const first = group.run('k', task);
    const second = group.run('k', task);
    const third = group.run('k', task);
    expect(runs).toHaveLength(1);
    runs[0]!.resolve(1);
    expect(await first).toBe(1);
    await settle();
    // The answer the first task produced was asked for before the others arrived: they get a new one.
    expect(runs).toHaveLength(2);
    runs[1]!.resolve(2);
    expect([await second, await third]).toEqual([2, 2]);
    expect(group.running).toBe(0);
  });

  it('keys are independent', async () => {
    const group = new GroupCommit<number>();
    const { runs, task } = controlledTasks();
    const a = group.run('a', task);
    const b = group.run('b', task);
    expect(runs).toHaveLength(2);
    runs[0]!.resolve(10);
    runs[1]!.resolve(20);
    expect([await a, await b]).toEqual([10, 20]);
  });

  it('a failure reaches the callers of that task only; the next caller starts afresh', async () => {
    const group = new GroupCommit<number>();
    const { runs, task } = controlledTasks();
    const failing = group.run('k', task);
    const waiting = group.run('k', task);
    runs[0]!.reject(new Error('upstream down'));
    await expect(failing).rejects.toThrow('upstream down');
    await settle();
    runs[1]!.resolve(7);
    expect(await waiting).toBe(7);
    const later = group.run('k', task);
    expect(runs).toHaveLength(3);
    runs[2]!.resolve(8);
    expect(await later).toBe(8);
  });

  it('a task that throws synchronously fails its callers instead of the caller of run', async () => {
    const group = new GroupCommit<number>();
    await expect(
      group.run('k', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(group.running).toBe(0);
  });
});
