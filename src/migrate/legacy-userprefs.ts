import type ICAL from 'ical.js';
import { SETTABLE_DIRECTORY_PREFS, type PreferenceValues } from '../mapping/user-preferences.js';
import { calendarList, type LegacyCalendarList } from './legacy-calendars.js';
import type { LegacySession } from './legacy-client.js';

/** What the migration reads from the old server's get_userprefs answer (docs/wcap-protocol.md#get_userprefs). */
export interface LegacyUserPrefs {
  calendars: LegacyCalendarList;
  /** Every `X-NSCP-WCAP-PREF-…` line by name; sorting out what may be copied is mergePreferences' job. */
  preferences: PreferenceValues;
}

const PREFIX = 'x-nscp-wcap-pref-';

/**
 * Clients look preferences up by their exact spelling (Lightning: `ceDefaultAlarmStart`,
 * docs/lightning.md#user-preferences). A server that writes names in capitals, as iCalendar writers
 * may, has lost it: documented names get their spelling back, others are kept as written.
 */
const DOCUMENTED_SPELLINGS = new Map(
  ['ceDefaultAlarmStart', 'ceDefaultAlarmEmail', 'ceNotifyEmail', ...SETTABLE_DIRECTORY_PREFS].map((name) => [name.toLowerCase(), name]),
);

/** One get_userprefs request: the user's calendars and preferences. */
export async function readUserPrefs(session: LegacySession): Promise<LegacyUserPrefs> {
  const { calendars, text } = await session.answer('get_userprefs', { userid: session.user });
  return { calendars: calendarList(calendars, session.user), preferences: preferencesOf(calendars, text) };
}

/**
 * The preferences of an answer, each line one value; a name on several lines (compared without
 * case, as LDAP attribute names are) has several values. A multi-valued preference written as one
 * comma-separated line stays one value, which answers clients the same text.
 */
export function preferencesOf(answer: readonly ICAL.Component[], text: string): PreferenceValues {
  const spellings = writtenSpellings(text);
  const preferences: PreferenceValues = {};
  for (const calendar of answer) {
    for (const property of calendar.getAllProperties()) {
      if (!property.name.startsWith(PREFIX)) continue;
      const lower = property.name.slice(PREFIX.length);
      const name = spellings.get(lower) ?? lower;
      const key = Object.keys(preferences).find((k) => k.toLowerCase() === lower) ?? name;
      const value = property.getFirstValue();
      (preferences[key] ??= []).push(value === null || value === undefined ? '' : String(value));
    }
  }
  return preferences;
}

/** Preference names as the answer's text writes them, by their lower-case form. */
function writtenSpellings(text: string): Map<string, string> {
  const spellings = new Map<string, string>();
  for (const match of text.replace(/\r?\n[ \t]/g, '').matchAll(/^X-NSCP-WCAP-PREF-([A-Za-z0-9-]+)[;:]/gim)) {
    const written = match[1]!;
    const lower = written.toLowerCase();
    if (spellings.has(lower)) continue;
    const lostCase = written === lower || written === written.toUpperCase();
    spellings.set(lower, lostCase ? (DOCUMENTED_SPELLINGS.get(lower) ?? written) : written);
  }
  return spellings;
}
