import { itemsChangedIn } from '../mapping/change-log.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { windowFetchParams, fetchSettings, typesOf, windowOf, fetchedBlock } from '../wcap/fetch-params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * Items whose LAST-MODIFIED (else DTSTAMP, else CREATED) falls in [dtstart, dtend], each with all
 * of its components (master and overrides), as stored, CREATED included: Lightning's offline sync
 * tells new from changed items by CREATED (docs/lightning.md#offline-sync). CalDAV cannot filter
 * on LAST-MODIFIED, so this reads the whole calendar (from the validated cache when it can) and
 * filters here. tzidout, relativealarm, attrset and emailorcalid shape the output as for a range
 * fetch; items always come as master plus exceptions, compstate is not applied.
 */
export default defineCommand({
  name: 'fetchcomponents_by_lastmod',
  needsSession: true,
  failsWith: Errno.FETCH_BY_LAST_MODIFIED_FAILED,
  params: windowFetchParams,
  async run({ params, calendars, server }) {
    const settings = fetchSettings(params, server);
    const window = windowOf(params, settings.tzid, Errno.FETCH_BY_LAST_MODIFIED_FAILED);
    const types = typesOf(params['component-type']);
    return perCalendar(calendars, params.calid, Errno.FETCH_BY_LAST_MODIFIED_FAILED, async (calendar) => {
      const items = await calendar.all(types);
      const info = await calendar.properties();
      let changed = itemsChangedIn([...new Set(items.map((item) => item.vcalendar))], types, window);
      const max = params.maxResults ?? 0;
      if (max > 0) changed = changed.slice(0, max);
      return fetchedBlock(changed.flat(), params, settings, server, info);
    });
  },
});
