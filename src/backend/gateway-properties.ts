import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { clark, DAV_NS, succeeded } from './multistatus.js';
import { renderXml, type XmlNode } from './xml-writer.js';

/**
 * The gateway's own WebDAV namespace for dead properties it keeps on the CalDAV server
 * (docs/caldav-servers.md#dead-properties): text values, which every server stores as given.
 */
export const GATEWAY_NS = 'urn:x-wcap-gateway:ns';

/** Local names a property may have: one XML name without a prefix. */
const LOCAL_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** Throws GatewayError 'invalid' for a name that is not one plain XML local name. */
export function checkNames(names: readonly string[]): void {
  for (const name of names) if (!LOCAL_NAME.test(name)) throw new GatewayError('invalid', `unusable property name ${JSON.stringify(name.slice(0, 40))}`);
}

const node = (name: string, children?: Array<XmlNode | string>): XmlNode => ({ name, ...(children ? { children } : {}) });

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
  const body = renderXml(node('D:propfind', [node('D:prop', names.map((n) => node(`G:${n}`)))]), { D: DAV_NS, G: GATEWAY_NS });
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
 * One PROPPATCH of `url` setting (string) or removing (null) gateway properties. RFC 4918 §9.2: all
 * or nothing, so any property answered with a failure status means none was written; a refusal
 * (403, also inside the 207) is 'forbidden', a failure of the whole request maps by its status
 * (404: 'not-found'), and a property the server will not store (Xandikos 0.2.8: 404 per property,
 * docs/caldav-servers.md#xandikos-028) is 'invalid', naming the property, as for a calendar's
 * properties (calendar-changes.ts): the commands answer it with their own errno.
 */
export async function writeGatewayProperties(
  http: DavTransport,
  credentials: BackendCredentials,
  url: string,
  values: Readonly<Record<string, string | null>>,
): Promise<void> {
  const entries = Object.entries(values);
  checkNames(entries.map(([name]) => name));
  const set = entries.filter(([, v]) => v !== null).map(([name, v]) => node(`G:${name}`, [v as string]));
  const remove = entries.filter(([, v]) => v === null).map(([name]) => node(`G:${name}`));
  const children = [
    ...(set.length > 0 ? [node('D:set', [node('D:prop', set)])] : []),
    ...(remove.length > 0 ? [node('D:remove', [node('D:prop', remove)])] : []),
  ];
  if (children.length === 0) return;
  const body = renderXml(node('D:propertyupdate', children), { D: DAV_NS, G: GATEWAY_NS });
  const action = `PROPPATCH ${pathOf(url)}`;
  const answer = await http.request(credentials, 'PROPPATCH', url, { headers: { 'Content-Type': XML_CONTENT_TYPE }, body });
  if (answer.status === 200 || answer.status === 204) return;
  for (const response of readMultistatus(answer, action, credentials)) {
    if (response.status !== undefined && response.status >= 300) throw statusError({ status: response.status, body: '' }, action, credentials, { 409: 'backend' });
    // 424 (failed dependency) marks the properties not written because another one failed.
    const failed = [...response.failedProps.entries()].find(([, status]) => status >= 300 && status !== 424);
    if (failed === undefined) continue;
    const [prop, status] = failed;
    if (status === 401 || status === 403) throw statusError({ status, body: '' }, action, credentials);
    const name = prop.slice(prop.indexOf('}') + 1);
    throw new GatewayError('invalid', `The CalDAV server does not store the gateway property ${name} of ${pathOf(url)} (HTTP ${status}); nothing was changed`, { status, exchange: answer.exchange });
  }
}
