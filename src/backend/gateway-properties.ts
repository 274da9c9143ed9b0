import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE, propfindBody } from './dav-bodies.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { clark, GATEWAY_NS, succeeded } from './multistatus.js';
import { proppatch } from './proppatch.js';

/** Local names a property may have: one XML name without a prefix. */
const LOCAL_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** Throws GatewayError 'invalid' for a name that is not one plain XML local name. */
export function checkNames(names: readonly string[]): void {
  for (const name of names) if (!LOCAL_NAME.test(name)) throw new GatewayError('invalid', `unusable property name ${JSON.stringify(name.slice(0, 40))}`);
}

/**
 * One Depth 0 PROPFIND of `url` for the gateway properties `names`. Returns the ones the collection
 * has (a property reported 404 is absent). Throws like every backend call: 'forbidden' (403),
 * 'not-found' (404 on the collection), 'unauthorized', 'unavailable', 'backend'.
 */
export async function readGatewayProperties(
  http: DavTransport,
  credentials: BackendCredentials,
  url: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  checkNames(names);
  const body = propfindBody(names.map((name) => `W:${name}`));
  const answer = await http.request(credentials, 'PROPFIND', url, { headers: { Depth: '0', 'Content-Type': XML_CONTENT_TYPE }, body });
  const found: Record<string, string> = {};
  for (const response of readMultistatus(answer, `PROPFIND ${pathOf(url)}`, credentials)) {
    if (!succeeded(response)) continue;
    for (const name of names) {
      const prop = response.props.get(clark(GATEWAY_NS, name));
      if (prop !== undefined) found[name] = prop.text;
    }
  }
  return found;
}

/**
 * One PROPPATCH of `url` setting (string) or removing (null) gateway properties, all or nothing
 * (proppatch.ts). A property the server will not store (Xandikos 0.2.8, docs/caldav-servers.md#xandikos-028)
 * is 'invalid', naming it: the commands answer it with their own errno.
 */
export async function writeGatewayProperties(
  http: DavTransport,
  credentials: BackendCredentials,
  url: string,
  values: Readonly<Record<string, string | null>>,
): Promise<void> {
  const entries = Object.entries(values);
  checkNames(entries.map(([name]) => name));
  const changes = entries.map(([name, text]) => ({ prop: `W:${name}`, text }));
  await proppatch(http, credentials, url, changes, { what: 'gateway property', missing: 'not-found' });
}
