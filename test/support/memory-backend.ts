import { createHash, randomUUID } from 'node:crypto';
import { getVtimezone } from '@touch4it/ical-timezones';
import type { CalendarBackend, SyncChanges, UserHome } from '../../src/backend/calendar-backend.js';
import type { AddedAttachment, ManagedBytes, ManagedFile } from '../../src/backend/managed-attachments.js';
import { checkNames } from '../../src/backend/gateway-properties.js';
import { buildCalendarUrl, objectName, withSlash } from '../../src/backend/object-urls.js';
import type { AccessEntry, AccessRight, CalendarChanges, CalendarInfo, CalendarSettings, ComponentType, StoredObject, TimeRange } from '../../src/model/calendar.js';
import { GatewayError } from '../../src/model/errors.js';
import type { BackendCredentials } from '../../src/model/session.js';
import { objectInRange, validate } from './memory-ical.js';

/**
 * In-memory CalendarBackend that behaves like Radicale 3.1.8 (owner_only rights) as seen through
 * the interface: others' paths are 'forbidden' (even missing ones), UID conflicts are 'exists',
 * stale versions 'changed', versions are quoted content hashes, objects are validated the way
 * Radicale does (one component type, one UID, no bare CR). Time ranges follow RFC 4791 §9.9 as
 * Radicale implements it; recurring masters are expanded with ical.js (RRULE, RDATE, EXDATE,
 * overrides), and a series with more than 100,000 instances before the range end simply matches.
 * Sync tokens count the calendar's changes, like RFC 6578 asks: any token this calendar did not
 * issue is refused with 'changed', as Radicale refuses unknown tokens with 403.
 */
export interface MemoryBackendOptions {
  /** Accepted user names and their passwords. */
  users: Record<string, string>;
  /** Base URL the fake pretends to live at; default `http://caldav.memory.test/`. */
  serverUrl?: string;
  /** Accept ACLs (like a WebDAV ACL server); default false, like Radicale. */
  accessControl?: boolean;
}

interface MemoryObject {
  ical: string;
  version: string;
  uid: string;
  type: string;
  /** The calendar's change counter when this object was last written. */
  revision: number;
}

interface MemoryCalendar {
  displayName?: string;
  description?: string;
  timezone?: string;
  settings: CalendarSettings;
  acl?: AccessEntry[];
  objects: Map<string, MemoryObject>;
  /** Random per calendar, so that one calendar's sync tokens are refused by another. */
  syncId: string;
  /** Counts every write and delete. */
  revision: number;
  /** Resource names deleted, with the revision of their deletion. */
  removed: Map<string, number>;
}

const TYPES: readonly ComponentType[] = ['VEVENT', 'VTODO'];
/** What Radicale's owner_only rights give the owner (read plus DAV:all). */
const OWNER_RIGHTS: AccessRight[] = ['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer'];

export class MemoryBackend implements CalendarBackend {
  readonly serverUrl: string;
  /** Names of the interface methods called, in order (for tests that count backend calls). */
  readonly calls: string[] = [];
  private readonly users: Record<string, string>;
  private readonly calendars = new Map<string, MemoryCalendar>();
  private pendingFailure: GatewayError | undefined;
  /** Dead properties per collection path (`owner` for a home, `owner/name` for a calendar). */
  private readonly deadProperties = new Map<string, Record<string, string>>();
  /** Owner → users who may read that owner's home and calendars (see {@link grantRead}). */
  private readonly readers = new Map<string, Set<string>>();
  /** Runs before each write is applied (see {@link beforeWrite}). */
  private writeHook: ((method: string, url: string) => Promise<void>) | undefined;
  private inWriteHook = false;
  private readonly accessControl: boolean;

  constructor(options: MemoryBackendOptions) {
    this.users = { ...options.users };
    this.accessControl = options.accessControl ?? false;
    this.serverUrl = withSlash(options.serverUrl ?? 'http://caldav.memory.test/');
  }

  /** Makes the next call (of any method) throw `error`, e.g. 'unavailable' for fault tests. */
  failNext(error: GatewayError): void {
    this.pendingFailure = error;
  }

  /**
   * Runs `hook` before each create, update or delete is applied (after its credentials were
   * checked), with the method name and the object's or calendar's URL: tests interleave a
   * concurrent client's write there, or make the server fail from a given write on. Writes the hook
   * makes itself do not call it again.
   */
  beforeWrite(hook: ((method: string, url: string) => Promise<void>) | undefined): void {
    this.writeHook = hook;
  }

