import { getVtimezone } from '@touch4it/ical-timezones';
import { createObject, deleteObject, updateObject } from 'tsdav';
import { ITEM_TYPES, type AccessEntry, type CalendarChanges, type CalendarInfo, type CalendarSettings, type ComponentType, type StoredObject, type TimeRange } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import type { CalendarBackend, SyncChanges, UserHome } from './calendar-backend.js';
import { isCalendarCollection, toCalendarInfo } from './calendar-props.js';
import { setCalendarAcl } from './calendar-acl.js';
import { changeCalendar, removeCalendar } from './calendar-changes.js';
import { CALENDAR_PROPS, XML_CONTENT_TYPE, mkcalendarBody, propfindBody } from './dav-bodies.js';
import { fetchObjects, findByUid, queryRange } from './calendar-reports.js';
import { CollectionReader, type ContentVersion } from './collection-reader.js';
import { statusError } from './dav-errors.js';
import { DavTransport, pathOf, type DavAnswer, type ExchangeLog } from './dav-transport.js';
import { discoverHome } from './home-discovery.js';
import { succeeded } from './multistatus.js';
import { readMultistatus, readWriteAnswer, refusedProperties } from './dav-answers.js';
import { syncCollection } from './dav-sync.js';
import { readGatewayProperties, writeGatewayProperties } from './gateway-properties.js';
import { listOtherHomes } from './visible-homes.js';
import { addManagedAttachment, readManagedAttachment, type AddedAttachment, type ManagedBytes, type ManagedFile } from './managed-attachments.js';
import { ServerCapabilities, type CapabilitySnapshot } from './server-capabilities.js';
import { buildCalendarUrl, objectUrl, ownerAndName, withSlash } from './object-urls.js';

export interface CalDavBackendOptions {
  /** Base URL of the CalDAV server, ending in '/'; must not contain credentials. */
  serverUrl: string;
  /** Upper bound for each HTTP request, body included, in milliseconds. */
  timeoutMs: number;
  /** fetch used for every request (tests count and fault-inject through it); default global fetch. */
  fetch?: typeof fetch;
  /** How a collection's content version is read (see CollectionReader); default 'tag'. */
  contentVersion?: ContentVersion;
  /** Where each CalDAV exchange is logged at debug (dav-transport.ts); none when absent. */
  log?: ExchangeLog;
  /**
   * A path as the logs show it, given the acting user (gateway.ts writes the user's segments as
   * WCAP_LOG_USER says); as is when absent.
   */
  logPath?: (path: string, user: string) => string;
}

const ICALENDAR = 'text/calendar; charset=utf-8';

/**
 * CalendarBackend over CalDAV (RFC 4791), written against Radicale 3.1.8. Stateless: each call
 * authenticates with the credentials it is given. Request counts per call: discoverHome 2 (3 on a
 * server that schedules),
 * getCalendar/listCalendars/createCalendar/getObject/createObject/updateObject/deleteObject 1 (getCalendar
 * 2 once per process when the server lacks getctag), syncChanges 1 per truncated round plus a
 * multiget per 100 members sent without data, fetchObjects 1 per 100 objects,
 * queryRange and findByUid 1 per component type asked (queryRange with a bound: 2–3 per type until
 * the server has shown whether its time-range expands recurrences, 2 for good on one that does not;
 * calendar-reports.ts), schedulesInvitations 1 OPTIONS once per process. What it learns about the
 * server is kept per instance: the gateway makes one per process and server (server-capabilities.ts).
 */
export class CalDavBackend implements CalendarBackend {
  private readonly serverUrl: string;
  private readonly http: DavTransport;
  private readonly collections: CollectionReader;
  private readonly capabilities: ServerCapabilities;

