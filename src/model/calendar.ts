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
