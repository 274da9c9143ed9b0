import { AsyncResource } from 'node:async_hooks';

export interface BackgroundBuildsOptions {
  /** Most builds running at once (each is a full listing of one calendar on the CalDAV server). */
  concurrency: number;
  /** Most builds waiting; beyond it a request to build is dropped (the next read asks again). */
  maxQueued: number;
  /** Told about a build that failed (it changes nothing: the calendar is read with plain queries). */
  onError: (err: unknown) => void;
}

/**
 * Snapshot builds taken off the request path (docs/architecture.md#calendar-cache). Building a
 * snapshot lists a whole calendar, which on a large calendar costs many times the range query the
 * user is waiting for (Radicale 3.1.8 also writes a history entry per item on a collection's first
 * sync). A request therefore never waits for a build it does not need: it is answered with a
 * plain query and the build runs here, one per calendar at most and a few at once, so that a
 * crowd of new calendars (a restarted gateway, a Monday morning) cannot swamp the server.
 */
export class BackgroundBuilds {
  private readonly queued = new Map<string, () => Promise<void>>();
  private readonly running = new Set<string>();
  private waiters: Array<() => void> = [];
  private closed = false;
  /**
   * The async context the builds were created in (the gateway's start). Jobs run in it, not in the
   * context of the request that asked for them: a build is no request's work, and per-request
   * bookkeeping (the request log's CalDAV request count) must not see its requests.
   */
  private readonly home = new AsyncResource('BackgroundBuilds');

  constructor(private readonly options: BackgroundBuildsOptions) {}

  /** Asks for `job` to run for `key`; false when it is already queued or running, or the queue is full. */
  schedule(key: string, job: () => Promise<void>): boolean {
    if (this.closed || this.queued.has(key) || this.running.has(key) || this.queued.size >= this.options.maxQueued) return false;
    this.queued.set(key, job);
    // After the current request has sent its own query: the build must not get ahead of it.
    setImmediate(() => this.home.runInAsyncScope(() => this.startNext()));
    return true;
  }

  /** Resolves once nothing is queued or running (at once when that is already so). */
  idle(): Promise<void> {
    if (this.queued.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what is queued, refuses new builds and waits for the running ones to end. */
  close(): Promise<void> {
    this.closed = true;
    this.queued.clear();
    return this.idle();
  }

  private startNext(): void {
    while (this.running.size < this.options.concurrency && this.queued.size > 0) {
      const [key, job] = this.queued.entries().next().value!;
      this.queued.delete(key);
      this.running.add(key);
      void job()
        .catch((err: unknown) => this.options.onError(err))
        .finally(() => {
          this.running.delete(key);
          this.startNext();
          this.settle();
        });
    }
    this.settle();
  }

  private settle(): void {
    if (this.queued.size > 0 || this.running.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