  constructor(options: CalDavBackendOptions) {
    const url = new URL(options.serverUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('CalDAV serverUrl must be http(s)');
    if (url.username !== '' || url.password !== '') {
      throw new Error('CalDAV serverUrl must not contain credentials; they come with each call');
    }
    this.serverUrl = withSlash(url.href);
    this.http = new DavTransport(options.timeoutMs, options.fetch, options.log, options.logPath);
    this.capabilities = new ServerCapabilities(this.http);
    this.collections = new CollectionReader(this.http, options.contentVersion ?? 'tag');
  }

  /** See home-discovery.ts: 2 PROPFINDs (Depth 0), 3 on a server that schedules. */
  discoverHome(credentials: BackendCredentials): Promise<UserHome> {
    return discoverHome(this.http, this.serverUrl, credentials);
  }

  calendarUrl(home: UserHome, owner: string, name: string): string {
    return buildCalendarUrl(home.calendarHomeUrl, owner, name, home.user);
  }

  /** See CalendarBackend.getCalendar and CollectionReader (how the content tag is read). */
  getCalendar(credentials: BackendCredentials, url: string, options: { contentTag?: boolean } = {}): Promise<CalendarInfo | null> {
    return this.collections.read(credentials, url, options.contentTag === true);
  }

  async listCalendars(credentials: BackendCredentials, home: UserHome): Promise<CalendarInfo[]> {
    // Depth 1 on the home only: on a calendar it would list every object, and Radicale 3.1.8's
    // Depth 1 PROPFIND is quadratic in the number of members.
    const target = withSlash(home.calendarHomeUrl);
    const answer = await this.propfind(credentials, target, '1', CALENDAR_PROPS);
    return readMultistatus(answer, `PROPFIND ${pathOf(target)}`, credentials)
      .filter((r) => succeeded(r) && isCalendarCollection(r))
      .map((r) => toCalendarInfo(r, target));
  }

  async createCalendar(
    credentials: BackendCredentials,
    url: string,
    props: { displayName?: string; description?: string; timezone?: string; settings?: CalendarSettings },
  ): Promise<CalendarInfo> {
    const target = withSlash(url);
    let timezoneCalendar: string | undefined;
    if (props.timezone !== undefined) {
      timezoneCalendar = getVtimezone(props.timezone) ?? undefined;
      if (timezoneCalendar === undefined) throw new GatewayError('invalid', `unknown time zone ${props.timezone}`);
    }
    const { timezone: _zone, ...named } = props;
    const answer = await this.http.request(credentials, 'MKCALENDAR', target, {
      headers: { 'Content-Type': XML_CONTENT_TYPE },
      body: mkcalendarBody({ ...named, ...(timezoneCalendar === undefined ? {} : { timezoneCalendar }) }),
    });
    if (answer.status === 207 && answer.body.includes('resource-must-be-null')) {
      // Xandikos 0.2.8 answers an existing collection with 207 holding a 403 <resource-must-be-null/>.
      throw statusError(answer, `MKCALENDAR ${pathOf(target)}`, credentials, { 207: 'exists' });
    }
    if (answer.status !== 201 && answer.status !== 200) {
      // RFC 4791 §5.3.1: an existing resource gives 405 (RFC 4918 MKCOL) or 409/412 depending on
      // the server; Radicale 3.1.8 answers 409 <resource-must-be-null/>.
      throw statusError(answer, `MKCALENDAR ${pathOf(target)}`, credentials, {
        405: 'exists',
        409: 'exists',
        412: 'exists',
        400: 'invalid',
        415: 'invalid',
        422: 'invalid',
      });
    }
    // A server may create the calendar but refuse some properties in its mkcalendar-response
    // (Xandikos 0.2.8: 404 for calendar-description and calendar-timezone): report only what it kept.
    const refused = refusedProperties(answer.body);
    const info: CalendarInfo = { url: target, ...ownerAndName(target), componentTypes: [...ITEM_TYPES] };
    if (props.displayName && !refused.has('displayname')) info.displayName = props.displayName;
    if (props.description && !refused.has('calendar-description')) info.description = props.description;
    if (props.timezone !== undefined && !refused.has('calendar-timezone')) info.timezone = props.timezone;
    // The gateway's dead properties are kept only when the server refused none of them.
    const refusedSetting = [...refused].some((name) => !['displayname', 'calendar-description', 'calendar-timezone'].includes(name));
    if (props.settings && Object.keys(props.settings).length > 0 && !refusedSetting) info.settings = props.settings;
    return info;
  }

  /** One PROPPATCH (see calendar-changes.ts). */
  updateCalendar(credentials: BackendCredentials, url: string, changes: CalendarChanges): Promise<void> {
    return changeCalendar(this.http, credentials, url, changes);
  }

  /** One DELETE of the collection (see calendar-changes.ts). */
  deleteCalendar(credentials: BackendCredentials, url: string): Promise<void> {
    return removeCalendar(this.http, credentials, url);
  }

  /** One OPTIONS, plus one ACL where the server supports it (see calendar-acl.ts). */
  setCalendarAcl(credentials: BackendCredentials, home: UserHome, url: string, entries: readonly AccessEntry[]): Promise<'applied' | 'unsupported'> {
    return setCalendarAcl(this.http, credentials, home, url, entries);
  }

  /** See calendar-reports.ts (one REPORT per component type asked, sent in parallel). */
  queryRange(credentials: BackendCredentials, calendarUrl: string, types: ComponentType[], range: TimeRange): Promise<StoredObject[]> {
    return queryRange(this.http, credentials, calendarUrl, types, range, this.capabilities);
  }

  /** See calendar-reports.ts (a UID text-match REPORT per type, the answer filtered exactly). */
  findByUid(credentials: BackendCredentials, calendarUrl: string, uid: string, types?: readonly ComponentType[]): Promise<StoredObject | null> {
    return findByUid(this.http, credentials, calendarUrl, uid, types);
  }

  objectUrlFor(calendarUrl: string, uid: string): string {
    return objectUrl(calendarUrl, uid);
  }

  async getObject(credentials: BackendCredentials, url: string): Promise<StoredObject | null> {
    const answer = await this.http.request(credentials, 'GET', url, { headers: { Accept: 'text/calendar' } });
    if (answer.status === 404 || answer.status === 410) return null;
    if (answer.status !== 200) throw statusError(answer, `GET ${pathOf(url)}`, credentials);
    return { url, version: answer.headers.get('etag') ?? '', ical: answer.body };
  }

  async createObject(
    credentials: BackendCredentials,
    calendarUrl: string,
    uid: string,
    ical: string,
  ): Promise<StoredObject> {
    const url = objectUrl(calendarUrl, uid);
    this.capabilities.forgetCalendar(withSlash(calendarUrl));
    const answer = await this.http.exchange(credentials, 'PUT', url, (extras, target) =>
      createObject({
        url: target,
        data: ical,
        headers: { ...extras.headers, 'If-None-Match': '*', 'Content-Type': ICALENDAR },
        fetchOptions: extras.init,
        fetch: this.http.fetch,
      }),
    );
    return readWriteAnswer(answer, { url, ical, mode: 'create' }, credentials);
  }

  async updateObject(credentials: BackendCredentials, object: StoredObject, ical: string): Promise<StoredObject> {
    const { url } = object;
    this.capabilities.forgetCalendar(parentOf(url));
    const answer = await this.http.exchange(credentials, 'PUT', url, (extras, target) =>
      updateObject({
        url: target,
        data: ical,
        // tsdav drops a falsy etag, so an empty version means an unconditional PUT.
        etag: object.version,
        headers: { ...extras.headers, 'Content-Type': ICALENDAR },
        fetchOptions: extras.init,
        fetch: this.http.fetch,
      }),
    );
    return readWriteAnswer(answer, { url, ical, mode: 'update' }, credentials);
  }

  async deleteObject(credentials: BackendCredentials, object: StoredObject): Promise<void> {
    const { url } = object;
    this.capabilities.forgetCalendar(parentOf(url));
    const answer = await this.http.exchange(credentials, 'DELETE', url, (extras, target) =>
      deleteObject({ url: target, etag: object.version, headers: extras.headers, fetchOptions: extras.init, fetch: this.http.fetch }),
    );
    if (answer.status === 200 || answer.status === 204) return;
    throw statusError(answer, `DELETE ${pathOf(url)}`, credentials, { 412: 'changed', 410: 'not-found' });
  }

  syncChanges(credentials: BackendCredentials, calendarUrl: string, token: string | undefined): Promise<SyncChanges> {
    return syncCollection(this.http, credentials, calendarUrl, token, (urls) => this.fetchObjects(credentials, calendarUrl, urls), this.capabilities);
  }

  /** One OPTIONS on `url` (a calendar or home of the user's), once per process: see ServerCapabilities. */
  managesAttachments(credentials: BackendCredentials, url: string): Promise<boolean> {
    return this.capabilities.managesAttachments(credentials, url);
  }

  addManagedAttachment(credentials: BackendCredentials, object: StoredObject, file: ManagedFile): Promise<AddedAttachment> {
    this.capabilities.forgetCalendar(parentOf(object.url));
    return addManagedAttachment(this.http, credentials, object, file);
  }

  readManagedAttachment(credentials: BackendCredentials, object: StoredObject, attachmentUrl: string, maxBytes: number): Promise<ManagedBytes | null> {
    return readManagedAttachment(this.http, credentials, object, attachmentUrl, maxBytes);
  }

  schedulesInvitations(credentials: BackendCredentials, url: string): Promise<boolean> {
    return this.capabilities.autoSchedules(credentials, url);
  }

  /** What has been learnt about the server so far (for diagnostics and tests). */
  serverCapabilities(): CapabilitySnapshot {
    return this.capabilities.snapshot();
  }

  /** calendar-multiget in chunks (see calendar-reports.ts); objects that no longer exist are left out. */
  fetchObjects(credentials: BackendCredentials, calendarUrl: string, urls: readonly string[]): Promise<StoredObject[]> {
    return fetchObjects(this.http, credentials, calendarUrl, urls);
  }

  /** See visible-homes.ts: 1 PROPFIND, 1 per principal collection (at most 4), 1 per principal asked (at most 2 × limit). */
  listOtherHomes(credentials: BackendCredentials, home: UserHome, limit: number): Promise<string[]> {
    return listOtherHomes(this.http, credentials, home, limit);
  }

  /** One Depth 0 PROPFIND (gateway-properties.ts). */
  readGatewayProperties(credentials: BackendCredentials, url: string, names: readonly string[]): Promise<Record<string, string>> {
    return readGatewayProperties(this.http, credentials, withSlash(url), names);
  }

  /** One PROPPATCH (gateway-properties.ts). */
  writeGatewayProperties(credentials: BackendCredentials, url: string, values: Readonly<Record<string, string | null>>): Promise<void> {
    return writeGatewayProperties(this.http, credentials, withSlash(url), values);
  }

  private propfind(credentials: BackendCredentials, url: string, depth: '0' | '1', props: string[]): Promise<DavAnswer> {
    return this.http.request(credentials, 'PROPFIND', url, {
      headers: { Depth: depth, 'Content-Type': XML_CONTENT_TYPE },
      body: propfindBody(props),
    });
  }
}

/** The collection an object URL is in (up to its last '/'). */
function parentOf(url: string): string {
  return url.slice(0, url.lastIndexOf('/') + 1);
}
