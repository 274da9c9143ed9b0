import { selectByAlarm } from '../mapping/alarm-range.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { fetchSettings, fetchedBlock, selectionOf, typesOf, windowFetchParams, windowOf } from '../wcap/fetch-params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * The items whose alarms fire in [dtstart, dtend) (`0` is open; UTC, or floating read in `tzid`),
 * docs/wcap-protocol.md#fetchcomponents_by_alarmrange: triggers relative to the start or end of
 * each occurrence, or absolute, repetitions included (mapping/alarm-range.ts). recurring=0 (the
 * default) answers the firing instances, expanded within the recurrence bound; recurring=1 each
 * such item as master plus exceptions. The other fetch parameters shape the answer as for a range
 * fetch. CalDAV cannot filter on alarm times in every server, so this reads the whole calendar
 * (from the validated cache when it can) and decides here.
 */
export default defineCommand({
  name: 'fetchcomponents_by_alarmrange',
  needsSession: true,
  failsWith: Errno.FETCH_BY_ALARM_RANGE_FAILED,
  params: windowFetchParams,
  async run({ params, calendars, server }) {
    const settings = fetchSettings(params, server);
    const range = windowOf(params, settings.tzid, Errno.FETCH_BY_ALARM_RANGE_FAILED);
    const types = typesOf(params['component-type']);
    return perCalendar(calendars, params.calid, Errno.FETCH_BY_ALARM_RANGE_FAILED, async (calendar) => {
      const items = await calendar.all(types);
      const info = await calendar.properties();
      const selection = selectionOf(params, settings, server, calendars.user, info, params.recurring ?? false);
      const selected = selectByAlarm(items.map((item) => item.components), range, selection, params.maxResults ?? 0);
      return fetchedBlock(selected, params, settings, server, info);
    });
  },
});
