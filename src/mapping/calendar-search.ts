import type { CalendarInfo } from '../model/calendar.js';

/**
 * `searchOpts` (docs/wcap-protocol.md#search_calprops): 0 CONTAINS (default), 1 BEGINS_WITH,
 * 2 ENDS_WITH, 3 EXACT.
 */
export type SearchMode = 'contains' | 'begins' | 'ends' | 'exact';

export const SEARCH_MODES: readonly SearchMode[] = ['contains', 'begins', 'ends', 'exact'];

/** Which calendar properties a search looks at. */
export interface SearchFields {
  name: boolean;
  calid: boolean;
  primaryOwner: boolean;
}

/**
 * The fields searched, from the 0/1 flags as sent (undefined = not sent). Every flag defaults to 0,
 * except that `calid` defaults to 1 when both `primaryOwner` and `name` are 1; an explicit calid=0
 * still wins. With no field selected nothing can match (docs/wcap-protocol.md#search_calprops; no
 * client sends that: Lightning sends all three, docs/lightning.md#calendar-search).
 */
export function searchFields(flags: { name?: boolean; calid?: boolean; primaryOwner?: boolean }): SearchFields {
  const name = flags.name ?? false;
  const primaryOwner = flags.primaryOwner ?? false;
  return { name, primaryOwner, calid: flags.calid ?? (name && primaryOwner) };
}

/** The values of one calendar a search compares, as the client sees them in its calprops. */
export interface SearchableCalendar {
  calid: string;
  name: string;
  primaryOwner: string;
}

/**
 * True when any selected field matches `text` in the given way, ignoring case (Unicode
 * lower-casing of NFC-normalised text, so `Müller` finds `MÜLLER`).
 */
export function matchesSearch(calendar: SearchableCalendar, text: string, mode: SearchMode, fields: SearchFields): boolean {
  const needle = fold(text);
  const candidates = [fields.calid && calendar.calid, fields.name && calendar.name, fields.primaryOwner && calendar.primaryOwner];
  return candidates.some((value) => typeof value === 'string' && matches(fold(value), needle, mode));
}

function matches(value: string, needle: string, mode: SearchMode): boolean {
  switch (mode) {
    case 'contains':
      return value.includes(needle);
    case 'begins':
      return value.startsWith(needle);
    case 'ends':
      return value.endsWith(needle);
    case 'exact':
      return value === needle;
  }
}

function fold(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/**
 * The calid of a calendar in the user's home (docs/architecture.md#identity-and-data-mapping):
 * `owner` for the default calendar, `owner:name` for any other.
 */
export function calidOfCalendar(calendar: CalendarInfo, defaultCalendar: string): string {
  return calendar.name === defaultCalendar ? calendar.owner : `${calendar.owner}:${calendar.name}`;
}
