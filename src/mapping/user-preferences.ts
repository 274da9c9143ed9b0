/**
 * Which user preferences a WCAP client may set, and how set_userprefs' `del_attrs`, `set_attrs`
 * and `add_attrs` change them (docs/wcap-protocol.md#set_userprefs). Pure: no I/O.
 *
 * Settable are the client's own preferences: every `ce…` name (the 3.x guide's advice for
 * calendar-client preferences, e.g. ceBgcolor, ceDefaultAlarmStart) and the few directory
 * preferences Sun let users change themselves. Everything else that get_userprefs shows comes from
 * the CalDAV server (calendars, subscriptions) or the user's account (cn, mail) and is refused.
 */

/** Preferences by name; each has one or more values. */
export type PreferenceValues = Record<string, string[]>;

/** User-settable directory preferences besides the `ce…` ones (compared without case), spelt as Sun documented them. */
export const SETTABLE_DIRECTORY_PREFS = ['preferredlanguage', 'icsTimezone', 'icsFirstDay', 'icsDefaultSet', 'icsSet', 'icsFreeBusy', 'icsExtendedUserPrefs'];

const NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** Why a change was refused: a malformed request (errno 26) or a preference the user may not set (errno 44). */
export class PreferenceRefusal extends Error {
  constructor(
    readonly reason: 'malformed' | 'not-settable',
    message: string,
  ) {
    super(message);
    this.name = 'PreferenceRefusal';
  }
}

export function isSettablePreference(name: string): boolean {
  const lower = name.toLowerCase();
  return (lower.startsWith('ce') && lower.length > 2) || SETTABLE_DIRECTORY_PREFS.some((n) => n.toLowerCase() === lower);
}

/** One requested change, parsed and checked. */
interface Change {
  op: 'del' | 'set' | 'add';
  name: string;
  value?: string;
}

function parseItem(op: Change['op'], item: string): Change {
  const eq = item.indexOf('=');
  const name = (eq < 0 ? item : item.slice(0, eq)).trim();
  if (!NAME.test(name)) throw new PreferenceRefusal('malformed', 'A preference name must be letters, digits and "-" (at most 64), starting with a letter');
  if (!isSettablePreference(name)) {
    const hint = name.toLowerCase() === 'icssubscribed' ? '; use subscribe_calendars and unsubscribe_calendars' : '';
    throw new PreferenceRefusal('not-settable', `Preference ${name} cannot be set by the user: it comes from the calendar server or the account${hint}`);
  }
  if (eq < 0) {
    if (op !== 'del') throw new PreferenceRefusal('malformed', `Expected name=value for preference ${name}`);
    return { op, name };
  }
  const value = item.slice(eq + 1);
  if (name.toLowerCase() === 'cedefaultalarmstart' && !isDuration(value)) {
    // Clients parse this one as an ISO 8601 duration (docs/lightning.md#user-preferences).
    throw new PreferenceRefusal('malformed', 'ceDefaultAlarmStart must be a duration such as PT15M');
  }
  return { op, name, value };
}

/** An ISO 8601 duration as clients read ceDefaultAlarmStart, Sun's `P15M` (no `T`) included. */
function isDuration(value: string): boolean {
  return /\d/.test(value) && /^-?P(?:\d+W|\d+[HMS]|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$/.test(value);
}

/** The changes of one set_userprefs request, in the order they apply: deletions, replacements, additions. */
export function parsePreferenceChanges(request: { del?: string[]; set?: string[]; add?: string[] }): Change[] {
  const items = (op: Change['op'], list: string[] | undefined) => (list ?? []).filter((item) => item.trim() !== '').map((item) => parseItem(op, item));
  return [...items('del', request.del), ...items('set', request.set), ...items('add', request.add)];
}

/**
 * `current` with the changes applied (a new object). Names are matched without case, as LDAP
 * attribute names are, and keep the spelling they were first set with. `del` without a value
 * removes the preference, with one removes that value; `set` replaces all values; `add` adds a
 * value (kept once).
 */
export function applyPreferenceChanges(current: PreferenceValues, changes: readonly Change[]): PreferenceValues {
  const next: PreferenceValues = Object.fromEntries(Object.entries(current).map(([k, v]) => [k, [...v]]));
  const keyOf = (name: string) => Object.keys(next).find((k) => k.toLowerCase() === name.toLowerCase());
  for (const change of changes) {
    const key = keyOf(change.name);
    if (change.op === 'del') {
      if (key === undefined) continue;
      const left = change.value === undefined ? [] : next[key]!.filter((v) => v !== change.value);
      if (left.length === 0) delete next[key];
      else next[key] = left;
    } else if (change.op === 'set' || key === undefined) {
      if (key !== undefined) delete next[key];
      next[key ?? change.name] = [change.value!];
    } else if (!next[key]!.includes(change.value!)) {
      next[key]!.push(change.value!);
    }
  }
  return next;
}
