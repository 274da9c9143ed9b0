import { attendeeFilter, componentsWithDeliveryErrors } from '../mapping/attendee-errors.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { fetchSettings, fetchedBlock, typesOf, windowFetchParams, windowOf } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * The components whose scheduling message to an attendee could not be delivered, and nothing else
 * (docs/wcap-protocol.md#fetchcomponents_by_attendee_error): the stored object records each
 * delivery on the ATTENDEE as RFC 6638's SCHEDULE-STATUS, written by the gateway's iMIP sender or
 * by a CalDAV server that schedules itself (Cyrus); a code of class 3 or 5 is a failure.
 * `attendee` (a calid or mail address) narrows it to that attendee; absent, any attendee.
 * `dtstart`/`dtend` (`0` open) narrow it to items overlapping the range. The components come as
 * stored (a failed delivery belongs to the master or to one exception), shaped by the fetch
 * output parameters; maxResults > 0 caps them.
 */
export default defineCommand({
  name: 'fetchcomponents_by_attendee_error',
  needsSession: true,
  failsWith: Errno.FETCH_BY_ATTENDEE_ERROR_FAILED,
  params: { ...windowFetchParams, attendee: p.string() },
  async run({ params, calendars, server }) {
    const settings = fetchSettings(params, server);
    const range = windowOf(params, settings.tzid, Errno.FETCH_BY_ATTENDEE_ERROR_FAILED);
    const types = typesOf(params['component-type']);
    const wanted = attendeeFilter(params.attendee, server.directory);
    return perCalendar(calendars, params.calid, Errno.FETCH_BY_ATTENDEE_ERROR_FAILED, async (calendar) => {
      const items = range.start || range.end ? await calendar.query(range, types) : await calendar.all(types);
      const info = await calendar.properties();
      const failed = componentsWithDeliveryErrors(items.flatMap((item) => item.components), wanted);
      const max = params.maxResults ?? 0;
      const selected = max > 0 ? failed.slice(0, max) : failed;
      return fetchedBlock(selected, params, settings, server, info);
    });
  },
});
