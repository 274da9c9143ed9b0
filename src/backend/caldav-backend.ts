import { getVtimezone } from '@touch4it/ical-timezones';
import { createObject, deleteObject, updateObject } from 'tsdav';
import type { CalendarInfo, ComponentType, StoredObject, TimeRange } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import type { CalendarBackend, SyncChanges, UserHome } from './calendar-backend.js';
import { isCalendarCollection, toCalendarInfo } from './calendar-props.js';
import { CALENDAR_PROPS, calendarQueryBody, mkcalendarBody, multigetBody, propfindBody, type ContentTagProperty } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { DavTransport, pathOf, type DavAnswer } from './dav-transport.js';
import { hasComponentOf, hasUid } from './ical-peek.js';
import { CALDAV_NS, CALSERVER_NS, DAV_NS, clark, propHref, propText, type DavResponse } from './multistatus.js';
import { readMultistatus, readObjects, readWriteAnswer } from './dav-answers.js';
import { syncCollection } from './dav-sync.js';
import { buildCalendarUrl, objectUrl, ownerAndName, resolveHref, withSlash } from './object-urls.js';

export interface CalDavBackendOptions {
  /** Base URL of the CalDAV server, ending in '/'; must not contain credentials. */
  serverUrl: string;
  /** Upper bound for each HTTP request, body included, in milliseconds. */
  timeoutMs: number;
  /** fetch used for every request (tests count and fault-inject through it); default global fetch. */
  fetch?: typeof fetch;
  /**
   * How a collection's content version is read (see getCalendar): 'tag' (getctag or sync-token,
   * valid on every server) or 'last-modified' (Radicale's file storage only).
   */
  contentVersion?: 'tag' | 'last-modified';
}

/**
 * A collection's last-modified time names its state only once it is this much older than the
 * server's clock: HTTP dates have whole seconds, so two changes in one second share a value.
 */
const LAST_MODIFIED_SETTLED_MS = 2000;

/** Objects per calendar-multiget request (keeps each answer of moderate size). */
const MULTIGET_CHUNK = 100;

const XML = 'application/xml; charset=utf-8';
const ICALENDAR = 'text/calendar; charset=utf-8';
const ALL_TYPES: readonly ComponentType[] = ['VEVENT', 'VTODO'];

/**
 * CalendarBackend over CalDAV (RFC 4791), written against Radicale 3.1.8. Stateless: each call
 * authenticates with the credentials it is given. Request counts per call: discoverHome 2,
 * getCalendar/listCalendars/createCalendar/getObject/createObject/updateObject/deleteObject 1 (getCalendar
 * 2 once per process when the server lacks getctag), syncChanges 1 per truncated round plus a
 * multiget per 100 members sent without data, fetchObjects 1 per 100 objects,
 * queryRange and findByUid 1 per component type asked (see there).
 */
export class CalDavBackend implements CalendarBackend {
  private readonly serverUrl: string;
  private readonly http: DavTransport;
  /**
   * Which property versions this server's collections, learnt from its first answer: getctag is
   * asked first (on Radicale 3.1.8 it costs less than sync-token, docs/caldav-servers.md#cost-table),
   * sync-token when the server has no getctag, nothing when it has neither.
   */
  private tagProperty: ContentTagProperty | 'none' | undefined;
  private readonly lastModifiedVersions: boolean;

