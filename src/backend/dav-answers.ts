import type { StoredObject } from '../model/calendar.js';
import { GatewayError, type GatewayErrorKind, messageOf } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { statusError, unreadableAnswer } from './dav-errors.js';
import { pathOf, type DavAnswer } from './dav-transport.js';
import { CALDAV_NS, DAV_NS, clark, parseMultistatusDocument, parseStatusLine, type DavResponse, type Multistatus } from './multistatus.js';
import { childOf, childrenOf, parseXml } from './xml-reader.js';
import { resolveHref } from './object-urls.js';

/** Interpretation of answers shared by several backend calls. */

/** The responses of a 207 answer; any other status becomes the matching GatewayError. */
export function readMultistatus(answer: DavAnswer, action: string, credentials: BackendCredentials): DavResponse[] {
  return readMultistatusDocument(answer, action, credentials).responses;
}

/** A 207 answer, whole (responses and sync token); any other status becomes the matching GatewayError. */
export function readMultistatusDocument(answer: DavAnswer, action: string, credentials: BackendCredentials): Multistatus {
  if (answer.status !== 207) throw statusError(answer, action, credentials);
  try {
    return parseMultistatusDocument(answer.body);
  } catch (err) {
    throw unreadableAnswer(action, messageOf(err), credentials, answer.exchange);
  }
}

/**
 * Objects of a calendar-query answer. Entries with an error status, or whose calendar-data came
 * back in a failed propstat, are skipped: one unreadable object must not hide the others.
 */
export function readObjects(responses: DavResponse[], base: string): StoredObject[] {
  const objects: StoredObject[] = [];
  for (const response of responses) {
    if (response.status !== undefined && response.status >= 300) continue;
    const data = response.props.get(clark(CALDAV_NS, 'calendar-data'));
    if (!data || response.href === '') continue;
    const version = response.props.get(clark(DAV_NS, 'getetag'))?.text.trim() ?? '';
    objects.push({ url: resolveHref(response.href, base), version, ical: data.text });
  }
  return objects;
}

/**
 * Result of a PUT. Success: the stored object, with the ETag the server sent (Radicale 3.1.8 always
 * sends one, also on 201 for updates); without one the version is '' and a later update is
 * unconditional. The returned `ical` is the text sent; Radicale re-serialises what it stores
 * (property order), so a later GET may differ textually but not in content.
 */
export function readWriteAnswer(
  answer: DavAnswer,
  request: { url: string; ical: string; mode: 'create' | 'update' },
  credentials: BackendCredentials,
): StoredObject {
  const action = `PUT ${pathOf(request.url)}`;
  const create = request.mode === 'create';
  if (answer.status === 207) {
    // Xandikos 0.2.8 reports a UID conflict as 207 with a 412 inside (so the status looks "ok").
    const inner = innerFailure(readMultistatus(answer, action, credentials));
    if (inner !== undefined) {
      // The same 207/412 carries <C:valid-calendar-data/> for data it cannot parse (RFC 4791 §5.3.2.1).
      const refused = /valid-calendar-(data|object-resource)|supported-calendar-(data|component)/.test(answer.body);
      const kind: GatewayErrorKind = refused ? 'invalid' : inner === 412 || inner === 409 ? (create ? 'exists' : 'changed') : 'backend';
      throw new GatewayError(kind, `CalDAV ${action} answered 207 with status ${inner} inside`, { status: inner, exchange: answer.exchange });
    }
  } else if (answer.status < 200 || answer.status >= 300) {
    // Radicale 3.1.8 answers 409 for two cases: <C:no-uid-conflict/> (another resource holds the
    // UID) and "Conflict in the request." when the calendar collection does not exist.
    const uidConflict = answer.status === 409 && answer.body.includes('no-uid-conflict');
    throw statusError(answer, action, credentials, {
      409: uidConflict ? 'exists' : create ? 'not-found' : 'changed',
      412: create ? 'exists' : 'changed',
      404: create ? 'not-found' : 'changed',
      410: create ? 'not-found' : 'changed',
      400: 'invalid',
      413: 'invalid',
      415: 'invalid',
      422: 'invalid',
    });
  }
  return { url: request.url, version: answer.headers.get('etag') ?? '', ical: request.ical };
}

function innerFailure(responses: DavResponse[]): number | undefined {
  for (const response of responses) {
    if (response.status !== undefined && response.status >= 400) return response.status;
    for (const status of response.failedProps.values()) if (status >= 400) return status;
  }
  return undefined;
}

/**
 * Local names of the properties a MKCALENDAR answer (RFC 4791 §5.3.1.2: an optional
 * mkcalendar-response of propstats) reports with a failure status; empty for an empty body.
 */
export function refusedProperties(body: string): Set<string> {
  const refused = new Set<string>();
  if (body.trim() === '') return refused;
  let root;
  try {
    root = parseXml(body);
  } catch {
    return refused;
  }
  for (const propstat of childrenOf(root, DAV_NS, 'propstat')) {
    const status = parseStatusLine(childOf(propstat, DAV_NS, 'status')?.text);
    if (status === undefined || status < 300) continue;
    for (const prop of childOf(propstat, DAV_NS, 'prop')?.children ?? []) refused.add(prop.name);
  }
  return refused;
}
