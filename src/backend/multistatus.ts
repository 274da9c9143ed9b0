import { childOf, childrenOf, parseXml, type XmlElement } from './xml-reader.js';

export const DAV_NS = 'DAV:';
export const CALDAV_NS = 'urn:ietf:params:xml:ns:caldav';
/** Namespace of getctag (Apple's CalendarServer extension, widely implemented). */
export const CALSERVER_NS = 'http://calendarserver.org/ns/';
/**
 * The gateway's own namespace for the dead properties it keeps on the CalDAV server: a calendar's
 * WCAP settings (calendar-settings.ts) and a user's subscriptions and preferences on the calendar
 * home (gateway-properties.ts). RFC 4918 §4.2: servers store unknown properties as given.
 */
export const GATEWAY_NS = 'urn:wcap-gateway:properties';

/** One `<response>` of a 207 Multi-Status answer (RFC 4918 §13). */
export interface DavResponse {
  /** The href as sent (entities decoded, whitespace trimmed); resolve it against the request URL. */
  href: string;
  /** Status given directly in `<response>` (e.g. 404 for a vanished multiget href), if any. */
  status?: number;
  /** Properties reported with a 2xx propstat, keyed `{namespace}local-name`. */
  props: Map<string, XmlElement>;
  /** Status of each property that came back with a non-2xx propstat, keyed the same way. */
  failedProps: Map<string, number>;
}

/** Clark notation `{ns}name`, the key used in DavResponse maps. */
export function clark(ns: string, name: string): string {
  return `{${ns}}${name}`;
}

/** Status code of an HTTP status line such as `HTTP/1.1 404 Not Found`. */
export function parseStatusLine(line: string | undefined): number | undefined {
  const match = /^\s*HTTP\/\S+\s+(\d{3})/.exec(line ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Parses a Multi-Status body. Throws Error when the body is not a DAV:multistatus document. */
export function parseMultistatus(body: string): DavResponse[] {
  return parseMultistatusDocument(body).responses;
}

/** A whole multistatus: its responses and, in a sync-collection answer, the new sync token (RFC 6578 §6.4). */
export interface Multistatus {
  responses: DavResponse[];
  syncToken?: string;
}

export function parseMultistatusDocument(body: string): Multistatus {
  const root = parseXml(body);
  if (root.ns !== DAV_NS || root.name !== 'multistatus') {
    throw new Error(`expected DAV:multistatus, got {${root.ns}}${root.name}`);
  }
  const responses = childrenOf(root, DAV_NS, 'response').map(readResponse);
  const syncToken = childOf(root, DAV_NS, 'sync-token')?.text.trim();
  return syncToken ? { responses, syncToken } : { responses };
}

function readResponse(response: XmlElement): DavResponse {
  const props = new Map<string, XmlElement>();
  const failedProps = new Map<string, number>();
  for (const propstat of childrenOf(response, DAV_NS, 'propstat')) {
    const status = parseStatusLine(childOf(propstat, DAV_NS, 'status')?.text);
    const ok = status !== undefined && status >= 200 && status < 300;
    for (const prop of childOf(propstat, DAV_NS, 'prop')?.children ?? []) {
      const key = clark(prop.ns, prop.name);
      if (ok) props.set(key, prop);
      else failedProps.set(key, status ?? 0);
    }
  }
  const result: DavResponse = {
    href: childOf(response, DAV_NS, 'href')?.text.trim() ?? '',
    props,
    failedProps,
  };
  const status = parseStatusLine(childOf(response, DAV_NS, 'status')?.text);
  if (status !== undefined) result.status = status;
  return result;
}

/** Text of a property, or undefined when absent or empty. */
export function propText(response: DavResponse, ns: string, name: string): string | undefined {
  const text = response.props.get(clark(ns, name))?.text;
  return text === undefined || text === '' ? undefined : text;
}

/** The href inside a property such as current-user-principal or calendar-home-set. */
export function propHref(response: DavResponse, ns: string, name: string): string | undefined {
  const href = childOf(response.props.get(clark(ns, name)), DAV_NS, 'href')?.text.trim();
  return href === '' ? undefined : href;
}

/** A response entry that carries no error status of its own. */
export function succeeded(response: DavResponse): boolean {
  return response.status === undefined || (response.status >= 200 && response.status < 300);
}
