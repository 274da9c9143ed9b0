import { RawParams } from '../../src/wcap/raw-params.js';
import { WcapError } from '../../src/wcap/wcap-error.js';

/** Parameters of a query string (`a=b&c=d`), kept raw as the pipeline receives them. */
export function rawOf(query: string): RawParams {
  const raw = new RawParams();
  raw.addQueryString(query);
  return raw;
}

/** The WcapError `run` throws; fails the test when it throws nothing or something else. */
export function errorOf(run: () => unknown): WcapError {
  try {
    run();
  } catch (err) {
    if (err instanceof WcapError) return err;
    throw err;
  }
  throw new Error('expected a WcapError, nothing was thrown');
}
