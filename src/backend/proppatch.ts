import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE, proppatchBody } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';

/** What a PROPPATCH changes: prefixed property names as in dav-bodies.ts; null text removes. */
export type PropertyChange = { prop: string; text: string | null };

/**
 * One PROPPATCH (RFC 4918 §9.2) of `url`, read strictly. RFC 4918 makes the server apply all of
 * the changes or none, so a property refused in the 207 answer fails the whole call: 'forbidden'
 * for 401/403, else 'invalid' naming the property (`what` says what kind of property, for the
 * message). Xandikos 0.2.8 refuses dead properties it does not know and, against RFC 4918, still
 * applies the others of the same request (docs/caldav-servers.md#xandikos-028): the message then
 * lists what was applied. A collection that does not exist is `missing`.
 */
export async function proppatch(
  http: DavTransport,
  credentials: BackendCredentials,
  url: string,
  changes: readonly PropertyChange[],
  options: { what: string; missing: 'no-calendar' | 'not-found' },
): Promise<void> {
  if (changes.length === 0) return;
  const action = `PROPPATCH ${pathOf(url)}`;
  const answer = await http.request(credentials, 'PROPPATCH', url, { headers: { 'Content-Type': XML_CONTENT_TYPE }, body: proppatchBody([...changes]) });
  if (answer.status === 200 || answer.status === 204) return;
  if (answer.status === 404 || answer.status === 410) {
    const message = options.missing === 'no-calendar' ? 'The calendar does not exist' : `CalDAV ${action}: the collection does not exist`;
    throw new GatewayError(options.missing, message, { status: answer.status, exchange: answer.exchange });
  }
  if (answer.status !== 207) throw statusError(answer, action, credentials, { 409: 'invalid', 400: 'invalid' });
  for (const response of readMultistatus(answer, action, credentials)) {
    // 424 (failed dependency) marks the properties not applied because another one was refused.
    const refused = [...response.failedProps.entries()].find(([, status]) => status >= 300 && status !== 424);
    if (refused) {
      const [prop, status] = refused;
      if (status === 401 || status === 403) throw statusError({ status, body: '' }, action, credentials);
      const name = prop.slice(prop.indexOf('}') + 1);
      const applied = response.props.size > 0 ? `; the server applied the others anyway (${[...response.props.keys()].map((p) => p.slice(p.indexOf('}') + 1)).join(', ')})` : '; nothing was changed';
      throw new GatewayError('invalid', `The CalDAV server does not store the ${options.what} ${name} (HTTP ${status})${applied}`, { status, exchange: answer.exchange });
    }
    if (response.status !== undefined && (response.status < 200 || response.status >= 300)) {
      throw statusError({ status: response.status, body: '' }, action, credentials, { 409: 'invalid', 404: options.missing });
    }
  }
}
