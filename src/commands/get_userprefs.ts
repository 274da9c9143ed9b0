import type { CalendarRepository } from '../calendars/calendar-repository.js';
import type { StoredSettings } from '../calendars/user-settings.js';
import { defineCommand, type ServerProfile } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock, type WcapProperty, type WcapResult } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/** Preferences every user has until they set their own (docs/lightning.md#user-preferences). */
function defaultPreferences(mail: string): Array<[string, string]> {
  return [
    ['ceDefaultAlarmEmail', mail],
    // Sun's convention: a positive duration before the start; Lightning flips the sign.
    ['ceDefaultAlarmStart', 'PT15M'],
  ];
}

/** `$` and `,` separate entries of icsCalendarOwned / icsSubscribed: keep them out of names. */
const entryName = (name: string) => name.replace(/[$,]/g, ' ');

/**
 * The get_userprefs answer (also set_userprefs'): icsCalendar (the login name, the calid used
 * everywhere else), cn, mail, the user's calendars as icsCalendarOwned and the subscribed ones as
 * icsSubscribed (`calid$name`; a calendar outside the own home has an empty name, as in Sun's
 * example), then the preferences: the stored ones, else the defaults. Costs one Depth 1 PROPFIND
 * of the home (its calendars) and one Depth 0 PROPFIND of it (the stored settings), in parallel.
 */
export async function userPreferencesAnswer(calendars: CalendarRepository, server: ServerProfile, stored?: StoredSettings): Promise<WcapResult> {
  const user = calendars.user;
  const [owned, settings] = await Promise.all([calendars.list(), stored ?? calendars.settings.read()]);
  const names = new Map(owned.map((c) => [c.calid, entryName(c.info.displayName ?? c.info.name)]));
  const subscribed = settings.subscriptions ?? owned.map((c) => c.calid);
  const mail = server.directory.mailOf(user);
  const prefs: Array<[string, string]> = [
    ['icsCalendar', user],
    ['cn', user],
    ['mail', mail],
    ['icsCalendarOwned', owned.map((c) => `${c.calid}$${names.get(c.calid)}`).join(',')],
    ['icsSubscribed', subscribed.map((calid) => `${calid}$${names.get(calid) ?? ''}`).join(',')],
  ];
  const own = settings.preferences;
  const isSet = (name: string) => Object.keys(own).some((k) => k.toLowerCase() === name.toLowerCase());
  for (const [name, value] of defaultPreferences(mail)) if (!isSet(name)) prefs.push([name, value]);
  for (const [name, values] of Object.entries(own)) prefs.push([name, values.join(',')]);
  const props: WcapProperty[] = prefs.map(([name, value]) => ({ name: `X-NSCP-WCAP-PREF-${name}`, value }));
  for (const [name, value] of [
    ['allowchangepassword', 'no'],
    ['allowcreatecalendars', 'yes'],
    ['allowdeletecalendars', 'yes'],
    ['allowpublicwritablecalendars', 'no'],
    ['validateowners', 'no'],
  ] as const) {
    props.push({ name: `X-NSCP-WCAP-SERVER-PREF-${name}`, value });
  }
  return singleBlock(props);
}

/**
 * The user's preferences (docs/lightning.md#user-preferences, docs/wcap-protocol.md#get_userprefs),
 * read from the CalDAV server on every call, so a change made through any replica shows at once.
 * `userid` of another user: 44.
 */
export default defineCommand({
  name: 'get_userprefs',
  needsSession: true,
  failsWith: Errno.GET_USERPREFS_FAILED,
  params: { userid: p.string() },
  async run({ params, calendars, server }) {
    const userid = params.userid?.trim();
    if (userid && userid !== calendars.user) {
      throw new WcapError(Errno.USERPREFS_ACCESS_DENIED, "Access to another user's preferences is denied");
    }
    return userPreferencesAnswer(calendars, server);
  },
});
