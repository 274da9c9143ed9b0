import type { GatewayMetrics } from './metrics.js';
import type { RequestTallies } from './request-tally.js';

/**
 * The fetch the CalDAV backend uses, counted: each exchange goes into the metrics (method, status or
 * `error`, latency) and into the tally of the WCAP request it serves. `inner` is the pooled fetch,
 * which reads the whole answer before resolving, so the latency covers the answer's body too.
 */
export function observedFetch(inner: typeof fetch, metrics: GatewayMetrics, tallies: RequestTallies): typeof fetch {
  return async (input, init) => {
    tallies.countCaldavRequest();
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const response = await inner(input, init);
      metrics.caldavRequest(method, response.status, seconds());
      return response;
    } catch (err) {
      metrics.caldavRequest(method, undefined, seconds());
      throw err;
    }
  };
}
