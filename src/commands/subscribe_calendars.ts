import type { SubscriptionOutcome } from '../calendars/subscriptions.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import type { WcapBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

const PER_CALENDAR: Record<SubscriptionOutcome['result'], { errno: number; message?: string }> = {
  changed: { errno: Errno.OK },
  unchanged: { errno: Errno.OK },
  'no-calendar': { errno: Errno.CALENDAR_DOES_NOT_EXIST, message: 'The calendar does not exist' },
  forbidden: { errno: Errno.ACCESS_DENIED_TO_CALENDAR, message: 'The CalDAV server does not let this user read the calendar' },
};

/**
 * subscribe_calendars / unsubscribe_calendars
 * (docs/wcap-protocol.md#subscribe_calendars-and-unsubscribe_calendars): `calid` is a `;` list. Each calendar is checked with the user's own credentials before it joins the list
 * (29 when it does not exist, 28 when the server refuses to show it), and the answer has one block
 * per calid with its RELATIVE-CALID and its own errno, like get_calprops; the calendars that passed
 * are subscribed even when others failed. The list lives on the CalDAV server (the repository's
 * subscribe/unsubscribe). The command's own errno (73 / 74) is for a request without calids, too
 * many subscriptions, or a list the server would not store. `userid` of another user: 76.
 */
export function subscriptionCommand(name: 'subscribe_calendars' | 'unsubscribe_calendars') {
  const subscribing = name === 'subscribe_calendars';
  const failsWith = subscribing ? Errno.SUBSCRIBE_FAILED : Errno.UNSUBSCRIBE_FAILED;
  return defineCommand({
    name,
    needsSession: true,
    failsWith,
    params: { calid: p.list(), userid: p.string() },
    async run({ params, calendars }) {
      const userid = params.userid?.trim();
      if (userid && userid !== calendars.user) {
        throw new WcapError(Errno.ACCESS_DENIED, "Another user's subscriptions cannot be changed");
      }
      const calids = [...new Set((params.calid ?? []).map((c) => c.trim()).filter((c) => c !== ''))];
      if (calids.length === 0) throw new WcapError(failsWith, 'The calid parameter must name at least one calendar');
      const outcomes = subscribing ? await calendars.subscribe(calids) : await calendars.unsubscribe(calids);
      const blocks = outcomes.map(({ calid, result }): WcapBlock => {
        const { errno, message } = PER_CALENDAR[result];
        return {
          properties: [{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: calid }],
          components: [],
          errno,
          ...(message ? { errnoMessage: message } : {}),
        };
      });
      return { blocks };
    },
  });
}

export default subscriptionCommand('subscribe_calendars');
