import { itemComponents, parseCalendarObject } from '../mapping/calendar-object.js';
import { selectInRange } from '../mapping/fetch-selection.js';
import { toInstant } from '../mapping/ical-time.js';
import { itemsForOutput } from '../mapping/item-output.js';
import type { TimeRange } from '../model/calendar.js';
import { defineCommand, sessionOf } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { WcapError } from '../wcap/wcap-error.js';
import { credentialsOf } from './shared/calendars.js';
import { componentTypeParam, fetchOutputParams, fetchSettings, outputOptionsOf, selectionOf, typesOf } from './shared/fetch-params.js';
import { perCalendar } from './shared/per-calendar.js';

const FETCHBYDATERANGE_FAILED = 13;

/**
 * Items of the range, one calendar-query per calendar and component type set; bounds `0`, UTC or
 * floating (read in `tzid`, else UTC). recurring=1 (Lightning, lightning-client.md §5.1):
 * non-recurring items overlapping the range and recurring masters with their stored exceptions.
 * recurring=0, the default (seed 003 "Fetching Recurrence Data"): instances of the range, capped
 * per series by the recurrence bound. compstate, attrset, tzidout and relativealarm shape both.
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
    const settings = fetchSettings(params, deps, ctx.format);
    const range: TimeRange = {};
    if (params.dtstart) range.start = toInstant(params.dtstart, settings.tzid);
    if (params.dtend) range.end = toInstant(params.dtend, settings.tzid);
    if (range.start && range.end && range.end < range.start) {
      throw new WcapError(FETCHBYDATERANGE_FAILED, 'dtend is before dtstart');
    }
    const types = typesOf(params['component-type']);
    const session = sessionOf(ctx);
    const credentials = credentialsOf(session);
    const masters = params.recurring ?? false;
    return perCalendar(ctx, FETCHBYDATERANGE_FAILED, async (calendar) => {
      const objects = await deps.backend.queryRange(credentials, calendar.info.url, types, range);
      const items = objects.map((object) =>
        itemComponents(parseCalendarObject(object.ical)).filter((c) => types.includes(c.name.toUpperCase() as never)),
      );
      const selection = selectionOf(params, settings, deps, session.user, calendar.info, masters);
      const selected = selectInRange(items, range, selection, params.maxResults ?? 0);
      return { components: itemsForOutput(selected, outputOptionsOf(params, settings, deps, calendar.info)) };
    });
  },
});
