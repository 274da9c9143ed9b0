import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * One block per requested calid, each with its own errno (28/29 per calendar) and RELATIVE-CALID
 * exactly as requested (docs/lightning.md#calendar-properties-it-reads). The properties are read
 * from the server on every call, so a revoked permission or a renamed calendar shows at once. Every
 * calendar property: the gateway's own ones (stored on the server, see set_calprops) and the user's
 * rights as ACEs, from the server's current-user-privilege-set.
 */
export default defineCommand({
  name: 'get_calprops',
  needsSession: true,
  failsWith: Errno.GET_CALPROPS_FAILED,
  params: { calid: p.list() },
  async run({ params, calendars }) {
    return perCalendar(calendars, params.calid, Errno.GET_CALPROPS_FAILED, async () => ({ components: [] }), { fresh: true, full: true });
  },
});
