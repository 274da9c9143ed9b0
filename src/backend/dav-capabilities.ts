import type { BackendCredentials } from '../model/session.js';
import { DavTransport } from './dav-transport.js';

/** What a server's OPTIONS answer says about it. */
export interface DavCapabilities {
  /** HTTP status of the answer (the last one, when a login was needed). */
  status: number;
  /** DAV compliance classes in the server's order, e.g. `1`, `calendar-access`. */
  classes: string[];
}

/** Most classes kept: a server's DAV header is short, this bounds a hostile one. */
const MAX_CLASSES = 40;
/** Used for the unauthenticated request: no Authorization header is sent. */
const ANONYMOUS: BackendCredentials = { user: '', password: '' };

/**
 * Asks a server for its DAV compliance classes with OPTIONS on `url` (RFC 4918 section 10.1; a
 * CalDAV server lists `calendar-access`, RFC 4791 section 5.1, and `calendar-auto-schedule` when it
 * delivers invitations, RFC 6638 section 2). Unauthenticated first, as a readiness probe would;
 * when the server answers 401 and `credentials` are given, again with them.
 * @throws GatewayError 'unavailable' when the server does not answer within `timeoutMs`.
 */
export async function discoverCapabilities(
  url: string,
  options: { timeoutMs: number; credentials?: BackendCredentials; fetch?: typeof fetch },
): Promise<DavCapabilities> {
  const transport = new DavTransport(options.timeoutMs, options.fetch);
  let answer = await transport.exchange(ANONYMOUS, 'OPTIONS', url, (extras) => transport.fetch(url, { method: 'OPTIONS', ...extras.init }));
  if (answer.status === 401 && options.credentials) answer = await transport.request(options.credentials, 'OPTIONS', url);
  const classes = (answer.headers.get('dav') ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .slice(0, MAX_CLASSES);
  return { status: answer.status, classes };
}
