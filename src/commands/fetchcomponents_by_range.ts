import { selectInRange } from '../mapping/fetch-selection.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { fetchSettings, fetchedBlock, selectionOf, typesOf, windowFetchParams, windowOf } from '../wcap/fetch-params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * Items of the range [dtstart, dtend) (`0` is open; UTC, or floating read in `tzid`). recurring=1
 * (Lightning, docs/lightning.md#range-fetch): non-recurring items overlapping the range and
 * recurring masters with their stored exceptions. recurring=0, the default
 * (docs/wcap-protocol.md#recurring-and-compressed): instances of the range, capped per series by
 * the recurrence bound. compstate, attrset, tzidout and relativealarm shape both. The calendar
 * repository answers from its validated cache when it can, else with one REPORT per type.
 */
export default defineCommand({
  name: 'fetchcomponents_by_range',
  needsSession: true,
  failsWith: Errno.FETCHBYDATERANGE_FAILED,
  params: windowFetchParams,
  async run({ params, calendars, server }) {
    const settings = fetchSettings(params, server);
    const range = windowOf(params, settings.tzid, Errno.FETCHBYDATERANGE_FAILED);
    const types = typesOf(params['component-type']);
    return perCalendar(calendars, params.calid, Errno.FETCHBYDATERANGE_FAILED, async (calendar) => {
      const items = await calendar.query(range, types);
      const info = await calendar.properties();
      const selection = selectionOf(params, settings, server, calendars.user, info, params.recurring ?? false);
      const selected = selectInRange(items.map((item) => item.components), range, selection, params.maxResults ?? 0);
      return fetchedBlock(selected, params, settings, server, info);
    });
  },
});
