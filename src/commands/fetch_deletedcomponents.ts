import { deletionStub } from '../mapping/deletions.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { windowFetchParams, fetchSettings, typesOf, windowOf } from '../wcap/fetch-params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * The delete log for [dtstart, dtend]: one VEVENT/VTODO per deleted item or instance with UID,
 * RECURRENCE-ID (instances) and DTSTART (docs/lightning.md#offline-sync). Deletions made through
 * the gateway are dated when they happened; deletions by other CalDAV clients when the calendar
 * cache finds their objects gone, which this command first gives it the chance to (it brings the
 * calendar's snapshot up to date). Any failure is an error, never a short list: Lightning moves its
 * sync stamp on after a success and would never ask for the missing ones again. maxResults > 0
 * keeps the oldest maxResults deletions with errno 0, like fetchcomponents_by_lastmod: 57 ("partial
 * result") is a failure to Lightning (docs/lightning.md#errnos-with-special-handling), and a client
 * that sets maxResults asked for at most that many (Lightning's sync never sets it).
 */
export default defineCommand({
  name: 'fetch_deletedcomponents',
  needsSession: true,
  failsWith: Errno.FETCH_DELETEDCOMPONENTS_FAILED,
  params: windowFetchParams,
  async run({ params, calendars, server }) {
    const window = windowOf(params, fetchSettings(params, server).tzid, Errno.FETCH_DELETEDCOMPONENTS_FAILED);
    const types = typesOf(params['component-type']);
    return perCalendar(calendars, params.calid, Errno.FETCH_DELETEDCOMPONENTS_FAILED, async (calendar) => {
      const deleted = (await calendar.deletions(window)).filter((t) => types.includes(t.type));
      const max = params.maxResults ?? 0;
      return { components: (max > 0 ? deleted.slice(0, max) : deleted).map(deletionStub) };
    });
  },
});
