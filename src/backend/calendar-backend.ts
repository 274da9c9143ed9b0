import type { BackendCredentials } from '../model/session.js';
import type { AddedAttachment, ManagedBytes, ManagedFile } from './managed-attachments.js';
import type { AccessEntry, CalendarChanges, CalendarInfo, CalendarSettings, ComponentType, StoredObject, TimeRange } from '../model/calendar.js';

/** Where a user's calendars live, discovered once at login and kept in the session. */
export interface UserHome {
  principalUrl: string;
  /** Absolute URL, ends with "/". */
  calendarHomeUrl: string;
  /**
   * The user's default calendar (absolute, ends with "/"): from discovery, the server's
   * schedule-default-calendar-URL (RFC 6638) when it has one; after login, the calendar the
   * gateway settled on (docs/caldav-servers.md#discovery).
   */
  defaultCalendarUrl?: string;
  /**
   * The login name the home belongs to. Other users' homes are found by replacing the path
   * segment that carries it; a home whose path does not carry it has no other users' homes.
   */
  user?: string;
}

/** Outcome of {@link CalendarBackend.syncChanges}. */
export interface SyncChanges {
  /** Token to pass next time (opaque, never empty). Unchanged when nothing changed. */
  token: string;
  /** Objects created or changed since the token (every object on an initial sync), with data. */
  changed: StoredObject[];
  /**
   * URLs of objects removed since the token. May name objects that were created after the token
   * and removed again; always empty on an initial sync.
   */
  deleted: string[];
}

/**
 * The gateway's only view of the calendar server. Every method:
 * - authenticates with the credentials passed in (no state is kept between calls);
 * - throws GatewayError (model/errors.ts) and nothing else: 'unauthorized' for rejected credentials,
 *   'forbidden' for 403, 'unavailable' for connection failures and timeouts, 'backend' for any other
 *   unexpected answer; the more specific kinds are listed per method;
 * - has a bounded duration (the implementation applies a timeout to every request).
 * URLs passed in are ones this interface returned earlier (or built by `calendarUrl`).
 */
export interface CalendarBackend {
  /**
   * Validates the credentials and discovers principal and calendar home.
   * Throws 'unauthorized' when the server rejects the credentials.
   */
  discoverHome(credentials: BackendCredentials): Promise<UserHome>;

  /**
   * URL of the calendar collection `name` of `owner`, given the logged-in user's home. Throws
   * 'no-calendar' when the server's layout gives other users no addressable home (see UserHome.user).
   */
  calendarUrl(home: UserHome, owner: string, name: string): string;

  /**
   * Reads a calendar collection's properties (one Depth 0 PROPFIND). With `contentTag` the answer
   * also carries the collection's content version (CalendarInfo.contentTag) when the server has
   * one; on some servers that costs as much as walking the whole collection, so ask only when it is
   * needed. Returns null when it does not exist (404) or is not a calendar; throws 'forbidden' when
   * the user may not see it.
   */
  getCalendar(credentials: BackendCredentials, url: string, options?: { contentTag?: boolean }): Promise<CalendarInfo | null>;

  /** Lists the calendars in the user's own home (one PROPFIND of the home, never of a calendar). */
  listCalendars(credentials: BackendCredentials, home: UserHome): Promise<CalendarInfo[]>;

  /**
   * Creates a calendar collection accepting VEVENT and VTODO, with all of `props` in the same request;
   * returns it. 'exists' if taken.
   */
  createCalendar(
    credentials: BackendCredentials,
    url: string,
    props: { displayName?: string; description?: string; timezone?: string; settings?: CalendarSettings },
  ): Promise<CalendarInfo>;

  /**
   * Changes a calendar's properties in one request that the server applies whole or not at all
   * (PROPPATCH, RFC 4918 §9.2). Throws 'no-calendar' when it does not exist, 'forbidden' when the
   * user may not change it, 'invalid' for a time zone the gateway cannot describe.
   */
  updateCalendar(credentials: BackendCredentials, url: string, changes: CalendarChanges): Promise<void>;

  /** Deletes a calendar collection and everything in it. Throws 'no-calendar' when it does not exist. */
  deleteCalendar(credentials: BackendCredentials, url: string): Promise<void>;

  /**
   * Replaces the calendar's access-control list with `entries` where the server takes one (WebDAV
   * ACL, RFC 3744): 'applied'. 'unsupported' when the server keeps rights elsewhere; nothing is
   * changed then. `home` is the logged-in user's (other users' principals are derived from it).
   */
  setCalendarAcl(credentials: BackendCredentials, home: UserHome, url: string, entries: readonly AccessEntry[]): Promise<'applied' | 'unsupported'>;

