/**
 * Runs at most one task per key at a time and lets callers share a task — but only one that
 * started after they asked. A caller arriving while a task runs waits for the next one, which
 * starts as soon as the running one ends and serves everyone who arrived meanwhile. So sharing
 * never hands out an answer older than the question: a change made before a caller's request is
 * always seen by the task that answers it (the calendar cache's "no stale read" rule,
 * docs/architecture.md#calendar-cache), while N concurrent callers cost at most two tasks.
 */
export class GroupCommit<V> {
  private readonly slots = new Map<string, Slot<V>>();

  /** Number of keys with a running task (for tests and metrics). */
  get running(): number {
    return this.slots.size;
  }

  run(key: string, task: () => Promise<V>): Promise<V> {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot<V> = {};
      this.slots.set(key, fresh);
      return this.start(key, fresh, task);
    }
    if (!slot.next) {
      let resolve!: (value: V) => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<V>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      slot.next = { promise, resolve, reject, task };
    }
    return slot.next.promise;
  }

  private start(key: string, slot: Slot<V>, task: () => Promise<V>): Promise<V> {
    let running: Promise<V>;
    try {
      running = task();
    } catch (err) {
      running = Promise.reject(err);
    }
    const settle = () => {
      const next = slot.next;
      if (!next) {
        this.slots.delete(key);
        return;
      }
      slot.next = undefined;
      this.start(key, slot, next.task).then(next.resolve, next.reject);
    };
    running.then(settle, settle);
    return running;
  }
}

interface Slot<V> {
  next?: { promise: Promise<V>; resolve: (value: V) => void; reject: (err: unknown) => void; task: () => Promise<V> };
}