  constructor(options: CalDavBackendOptions) {
    const url = new URL(options.serverUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('CalDAV serverUrl must be http(s)');
    if (url.username !== '' || url.password !== '') {
      throw new Error('CalDAV serverUrl must not contain credentials; they come with each call');
    }
    this.serverUrl = withSlash(url.href);
    this.http = new DavTransport(options.timeoutMs, options.fetch);
    this.lastModifiedVersions = options.contentVersion === 'last-modified';
  }

  /** Two PROPFINDs (Depth 0): current-user-principal on the server root, calendar-home-set on it. */
  async discoverHome(credentials: BackendCredentials): Promise<UserHome> {
    const principalHref = await this.findHref(credentials, this.serverUrl, 'D:current-user-principal');
    const principalUrl = resolveHref(principalHref, this.serverUrl);
    const homeHref = await this.findHref(credentials, principalUrl, 'C:calendar-home-set');
    return { principalUrl, calendarHomeUrl: withSlash(resolveHref(homeHref, principalUrl)) };
  }

  calendarUrl(home: UserHome, owner: string, name: string): string {
    return buildCalendarUrl(home.calendarHomeUrl, owner, name);
  }

  /**
   * See CalendarBackend.getCalendar. The content tag is the collection's getctag, else its
   * sync-token (which one the server has is learnt from its first answer; getctag is asked first, it
   * costs less than sync-token on Radicale 3.1.8, docs/caldav-servers.md#cost-table).
   *
   * With `contentVersion: 'last-modified'` the tag is the collection's getlastmodified instead, as
   * long as that is settled (older than the server's own Date by LAST_MODIFIED_SETTLED_MS), else
   * getctag as above. Radicale's file storage computes it from file times (every item written,
   * deleted or renamed, and every property change, moves it), for a fraction of what getctag costs;
   * servers whose collection last-modified does not follow their members must not use it.
   */
  async getCalendar(credentials: BackendCredentials, url: string, options: { contentTag?: boolean } = {}): Promise<CalendarInfo | null> {
    const target = withSlash(url);
    if (options.contentTag && this.lastModifiedVersions) {
      const read = await this.readCollection(credentials, target, 'D:getlastmodified');
      if (!read || !isCalendarCollection(read.response)) return null;
      const lastModified = Date.parse(propText(read.response, DAV_NS, 'getlastmodified') ?? '');
      if (lastModified <= read.date - LAST_MODIFIED_SETTLED_MS) {
        return { ...toCalendarInfo(read.response, target), contentTag: `mtime:${lastModified}` };
      }
    }
    const tagProperty = options.contentTag ? (this.tagProperty ?? 'CS:getctag') : 'none';
    const own = (await this.readCollection(credentials, target, tagProperty))?.response;
    if (!own || !isCalendarCollection(own)) return null;
    if (options.contentTag && this.tagProperty === undefined) {
      if (own.props.has(clark(CALSERVER_NS, 'getctag'))) this.tagProperty = 'CS:getctag';
      else {
        const again = (await this.readCollection(credentials, target, 'D:sync-token'))?.response;
        this.tagProperty = again?.props.has(clark(DAV_NS, 'sync-token')) ? 'D:sync-token' : 'none';
        return again && isCalendarCollection(again) ? toCalendarInfo(again, target) : null;
      }
    }
    return toCalendarInfo(own, target);
  }

  /**
   * Depth 0 PROPFIND of a collection's properties plus one more; null when it does not exist.
   * `date` is the server's clock from the answer's Date header (NaN without one).
   */
  private async readCollection(
    credentials: BackendCredentials,
    target: string,
    extra: ContentTagProperty | 'D:getlastmodified' | 'none',
  ): Promise<{ response: DavResponse; date: number } | null> {
    const answer = await this.propfind(credentials, target, '0', extra === 'none' ? CALENDAR_PROPS : [...CALENDAR_PROPS, extra]);
    if (answer.status === 404 || answer.status === 410) return null;
    const response = readMultistatus(answer, `PROPFIND ${pathOf(target)}`, credentials).find(succeeded);
    return response ? { response, date: Date.parse(answer.headers.get('date') ?? '') } : null;
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
    props: { displayName?: string; description?: string; timezone?: string },
  ): Promise<CalendarInfo> {
    const target = withSlash(url);
    let timezoneCalendar: string | undefined;
    if (props.timezone !== undefined) {
      timezoneCalendar = getVtimezone(props.timezone) ?? undefined;
      if (timezoneCalendar === undefined) throw new GatewayError('invalid', `unknown time zone ${props.timezone}`);
    }
    const answer = await this.http.request(credentials, 'MKCALENDAR', target, {
      headers: { 'Content-Type': XML },
      body: mkcalendarBody({ ...props, ...(timezoneCalendar === undefined ? {} : { timezoneCalendar }) }),
    });
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
    const info: CalendarInfo = { url: target, ...ownerAndName(target), componentTypes: [...ALL_TYPES] };
    if (props.displayName) info.displayName = props.displayName;
    if (props.description) info.description = props.description;
    if (props.timezone !== undefined) info.timezone = props.timezone;
    return info;
  }

  /**
   * RFC 4791 ANDs sibling comp-filters, so "VEVENT or VTODO in range" cannot be one calendar-query
   * (Radicale 3.1.8 returns nothing for VEVENT+VTODO siblings, measured). One type: one REPORT.
   * Both types with a bound: one REPORT per type, sent in parallel. Both types, no bound: one
   * REPORT with only the VCALENDAR filter, keeping objects that hold one of the types.
   */
  async queryRange(
    credentials: BackendCredentials,
    calendarUrl: string,
    types: ComponentType[],
    range: TimeRange,
  ): Promise<StoredObject[]> {
    const wanted = ALL_TYPES.filter((t) => types.includes(t));
    if (wanted.length === 0) return [];
    if (wanted.length > 1 && !range.start && !range.end) {
      const all = await this.report(credentials, calendarUrl, undefined, {});
      return all.filter((o) => hasComponentOf(o.ical, wanted));
    }
    const lists = await Promise.all(wanted.map((t) => this.report(credentials, calendarUrl, t, { range })));
    return uniqueByUrl(lists.flat());
  }

  /**
   * One calendar-query REPORT per type in `types` (default both, sent in parallel) with a UID
   * text-match. RFC 4791 text-match is a substring test and Radicale 3.1.8 also ignores case, so
   * the answer is filtered here for the exact UID. Pass the one type you expect to make it 1 request.
   */
  async findByUid(
    credentials: BackendCredentials,
    calendarUrl: string,
    uid: string,
    types: readonly ComponentType[] = ALL_TYPES,
  ): Promise<StoredObject | null> {
    // Radicale 3.1.8 fails on an empty text-match, and no component can carry an empty UID anyway.
    if (uid === '') return null;
    const wanted = ALL_TYPES.filter((t) => types.includes(t));
    const lists = await Promise.all(wanted.map((t) => this.report(credentials, calendarUrl, t, { uid })));
    return lists.flat().find((o) => hasUid(o.ical, uid)) ?? null;
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
    const answer = await this.http.exchange(credentials, 'PUT', url, (extras) =>
      createObject({
        url,
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
    const answer = await this.http.exchange(credentials, 'PUT', url, (extras) =>
      updateObject({
        url,
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
    const answer = await this.http.exchange(credentials, 'DELETE', url, (extras) =>
      deleteObject({ url, etag: object.version, headers: extras.headers, fetchOptions: extras.init, fetch: this.http.fetch }),
    );
    if (answer.status === 200 || answer.status === 204) return;
    throw statusError(answer, `DELETE ${pathOf(url)}`, credentials, { 412: 'changed', 410: 'not-found' });
  }

  syncChanges(credentials: BackendCredentials, calendarUrl: string, token: string | undefined): Promise<SyncChanges> {
    return syncCollection(this.http, credentials, calendarUrl, token, (urls) => this.fetchObjects(credentials, calendarUrl, urls));
  }

  /** calendar-multiget in chunks of {@link MULTIGET_CHUNK}; objects that no longer exist are left out. */
  async fetchObjects(credentials: BackendCredentials, calendarUrl: string, urls: readonly string[]): Promise<StoredObject[]> {
    const target = withSlash(calendarUrl);
    const found: StoredObject[] = [];
    for (let i = 0; i < urls.length; i += MULTIGET_CHUNK) {
      const paths = urls.slice(i, i + MULTIGET_CHUNK).map(pathOf);
      const answer = await this.http.request(credentials, 'REPORT', target, {
        headers: { Depth: '1', 'Content-Type': XML },
        body: multigetBody(paths),
      });
      found.push(...readObjects(readMultistatus(answer, `REPORT calendar-multiget ${pathOf(target)}`, credentials), target));
    }
    return found;
  }

  private propfind(credentials: BackendCredentials, url: string, depth: '0' | '1', props: string[]): Promise<DavAnswer> {
    return this.http.request(credentials, 'PROPFIND', url, {
      headers: { Depth: depth, 'Content-Type': XML },
      body: propfindBody(props),
    });
  }

  /** Depth 0 PROPFIND of one href-valued property; throws 'backend' when the server has none. */
  private async findHref(credentials: BackendCredentials, url: string, prop: string): Promise<string> {
    const action = `PROPFIND ${pathOf(url)}`;
    const answer = await this.propfind(credentials, url, '0', [prop]);
    const [prefix, name] = prop.split(':') as [string, string];
    const ns = prefix === 'D' ? DAV_NS : CALDAV_NS;
    for (const response of readMultistatus(answer, action, credentials)) {
      const href = propHref(response, ns, name);
      if (href !== undefined) return href;
    }
    throw new GatewayError('backend', `CalDAV ${action}: server reported no ${name}`);
  }

  private async report(
    credentials: BackendCredentials,
    calendarUrl: string,
    type: ComponentType | undefined,
    filter: { range?: TimeRange; uid?: string },
  ): Promise<StoredObject[]> {
    const target = withSlash(calendarUrl);
    const answer = await this.http.request(credentials, 'REPORT', target, {
      headers: { Depth: '1', 'Content-Type': XML },
      body: calendarQueryBody(type, filter),
    });
    return readObjects(readMultistatus(answer, `REPORT ${pathOf(target)}`, credentials), target);
  }
}

/** A response entry that carries no error status of its own. */
function succeeded(response: DavResponse): boolean {
  return response.status === undefined || (response.status >= 200 && response.status < 300);
}

function uniqueByUrl(objects: StoredObject[]): StoredObject[] {
  const seen = new Map<string, StoredObject>();
  for (const o of objects) if (!seen.has(o.url)) seen.set(o.url, o);
  return [...seen.values()];
}