  private async aboutToWrite(method: string, url: string): Promise<void> {
    if (!this.writeHook || this.inWriteHook) return;
    this.inWriteHook = true;
    try {
      await this.writeHook(method, url);
    } finally {
      this.inWriteHook = false;
    }
  }

  /**
   * Lets `reader` see `owner`'s home and read its calendars, like a Radicale rights rule granting
   * `R` on the home and `r` on the calendars. Writes stay the owner's.
   */
  grantRead(reader: string, owner: string): void {
    const set = this.readers.get(owner) ?? new Set<string>();
    set.add(reader);
    this.readers.set(owner, set);
  }

  /** Drops a failure set by {@link failNext} that no call has met yet (fault tests, in afterEach). */
  clearFailure(): void {
    this.pendingFailure = undefined;
  }

  async discoverHome(credentials: BackendCredentials): Promise<UserHome> {
    this.enter('discoverHome', credentials);
    const home = `${this.serverUrl}${encodeURIComponent(credentials.user)}/`;
    return { principalUrl: home, calendarHomeUrl: home };
  }

  calendarUrl(home: UserHome, owner: string, name: string): string {
    return buildCalendarUrl(home.calendarHomeUrl, owner, name);
  }

  async getCalendar(credentials: BackendCredentials, url: string, options: { contentTag?: boolean } = {}): Promise<CalendarInfo | null> {
    this.enter('getCalendar', credentials);
    const path = this.readablePath(credentials, url);
    const calendar = path.length === 2 ? this.calendars.get(path.join('/')) : undefined;
    if (!calendar) return null;
    const info = this.info(path, calendar);
    // Like a ctag: changes with every write to the calendar, and differs between calendars.
    if (options.contentTag) info.contentTag = `ctag:${calendar.syncId}-${calendar.revision}`;
    return info;
  }

  async listCalendars(credentials: BackendCredentials, home: UserHome): Promise<CalendarInfo[]> {
    this.enter('listCalendars', credentials);
    const [owner] = this.readablePath(credentials, home.calendarHomeUrl);
    return [...this.calendars.entries()]
      .filter(([key]) => key.startsWith(`${owner}/`))
      .map(([key, calendar]) => this.info(key.split('/'), calendar));
  }

  async createCalendar(
    credentials: BackendCredentials,
    url: string,
    props: { displayName?: string; description?: string; timezone?: string; settings?: CalendarSettings },
  ): Promise<CalendarInfo> {
    this.enter('createCalendar', credentials);
    const path = this.ownPath(credentials, url);
    if (path.length !== 2) throw new GatewayError('forbidden', 'calendars live directly in the home', { status: 403 });
    if (props.timezone !== undefined && !getVtimezone(props.timezone)) {
      throw new GatewayError('invalid', `unknown time zone ${props.timezone}`);
    }
    const key = path.join('/');
    if (this.calendars.has(key)) throw new GatewayError('exists', 'calendar exists', { status: 409 });
    const calendar: MemoryCalendar = { objects: new Map(), settings: { ...props.settings }, syncId: randomUUID(), revision: 0, removed: new Map() };
    if (props.displayName) calendar.displayName = props.displayName;
    if (props.description) calendar.description = props.description;
    if (props.timezone !== undefined) calendar.timezone = props.timezone;
    this.calendars.set(key, calendar);
    return this.info(path, calendar);
  }

  async updateCalendar(credentials: BackendCredentials, url: string, changes: CalendarChanges): Promise<void> {
    this.enter('updateCalendar', credentials);
    const path = this.ownPath(credentials, url);
    const calendar = path.length === 2 ? this.calendars.get(path.join('/')) : undefined;
    if (!calendar) throw new GatewayError('no-calendar', 'The calendar does not exist', { status: 404 });
    if (typeof changes.timezone === 'string' && !getVtimezone(changes.timezone)) throw new GatewayError('invalid', `unknown time zone ${changes.timezone}`);
    await this.aboutToWrite('PROPPATCH', url);
    const text = { displayName: changes.displayName, description: changes.description, timezone: changes.timezone };
    for (const [key, value] of Object.entries(text) as Array<['displayName' | 'description' | 'timezone', string | null | undefined]>) {
      if (value === null) delete calendar[key];
      else if (value !== undefined) calendar[key] = value;
    }
    for (const [key, value] of Object.entries(changes.settings ?? {}) as Array<[keyof CalendarSettings, unknown]>) {
      if (value === null) delete calendar.settings[key];
      else if (value !== undefined) (calendar.settings as Record<string, unknown>)[key] = structuredClone(value);
    }
  }

