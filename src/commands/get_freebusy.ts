import { itemComponents, parseCalendarObject } from '../mapping/calendar-object.js';
import { occurrencesIn } from '../mapping/expand.js';
import { busyPeriods, freeBusyComponent, freePeriods } from '../mapping/freebusy.js';
import { toInstant } from '../mapping/ical-time.js';
import { defineCommand, sessionOf } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { WcapError } from '../wcap/wcap-error.js';
import { credentialsOf } from './shared/calendars.js';
import { fetchSettings } from './shared/fetch-params.js';
import { perCalendar } from './shared/per-calendar.js';

const GET_FREEBUSY_FAILED = 39;
const DAY_MS = 86_400_000;

/**
 * Busy periods computed in the gateway (Radicale 3.1.8 has no free-busy REPORT, architecture.md
 * §5): opaque events of each named calendar, recurring ones expanded in their own zones, typed by
 * TRANSP, STATUS and the calendar owner's own PARTSTAT (mapping/freebusy.ts). One block per calid,
 * each with its own errno: `mailto:` addresses outside the mail domain → 29, calendars the user
 * may not see → 28 (Lightning ignores both, lightning-client.md §8.2). Range: dtstart (default
 * now) to dtend (default dtstart + `duration` days, default 60). Periods are always UTC with
 * explicit ends (RFC 5545 §3.8.2.6; Lightning reads no durations), so `tzidout` is validated but
 * changes nothing; `busyonly=0` adds the FREE gaps.
 */
export default defineCommand({
  name: 'get_freebusy',
  needsSession: true,
  failsWith: GET_FREEBUSY_FAILED,
  params: {
    calid: p.list(),
    dtstart: p.date(),
    dtend: p.date(),
    busyonly: p.flag(true),
    tzid: p.string(),
    tzidout: p.string(),
    duration: p.int({ min: 1, max: 3660, fallback: 60 }),
  },
  async run(ctx) {
    const { params, deps } = ctx;
    const settings = fetchSettings(params, deps, ctx.format);
    const start = params.dtstart ? toInstant(params.dtstart, settings.tzid) : new Date(deps.clock.now());
    const end = params.dtend ? toInstant(params.dtend, settings.tzid) : new Date(start.getTime() + (params.duration ?? 60) * DAY_MS);
    if (end <= start) throw new WcapError(GET_FREEBUSY_FAILED, 'dtend is not after dtstart');
    const credentials = credentialsOf(sessionOf(ctx));
    return perCalendar(ctx, GET_FREEBUSY_FAILED, async (calendar) => {
      const objects = await deps.backend.queryRange(credentials, calendar.info.url, ['VEVENT'], { start, end });
      const options = { limits: settings.limits, floatingZone: calendar.info.timezone, used: { total: 0 } };
      const occurrences = objects.flatMap((o) => occurrencesIn(itemComponents(parseCalendarObject(o.ical), 'VEVENT'), start, end, options));
      const busy = busyPeriods(occurrences, start, end, { user: calendar.info.owner, directory: deps.directory });
      const periods = params.busyonly ? busy : [...busy, ...freePeriods(busy, start, end)];
      periods.sort((a, b) => a.start.getTime() - b.start.getTime());
      return { components: [freeBusyComponent(periods, start, end)] };
    });
  },
});
