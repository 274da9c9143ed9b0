import { itemComponents, parseCalendarObject } from '../mapping/calendar-object.js';
import { occurrencesIn } from '../mapping/expand.js';
import { busyPeriods, freeBusyComponent, freePeriods } from '../mapping/freebusy.js';
import { toInstant } from '../mapping/ical-time.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import { defineCommand, sessionOf } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { WcapError } from '../wcap/wcap-error.js';
import { credentialsOf } from './shared/calendars.js';
import { perCalendar } from './shared/per-calendar.js';

const GET_FREEBUSY_FAILED = 39;
const DAY_MS = 86_400_000;

/**
 * Busy periods computed in the gateway (Radicale 3.1.8 has no free-busy REPORT): opaque events of
 * the named calendars, recurring ones expanded. calid may be `mailto:` addresses (Lightning's
 * attendee lookups); unknown users → 29, calendars the user may not see → 28.
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
    duration: p.int({ min: 1, max: 3660, fallback: 60 }),
  },
  async run(ctx) {
    const { params, deps } = ctx;
    const tzid = params.tzid?.trim() || undefined;
    if (tzid && !isKnownTimezone(tzid)) throw new WcapError(18, 'Unknown time zone in parameter tzid');
    const start = params.dtstart ? toInstant(params.dtstart, tzid) : new Date(deps.clock.now());
    const end = params.dtend ? toInstant(params.dtend, tzid) : new Date(start.getTime() + (params.duration ?? 60) * DAY_MS);
    if (end <= start) throw new WcapError(GET_FREEBUSY_FAILED, 'dtend is not after dtstart');
    const credentials = credentialsOf(sessionOf(ctx));
    return perCalendar(ctx, GET_FREEBUSY_FAILED, async (calendar) => {
      const objects = await deps.backend.queryRange(credentials, calendar.info.url, ['VEVENT'], { start, end });
      const occurrences = objects.flatMap((o) => occurrencesIn(itemComponents(parseCalendarObject(o.ical), 'VEVENT'), start, end));
      const busy = busyPeriods(occurrences, start, end);
      const periods = params.busyonly ? busy : [...busy, ...freePeriods(busy, start, end)];
      periods.sort((a, b) => a.start.getTime() - b.start.getTime());
      return { components: [freeBusyComponent(periods, start, end)] };
    });
  },
});
