import { defineCommand } from '../wcap/command.js';
import { p } from '../wcap/params.js';
import { perCalendar } from './shared/per-calendar.js';

/**
 * One block per requested calid, each with its own errno (28/29 per calendar) and RELATIVE-CALID
 * exactly as requested (lightning-client.md §2, §4.5d).
 */
export default defineCommand({
  name: 'get_calprops',
  needsSession: true,
  failsWith: 20,
  params: { calid: p.list() },
  async run(ctx) {
    return perCalendar(ctx, 20, async () => ({ components: [] }));
  },
});
