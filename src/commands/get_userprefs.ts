import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock, type WcapProperty } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * The user's preferences (docs/lightning.md#user-preferences): icsCalendar is the calid used everywhere
 * else (the login name), mail, cn, and the user's calendars as icsCalendarOwned / icsSubscribed
 * `calid$name` entries so Lightning registers the other calendars of the CalDAV home. Costs one
 * PROPFIND of the calendar home (Depth 1 over the home, never over a calendar).
 */
export default defineCommand({
  name: 'get_userprefs',
  needsSession: true,
  failsWith: Errno.GET_USERPREFS_FAILED,
  params: { userid: p.string() },
  async run({ params, calendars, server }) {
    const user = calendars.user;
    const userid = params.userid?.trim();
    if (userid && userid !== user) {
      throw new WcapError(Errno.USERPREFS_ACCESS_DENIED, "Access to another user's preferences is denied");
    }
    // `$` and `,` separate entries: keep them out of display names.
    const entries = (await calendars.list()).map((c) => `${c.calid}$${(c.info.displayName ?? c.info.name).replace(/[$,]/g, ' ')}`);
    const mail = server.directory.mailOf(user);
    const prefs: Array<[string, string]> = [
      ['icsCalendar', user],
      ['cn', user],
      ['mail', mail],
      ['icsCalendarOwned', entries.join(',')],
      ['icsSubscribed', entries.join(',')],
      ['ceDefaultAlarmEmail', mail],
      // Sun's convention: a positive duration before the start; Lightning flips the sign (docs/lightning.md#user-preferences).
      ['ceDefaultAlarmStart', 'PT15M'],
    ];
    const props: WcapProperty[] = prefs.map(([name, value]) => ({ name: `X-NSCP-WCAP-PREF-${name}`, value }));
    for (const [name, value] of [
      ['allowchangepassword', 'no'],
      ['allowcreatecalendars', 'no'],
      ['allowdeletecalendars', 'no'],
      ['allowpublicwritablecalendars', 'no'],
      ['validateowners', 'no'],
    ] as const) {
      props.push({ name: `X-NSCP-WCAP-SERVER-PREF-${name}`, value });
    }
    return singleBlock(props);
  },
});
