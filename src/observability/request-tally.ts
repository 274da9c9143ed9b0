import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/** What the request log counts while one WCAP request runs. */
export interface RequestTally {
  /** CalDAV requests sent on this request's behalf. */
  caldavRequests: number;
  /** The request's logger (with its reqId), for lines written below the pipeline (the CalDAV exchange lines). */
  log?: Logger;
}

/**
 * The tally of the WCAP request whose async context is current (AsyncLocalStorage): app.ts runs each
 * command inside `run`, and the CalDAV fetch wrapper counts into whichever tally is current. Work
 * that is no request's — background snapshot builds, which run in the context the gateway started
 * in (calendars/background-builds.ts) — finds no tally and counts nowhere. A validation shared by
 * concurrent requests (calendars/group-commit.ts) counts for the request that sent it.
 */
export class RequestTallies {
  private readonly storage = new AsyncLocalStorage<RequestTally>();

  /** Runs `work` with a fresh tally current; returns both. */
  async run<T>(work: () => Promise<T>, log?: Logger): Promise<{ result: T; tally: RequestTally }> {
    const tally: RequestTally = { caldavRequests: 0, ...(log ? { log } : {}) };
    const result = await this.storage.run(tally, work);
    return { result, tally };
  }

  /** The logger of the WCAP request whose context is current, if any. */
  currentLog(): Logger | undefined {
    return this.storage.getStore()?.log;
  }

  countCaldavRequest(): void {
    const tally = this.storage.getStore();
    if (tally) tally.caldavRequests += 1;
  }
}
