import { PREFERENCE_LIMITS } from '../calendars/user-settings.js';
import { applyPreferenceChanges, isSettablePreference, parsePreferenceChanges, PreferenceRefusal, type PreferenceValues } from '../mapping/user-preferences.js';

export interface PreferenceMerge {
  /** The preferences to store: the new server's, plus the added ones. */
  preferences: PreferenceValues;
  /** Names added from the old server. */
  added: string[];
  /** Names the new server has already: its values are kept. */
  already: string[];
  /** Names set_userprefs would refuse, with the reason; the rest is copied regardless. */
  skipped: Array<{ name: string; reason: string }>;
}

/**
 * The old server's user-settable preferences added to the new server's (docs/wcap-protocol.md#set_userprefs):
 * a name the new server has keeps the new server's values; account and server values (cn, mail,
 * icsCalendar, icsSubscribed …) are not preferences and are left out silently. Each added
 * preference passes set_userprefs' checks and limits; one that does not is skipped as a whole.
 */
export function mergePreferences(current: PreferenceValues, old: PreferenceValues): PreferenceMerge {
  const has = (prefs: PreferenceValues, name: string) => Object.keys(prefs).some((k) => k.toLowerCase() === name.toLowerCase());
  const merge: PreferenceMerge = { preferences: applyPreferenceChanges(current, []), added: [], already: [], skipped: [] };
  for (const [name, values] of Object.entries(old)) {
    if (!isSettablePreference(name)) continue;
    if (has(current, name)) {
      merge.already.push(name);
      continue;
    }
    const reason = overLimit(name, values, Object.keys(merge.preferences).length);
    if (reason !== undefined) {
      merge.skipped.push({ name, reason });
      continue;
    }
    try {
      merge.preferences = applyPreferenceChanges(merge.preferences, parsePreferenceChanges({ add: values.map((value) => `${name}=${value}`) }));
      merge.added.push(name);
    } catch (err) {
      if (!(err instanceof PreferenceRefusal)) throw err;
      merge.skipped.push({ name, reason: err.message });
    }
  }
  return merge;
}

function overLimit(name: string, values: readonly string[], count: number): string | undefined {
  if (name.length > PREFERENCE_LIMITS.nameLength) return `name longer than ${PREFERENCE_LIMITS.nameLength} characters`;
  if (values.length > PREFERENCE_LIMITS.values) return `more than ${PREFERENCE_LIMITS.values} values`;
  if (values.some((v) => v.length > PREFERENCE_LIMITS.valueLength)) return `a value longer than ${PREFERENCE_LIMITS.valueLength} characters`;
  if (count >= PREFERENCE_LIMITS.count) return `more than ${PREFERENCE_LIMITS.count} preferences`;
  return undefined;
}
