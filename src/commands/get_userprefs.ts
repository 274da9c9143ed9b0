import { defineCommand, sessionOf } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { singleBlock, type WcapProperty } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';
import { credentialsOf, homeOf } from './shared/calendars.js';

const USERPREFS_ACCESS_DENIED = 44;

/**
 * The user's preferences (lightning-client.md §4.5a): icsCalendar is the calid used everywhere
 * else (the login name), mail, cn, and the user's calendars as icsCalendarOwned / icsSubscribed
 * `calid$name` entries so Lightning registers the other calendars of the CalDAV home. Costs one
 * PROPFIND of the calendar home (Depth 1 over the home, never over a calendar).
 */
export default defineCommand({
  name: 'get_userprefs',
  needsSession: true,
  failsWith: 61,
  params: { userid: p.string() },
  async run(ctx) {
    const session = sessionOf(ctx);
    const { deps } = ctx;
    const userid = ctx.params.userid?.trim();
    if (userid && userid !== session.user) {
      throw new WcapError(USERPREFS_ACCESS_DENIED, "Access to another user's preferences is denied");
    }
    const calendars = await deps.backend.listCalendars(credentialsOf(session), homeOf(session));
    const entries = calendars
      .map((c) => {
        const calid = c.name === deps.config.defaultCalendar ? session.user : `${session.user}:${c.name}`;
        // `$` and `,` separate entries: keep them out of display names.
        return `${calid}$${(c.displayName ?? c.name).replace(/[$,]/g, ' ')}`;
      })
      .sort((a, b) => (a.startsWith(`${session.user}$`) ? -1 : b.startsWith(`${session.user}$`) ? 1 : a.localeCompare(b)));
    const mail = deps.directory.mailOf(session.user);
    const prefs: Array<[string, string]> = [
      ['icsCalendar', session.user],
      ['cn', session.user],
      ['mail', mail],
      ['icsCalendarOwned', entries.join(',')],
      ['icsSubscribed', entries.join(',')],
      ['ceDefaultAlarmEmail', mail],
      // Sun's convention: a positive duration before the start; Lightning flips the sign (§4.5a).
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
