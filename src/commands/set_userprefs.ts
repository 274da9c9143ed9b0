import { applyPreferenceChanges, parsePreferenceChanges, PreferenceRefusal } from '../mapping/user-preferences.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { WcapError } from '../wcap/wcap-error.js';
import { userPreferencesAnswer } from './get_userprefs.js';

/**
 * set_userprefs (3.x parameters, docs/wcap-protocol.md#set_userprefs): `del_attrs`, `set_attrs`
 * and `add_attrs` are `;` lists of `name=value` (del_attrs also plain names), applied in that
 * order; the answer is get_userprefs'. Preferences are kept on the CalDAV server as a dead property
 * of the user's calendar home: one PROPFIND to read them, one PROPPATCH to write them (none when
 * nothing changes), then get_userprefs' reads. The whole request is checked before anything is
 * written: a preference the user may not set (account and calendar-server values, icsSubscribed)
 * → 44 and nothing changes; a malformed item or a limit passed → 26.
 */
export default defineCommand({
  name: 'set_userprefs',
  needsSession: true,
  failsWith: Errno.SET_USERPREFS_FAILED,
  params: { del_attrs: p.list(), set_attrs: p.list(), add_attrs: p.list(), userid: p.string() },
  async run({ params, calendars, server }) {
    const userid = params.userid?.trim();
    if (userid && userid !== calendars.user) throw new WcapError(Errno.USERPREFS_ACCESS_DENIED, "Another user's preferences cannot be changed");
    let changes;
    try {
      changes = parsePreferenceChanges({ del: params.del_attrs, set: params.set_attrs, add: params.add_attrs });
    } catch (err) {
      if (!(err instanceof PreferenceRefusal)) throw err;
      throw new WcapError(err.reason === 'not-settable' ? Errno.USERPREFS_ACCESS_DENIED : Errno.SET_USERPREFS_FAILED, err.message);
    }
    const settings = calendars.settings;
    const stored = await settings.read();
    if (changes.length === 0) return userPreferencesAnswer(calendars, server, stored);
    const preferences = applyPreferenceChanges(stored.preferences, changes);
    if (JSON.stringify(preferences) !== JSON.stringify(stored.preferences)) await settings.writePreferences(preferences);
    return userPreferencesAnswer(calendars, server, { ...stored, preferences });
  },
});