  /**
   * Objects containing a component of one of `types` that overlaps `range` (recurrence-aware as far
   * as the server is). One REPORT per type when a bound is given (RFC 4791 ANDs sibling
   * comp-filters), one in all when both bounds are open; objects whose individual status is an
   * error are skipped.
   */
  queryRange(
    credentials: BackendCredentials,
    calendarUrl: string,
    types: ComponentType[],
    range: TimeRange,
  ): Promise<StoredObject[]>;

  /**
   * The object whose components carry exactly `uid` (one REPORT with a UID filter per type in
   * `types`, default both), or null. Cost grows with the calendar's size on Radicale 3.1.8.
   */
  findByUid(
    credentials: BackendCredentials,
    calendarUrl: string,
    uid: string,
    types?: readonly ComponentType[],
  ): Promise<StoredObject | null>;

  /** The URL `createObject` uses for `uid` in a calendar (no request). */
  objectUrlFor(calendarUrl: string, uid: string): string;

  /** GET one object; null on 404. */
  getObject(credentials: BackendCredentials, url: string): Promise<StoredObject | null>;

  /**
   * Creates a new object (If-None-Match: *) at `<calendarUrl><safe uid>.ics`.
   * Throws 'exists' when the resource or the UID already exists, 'invalid' when the server refuses
   * the data (400/415/422).
   */
  createObject(credentials: BackendCredentials, calendarUrl: string, uid: string, ical: string): Promise<StoredObject>;

  /**
   * Replaces an existing object (If-Match: version). Throws 'changed' when the version no longer
   * matches or the object vanished, 'invalid' when the server refuses the data.
   */
  updateObject(credentials: BackendCredentials, object: StoredObject, ical: string): Promise<StoredObject>;

  /** Deletes an object (If-Match: version). Throws 'changed' on mismatch; 'not-found' when gone. */
  deleteObject(credentials: BackendCredentials, object: StoredObject): Promise<void>;

  /** ETag and data of objects of one calendar by URL; objects that no longer exist are left out. */
  fetchObjects(credentials: BackendCredentials, calendarUrl: string, urls: readonly string[]): Promise<StoredObject[]>;

  /**
   * Changes of a calendar since `token` (RFC 6578 sync-collection). Without a token:
   * an initial sync listing every object with its data (cost grows with the calendar). Throws
   * 'changed' when the server refuses the token (expired, pruned, from another collection): the
   * caller then syncs again without one. 'not-found' when the calendar does not exist.
   */
  syncChanges(credentials: BackendCredentials, calendarUrl: string, token: string | undefined): Promise<SyncChanges>;

  /**
   * Calendar homes (absolute URLs ending in "/") of the other users the server lets this user see,
   * at most `limit`, never the user's own (see visible-homes.ts for the requests).
   */
  listOtherHomes(credentials: BackendCredentials, home: UserHome, limit: number): Promise<string[]>;

  /**
   * The gateway's own dead properties (GATEWAY_NS in gateway-properties.ts) of a collection, e.g.
   * the user's calendar home: one Depth 0 PROPFIND; absent properties are left out of the answer.
   */
  readGatewayProperties(credentials: BackendCredentials, url: string, names: readonly string[]): Promise<Record<string, string>>;

  /**
   * Sets (string) or removes (null) gateway dead properties of a collection in one PROPPATCH, all
   * or nothing. Throws 'forbidden' when the server refuses.
   */
  writeGatewayProperties(credentials: BackendCredentials, url: string, values: Readonly<Record<string, string | null>>): Promise<void>;

  /**
   * Whether the server delivers invitations and replies itself (RFC 6638 automatic scheduling), so
   * the gateway must not mail them. `url` is a calendar or home the user may read. Asked of the
   * server once per process.
   */
  schedulesInvitations(credentials: BackendCredentials, url: string): Promise<boolean>;

  /**
   * Whether the server keeps files apart from objects (RFC 8607 `calendar-managed-attachments`
   * DAV class on an OPTIONS of `url`, a calendar or home of the user's). Asked once per process.
   */
  managesAttachments(credentials: BackendCredentials, url: string): Promise<boolean>;

  /**
   * Hands `file` to the server as a managed attachment of `object` (one POST, If-Match its
   * version); returns the server's id for it and the object as it now is. 'changed' when the
   * object changed meanwhile, 'invalid' when the server refuses the file.
   */
  addManagedAttachment(credentials: BackendCredentials, object: StoredObject, file: ManagedFile): Promise<AddedAttachment>;

  /**
   * The bytes of a managed attachment of `object` (one GET), only from the object's origin and up
   * to `maxBytes`; null otherwise or when it is gone.
   */
  readManagedAttachment(credentials: BackendCredentials, object: StoredObject, attachmentUrl: string, maxBytes: number): Promise<ManagedBytes | null>;
}
