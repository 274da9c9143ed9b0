import { itemComponents, parseCalendarObject } from '../mapping/calendar-object.js';
import { toInstant } from '../mapping/ical-time.js';
import { itemsForOutput } from '../mapping/item-output.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import type { TimeRange } from '../model/calendar.js';
import { defineCommand, sessionOf } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { WcapError } from '../wcap/wcap-error.js';
import { credentialsOf } from './shared/calendars.js';
import { componentTypeParam, fetchOutputParams, typesOf } from './shared/fetch-params.js';
import { perCalendar } from './shared/per-calendar.js';

const FETCHBYDATERANGE_FAILED = 13;
const BAD_TZID = 18;

/**
 * Items of the range: non-recurring items overlapping it and recurring masters with their stored
 * exceptions (Lightning expands itself, lightning-client.md §5.1). One calendar-query per calendar
 * and component type set; bounds `0`, UTC or floating (read in `tzid`, else UTC).
 */
export default defineCommand({
  name: 'fetchcomponents_by_range',
  needsSession: true,
  failsWith: FETCHBYDATERANGE_FAILED,
  params: {
    ...fetchOutputParams,
    dtstart: p.date(),
    dtend: p.date(),
    'component-type': componentTypeParam,
    maxResults: p.int({ min: 0, max: 1_000_000, fallback: 0 }),
  },
  async run(ctx) {
    const { params, deps } = ctx;
    const tzid = params.tzid?.trim() || undefined;
    if (tzid && !isKnownTimezone(tzid)) throw new WcapError(BAD_TZID, 'Unknown time zone in parameter tzid');
    const range: TimeRange = {};
    if (params.dtstart) range.start = toInstant(params.dtstart, tzid);
    if (params.dtend) range.end = toInstant(params.dtend, tzid);
    if (range.start && range.end && range.end < range.start) {
      throw new WcapError(FETCHBYDATERANGE_FAILED, 'dtend is before dtstart');
    }
    const types = typesOf(params['component-type']);
    const credentials = credentialsOf(sessionOf(ctx));
    return perCalendar(ctx, FETCHBYDATERANGE_FAILED, async (calendar) => {
      const objects = await deps.backend.queryRange(credentials, calendar.info.url, types, range);
      let items = objects.flatMap((object) =>
        itemComponents(parseCalendarObject(object.ical)).filter((c) => types.includes(c.name.toUpperCase() as never)),
      );
      const max = params.maxResults ?? 0;
      if (max > 0) items = items.slice(0, max);
      return { components: itemsForOutput(items, { emailOrCalid: params.emailorcalid, directory: deps.directory }) };
    });
  },
});
