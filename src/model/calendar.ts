/** A WCAP calendar id: `user` (default calendar) or `user:name`. */
export type Calid = string;

/** A calendar as the gateway knows it, independent of WCAP or CalDAV wording. */
export interface CalendarInfo {
  /** Absolute URL of the collection (ends with "/"); opaque above backend/. */
  url: string;
  /** Owner's user name (first path segment of the home on Radicale). */
  owner: string;
  /** Collection name (last path segment), e.g. `calendar`. */
  name: string;
  /** Human-readable name (displayname), if set. */
  displayName?: string;
  /** Free text description, if set. */
  description?: string;
  /** IANA TZID of the calendar's default time zone, if known. */
  timezone?: string;
  /** Component types the collection accepts (upper case, e.g. VEVENT, VTODO). Empty = any. */
  componentTypes: string[];
  /**
   * Opaque tag that changes whenever anything in the calendar changes (its content version), when
   * asked for and the server offers one; undefined otherwise. Compared, never interpreted.
   */
  contentTag?: string;
  /** The gateway's own properties of the calendar (those set), when the server returned them. */
  settings?: CalendarSettings;
  /** What the reading user may do (RFC 3744 current-user-privilege-set), when the server says. */
  rights?: AccessRight[];
}

/** One stored calendar object: a whole VCALENDAR holding one UID (master plus overrides). */
export interface StoredObject {
  /** Absolute URL of the object resource; opaque above backend/ and state/. */
  url: string;
  /** Version tag for optimistic concurrency (an ETag); may be empty when the server sent none. */
  version: string;
  /** The complete iCalendar text as stored. */
  ical: string;
}

/** A half-open UTC range [start, end); an absent bound is open. */
export interface TimeRange {
  start?: Date;
  end?: Date;
}

export type ComponentType = 'VEVENT' | 'VTODO';

/** Every component type a calendar item can be, in the order answers list them. */
export const ITEM_TYPES: readonly ComponentType[] = ['VEVENT', 'VTODO'];

/**
 * WCAP calendar properties that CalDAV has no standard property for. The gateway keeps them on the
 * CalDAV server as dead properties of the collection (docs/wcap-protocol.md#calendar-properties),
 * so every replica reads the same values and they outlive the gateway's own state.
 */
export interface CalendarSettings {
  categories?: string[];
  /** Further owners besides the primary one (user ids). */
  owners?: string[];
  /** false: a store may not overlap an opaque event of this calendar (errno 40). Absent: allowed. */
  doubleBooking?: boolean;
  /** Whether the calendar counts in its owner's free/busy. Absent: included. */
  freeBusyInclude?: boolean;
  language?: string;
  charset?: string;
  /** Contact address of the calendar's administrator. */
  calmaster?: string;
}

/** One setting changed: a value sets it, null removes it. */
export type CalendarSettingsChange = { [K in keyof CalendarSettings]?: CalendarSettings[K] | null };

/** A change of a calendar's properties; fields left undefined stay as they are, null removes. */
export interface CalendarChanges {
  displayName?: string | null;
  description?: string | null;
  /** IANA TZID. */
  timezone?: string | null;
  settings?: CalendarSettingsChange;
}

/**
 * What a user may do with a calendar, in the gateway's words (RFC 3744 privileges map onto these in
 * backend/): read its items and properties, see its free/busy time, add and change items, remove
 * items, change its properties, schedule (invite and answer), change who may do what.
 */
export type AccessRight = 'read' | 'free-busy' | 'write' | 'delete' | 'write-properties' | 'schedule' | 'administer';

/** Who an access-control entry is about. */
export type AccessPrincipal = { kind: 'user'; user: string } | { kind: 'everyone' } | { kind: 'owner' };

/** One access-control entry: rights granted or denied to a principal. */
export interface AccessEntry {
  principal: AccessPrincipal;
  rights: AccessRight[];
  grant: boolean;
}