  async deleteCalendar(credentials: BackendCredentials, url: string): Promise<void> {
    this.enter('deleteCalendar', credentials);
    const path = this.ownPath(credentials, url);
    const key = path.join('/');
    if (path.length !== 2 || !this.calendars.has(key)) throw new GatewayError('no-calendar', 'The calendar does not exist', { status: 404 });
    await this.aboutToWrite('DELETE', url);
    this.calendars.delete(key);
  }

  async setCalendarAcl(credentials: BackendCredentials, _home: UserHome, url: string, entries: readonly AccessEntry[]): Promise<'applied' | 'unsupported'> {
    this.enter('setCalendarAcl', credentials);
    const [, calendar] = this.calendarAt(credentials, url);
    if (!this.accessControl) return 'unsupported';
    await this.aboutToWrite('ACL', url);
    calendar.acl = structuredClone([...entries]);
    return 'applied';
  }

  /** The ACL last set on a calendar (accessControl servers only), for tests. */
  aclOf(url: string): AccessEntry[] | undefined {
    const path = url.slice(this.serverUrl.length).split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    return this.calendars.get(path.join('/'))?.acl;
  }

  async queryRange(
    credentials: BackendCredentials,
    calendarUrl: string,
    types: ComponentType[],
    range: TimeRange,
  ): Promise<StoredObject[]> {
    this.enter('queryRange', credentials);
    const [path, calendar] = this.calendarAt(credentials, calendarUrl, 'read');
    const window = { start: range.start?.getTime() ?? -Infinity, end: range.end?.getTime() ?? Infinity };
    return [...calendar.objects.entries()]
      .filter(([, o]) => types.includes(o.type as ComponentType) && objectInRange(o, window))
      .map(([name, o]) => this.stored(path, name, o));
  }

  async findByUid(
    credentials: BackendCredentials,
    calendarUrl: string,
    uid: string,
    types: readonly ComponentType[] = TYPES,
  ): Promise<StoredObject | null> {
    this.enter('findByUid', credentials);
    const [path, calendar] = this.calendarAt(credentials, calendarUrl, 'read');
    for (const [name, o] of calendar.objects) {
      if (o.uid === uid && types.includes(o.type as ComponentType)) return this.stored(path, name, o);
    }
    return null;
  }

  async getObject(credentials: BackendCredentials, url: string): Promise<StoredObject | null> {
    this.enter('getObject', credentials);
    const path = this.readablePath(credentials, url);
    const o = path.length === 3 ? this.calendars.get(path.slice(0, 2).join('/'))?.objects.get(path[2]!) : undefined;
    return o ? this.stored(path.slice(0, 2), path[2]!, o) : null;
  }

  objectUrlFor(calendarUrl: string, uid: string): string {
    return `${withSlash(calendarUrl)}${objectName(uid)}.ics`;
  }

  async createObject(credentials: BackendCredentials, calendarUrl: string, uid: string, ical: string): Promise<StoredObject> {
    this.enter('createObject', credentials);
    await this.aboutToWrite('createObject', calendarUrl);
    const [path, calendar] = this.calendarAt(credentials, calendarUrl);
    const name = `${objectName(uid)}.ics`;
    const parsed = validate(ical);
    if (calendar.objects.has(name)) throw new GatewayError('exists', 'resource exists', { status: 412 });
    if ([...calendar.objects.values()].some((o) => o.uid === parsed.uid)) {
      throw new GatewayError('exists', 'UID exists (no-uid-conflict)', { status: 409 });
    }
    const stored = { ical, version: versionOf(ical), ...parsed, revision: ++calendar.revision };
    calendar.objects.set(name, stored);
    calendar.removed.delete(name);
    return this.stored(path, name, stored);
  }

