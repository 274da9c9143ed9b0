import { occurrencesIn } from '../mapping/expand.js';
import { busyPeriods, freeBusyComponent, freePeriods } from '../mapping/freebusy.js';
import { toInstant } from '../mapping/ical-time.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { fetchSettings } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';
import { WcapError } from '../wcap/wcap-error.js';

const DAY_MS = 86_400_000;

/**
 * Busy periods computed in the gateway (Radicale 3.1.8 has no free-busy REPORT,
 * docs/caldav-servers.md#free-busy-query): opaque events of each named calendar, recurring ones
 * expanded in their own zones, typed by TRANSP, STATUS and the calendar owner's own PARTSTAT
 * (mapping/freebusy.ts). One block per calid, each with its own errno: `mailto:` addresses outside
 * the mail domain → 29, calendars the user may not see → 28 (Lightning ignores both,
 * docs/lightning.md#free-busy). Range: dtstart (default now) to dtend (default dtstart + `duration`
 * days, default 60). A calendar excluded from free/busy (`fbinclude=0`, docs/wcap-protocol.md#set_calprops)
 * shows no busy time. Periods are always UTC with explicit ends (RFC 5545 §3.8.2.6; Lightning reads
 * no durations), so `tzidout` is validated but changes nothing; `busyonly=0` adds the FREE gaps.
 */
export default defineCommand({
  name: 'get_freebusy',
  needsSession: true,
  failsWith: Errno.GET_FREEBUSY_FAILED,
  params: {
    calid: p.list(),
    dtstart: p.date(),
    dtend: p.date(),
    busyonly: p.flag(true),
    tzid: p.string(),
    tzidout: p.string(),
    duration: p.int({ min: 1, max: 3660, fallback: 60 }),
  },
  async run({ params, calendars, server, clock }) {
    const settings = fetchSettings(params, server);
    const start = params.dtstart ? toInstant(params.dtstart, settings.tzid) : new Date(clock.now());
    const end = params.dtend ? toInstant(params.dtend, settings.tzid) : new Date(start.getTime() + (params.duration ?? 60) * DAY_MS);
    if (end <= start) throw new WcapError(Errno.GET_FREEBUSY_FAILED, 'dtend is not after dtstart');
    return perCalendar(calendars, params.calid, Errno.GET_FREEBUSY_FAILED, async (calendar) => {
      const items = await calendar.query({ start, end }, ['VEVENT']);
      const info = await calendar.properties();
      const options = { limits: settings.limits, floatingZone: info.timezone, used: { total: 0 } };
      const occurrences = items.flatMap((item) => occurrencesIn(item.components, start, end, options));
      // A calendar its owner excluded from free/busy (set_calprops fbinclude=0) shows all time free.
      const included = info.settings?.freeBusyInclude !== false;
      const busy = included ? busyPeriods(occurrences, start, end, { user: calendar.owner, directory: server.directory }) : [];
      const periods = params.busyonly ? busy : [...busy, ...freePeriods(busy, start, end)];
      periods.sort((a, b) => a.start.getTime() - b.start.getTime());
      return { components: [freeBusyComponent(periods, start, end)] };
    });
  },
});