  async updateObject(credentials: BackendCredentials, object: StoredObject, ical: string): Promise<StoredObject> {
    this.enter('updateObject', credentials);
    await this.aboutToWrite('updateObject', object.url);
    const { calendar, name, current } = this.objectAt(credentials, object.url);
    if (!calendar || !current || (object.version !== '' && current.version !== object.version)) {
      throw new GatewayError('changed', 'object changed or vanished', { status: 412 });
    }
    const parsed = validate(ical);
    for (const [other, o] of calendar.objects) {
      if (other !== name && o.uid === parsed.uid) throw new GatewayError('exists', 'UID exists', { status: 409 });
    }
    const stored = { ical, version: versionOf(ical), ...parsed, revision: ++calendar.revision };
    calendar.objects.set(name, stored);
    return { url: object.url, version: stored.version, ical };
  }

  async deleteObject(credentials: BackendCredentials, object: StoredObject): Promise<void> {
    this.enter('deleteObject', credentials);
    await this.aboutToWrite('deleteObject', object.url);
    const { calendar, name, current } = this.objectAt(credentials, object.url);
    if (!calendar || !current) throw new GatewayError('not-found', 'object not found', { status: 404 });
    if (object.version !== '' && current.version !== object.version) {
      throw new GatewayError('changed', 'object changed', { status: 412 });
    }
    calendar.objects.delete(name);
    calendar.removed.set(name, ++calendar.revision);
  }

  async fetchObjects(credentials: BackendCredentials, calendarUrl: string, urls: readonly string[]): Promise<StoredObject[]> {
    this.enter('fetchObjects', credentials);
    const [path, calendar] = this.calendarAt(credentials, calendarUrl, 'read');
    return [...calendar.objects.entries()]
      .map(([name, o]) => this.stored(path, name, o))
      .filter((o) => urls.includes(o.url));
  }

  async syncChanges(credentials: BackendCredentials, calendarUrl: string, token: string | undefined): Promise<SyncChanges> {
    this.enter('syncChanges', credentials);
    const [path, calendar] = this.calendarAt(credentials, calendarUrl, 'read');
    const prefix = `urn:x-memory-sync:${calendar.syncId}:`;
    let since = 0;
    if (token !== undefined) {
      since = token.startsWith(prefix) ? Number(token.slice(prefix.length)) : Number.NaN;
      if (!Number.isInteger(since) || since < 0 || since > calendar.revision) {
        throw new GatewayError('changed', 'invalid sync token', { status: 403 });
      }
    }
    const changed = [...calendar.objects.entries()].filter(([, o]) => o.revision > since).map(([name, o]) => this.stored(path, name, o));
    const deleted =
      token === undefined
        ? []
        : [...calendar.removed.entries()].filter(([, revision]) => revision > since).map(([name]) => `${this.urlOf(path)}${encodeURIComponent(name)}`);
    return { token: `${prefix}${calendar.revision}`, changed, deleted };
  }

  /** The fake delivers nothing: like Radicale, it leaves invitations to the gateway. */
  async schedulesInvitations(credentials: BackendCredentials, _url: string): Promise<boolean> {
    this.enter('schedulesInvitations', credentials);
    return false;
  }

  /** Like Radicale, the fake keeps files inline only (no RFC 8607). */
  async managesAttachments(credentials: BackendCredentials, _url: string): Promise<boolean> {
    this.enter('managesAttachments', credentials);
    return false;
  }

  async addManagedAttachment(credentials: BackendCredentials, _object: StoredObject, _file: ManagedFile): Promise<AddedAttachment> {
    this.enter('addManagedAttachment', credentials);
    throw new GatewayError('backend', 'managed attachments are not offered');
  }

  async readManagedAttachment(credentials: BackendCredentials, _object: StoredObject, _url: string, _maxBytes: number): Promise<ManagedBytes | null> {
    this.enter('readManagedAttachment', credentials);
    return null;
  }

  private enter(method: string, credentials: BackendCredentials): void {
    this.calls.push(method);
    const failure = this.pendingFailure;
    this.pendingFailure = undefined;
    if (failure) throw failure;
    if (this.users[credentials.user] === undefined || this.users[credentials.user] !== credentials.password) {
      throw new GatewayError('unauthorized', 'CalDAV server rejected the credentials', { status: 401 });
    }
  }

  async listOtherHomes(credentials: BackendCredentials, _home: UserHome, limit: number): Promise<string[]> {
    this.enter('listOtherHomes', credentials);
    return [...this.readers.entries()]
      .filter(([owner, readers]) => owner !== credentials.user && readers.has(credentials.user))
      .map(([owner]) => this.urlOf([owner]))
      .sort()
      .slice(0, Math.max(0, limit));
  }

  async readGatewayProperties(credentials: BackendCredentials, url: string, names: readonly string[]): Promise<Record<string, string>> {
    this.enter('readGatewayProperties', credentials);
    checkNames(names);
    const key = this.collectionKey(this.readablePath(credentials, url));
    const stored = this.deadProperties.get(key) ?? {};
    return Object.fromEntries(names.filter((name) => stored[name] !== undefined).map((name) => [name, stored[name]!]));
  }

  async writeGatewayProperties(credentials: BackendCredentials, url: string, values: Readonly<Record<string, string | null>>): Promise<void> {
    this.enter('writeGatewayProperties', credentials);
    checkNames(Object.keys(values));
    await this.aboutToWrite('writeGatewayProperties', url);
    const key = this.collectionKey(this.ownPath(credentials, url));
    const stored = { ...this.deadProperties.get(key) };
    for (const [name, value] of Object.entries(values)) {
      if (value === null) delete stored[name];
      else stored[name] = value;
    }
    this.deadProperties.set(key, stored);
  }

  /** The key of a home (`owner`) or an existing calendar (`owner/name`); 'not-found' for anything else. */
  private collectionKey(path: string[]): string {
    if (path.length === 1 || (path.length === 2 && this.calendars.has(path.join('/')))) return path.join('/');
    throw new GatewayError('not-found', 'no such collection', { status: 404 });
  }

  /** Like {@link ownPath}, but also paths of owners who granted this user read access. */
  private readablePath(credentials: BackendCredentials, url: string): string[] {
    try {
      return this.ownPath(credentials, url);
    } catch (err) {
      const owner = url.startsWith(this.serverUrl) ? decodeURIComponent(url.slice(this.serverUrl.length).split('/')[0] ?? '') : '';
      if (!(err instanceof GatewayError) || err.kind !== 'forbidden' || !this.readers.get(owner)?.has(credentials.user)) throw err;
      return url
        .slice(this.serverUrl.length)
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    }
  }

  /** Decoded path segments of a URL of the logged-in user; others' paths are forbidden (owner_only). */
  private ownPath(credentials: BackendCredentials, url: string): string[] {
    if (!url.startsWith(this.serverUrl)) throw new GatewayError('backend', `URL outside the server: ${url}`);
    const path = url
      .slice(this.serverUrl.length)
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    if (path[0] !== credentials.user) throw new GatewayError('forbidden', 'access forbidden', { status: 403 });
    return path;
  }

  private calendarAt(credentials: BackendCredentials, url: string, access: 'read' | 'write' = 'write'): [string[], MemoryCalendar] {
    const path = access === 'read' ? this.readablePath(credentials, url) : this.ownPath(credentials, url);
    const calendar = path.length === 2 ? this.calendars.get(path.join('/')) : undefined;
    if (!calendar) throw new GatewayError('not-found', 'calendar not found', { status: 404 });
    return [path, calendar];
  }

  private objectAt(
    credentials: BackendCredentials,
    url: string,
  ): { calendar: MemoryCalendar | undefined; name: string; current: MemoryObject | undefined } {
    const path = this.ownPath(credentials, url);
    const calendar = path.length === 3 ? this.calendars.get(path.slice(0, 2).join('/')) : undefined;
    const name = path[2] ?? '';
    return { calendar, name, current: calendar?.objects.get(name) };
  }

  private info(path: string[], calendar: MemoryCalendar): CalendarInfo {
    const [owner = '', name = ''] = path;
    const info: CalendarInfo = { url: this.urlOf([owner, name]), owner, name, componentTypes: [...TYPES] };
    if (calendar.displayName !== undefined) info.displayName = calendar.displayName;
    if (calendar.description !== undefined) info.description = calendar.description;
    if (calendar.timezone !== undefined) info.timezone = calendar.timezone;
    if (Object.keys(calendar.settings).length > 0) info.settings = structuredClone(calendar.settings);
    info.rights = [...OWNER_RIGHTS];
    return info;
  }

  private stored(calendarPath: string[], name: string, o: MemoryObject): StoredObject {
    return { url: `${this.urlOf(calendarPath)}${encodeURIComponent(name)}`, version: o.version, ical: o.ical };
  }

  private urlOf(segments: string[]): string {
    return `${this.serverUrl}${segments.map((s) => `${encodeURIComponent(s)}/`).join('')}`;
  }
}

function versionOf(ical: string): string {
  return `"${createHash('sha256').update(ical).digest('hex')}"`;
}
