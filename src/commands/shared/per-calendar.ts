import { calendarProperties } from '../../mapping/calprops.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { errorToErrno } from '../../wcap/error-mapping.js';
import type { WcapBlock, WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { calidsOf, resolveCalendar, type ResolvedCalendar } from './calendars.js';

/**
 * Runs `fetch` for each requested calid and answers one block per calendar, each with the calendar
 * properties and its own errno (PHP and UNICON clients read one <iCal> per calendar). With a single
 * calid a failure is the answer's errno; with several, only that calendar's block carries it.
 */
export async function perCalendar(
  ctx: CommandContext<{ calid: string[] | undefined }>,
  failsWith: number,
  fetch: (calendar: ResolvedCalendar) => Promise<Omit<WcapBlock, 'properties' | 'errno'> & { errno?: number }>,
): Promise<WcapResult> {
  const calids = calidsOf(ctx.params.calid, sessionOf(ctx));
  if (calids.length === 1) {
    const calendar = await resolveCalendar(ctx, calids[0]);
    const result = await fetch(calendar);
    return { blocks: [{ properties: calendarProperties(calids[0]!, calendar.info), errno: 0, ...result }] };
  }
  const blocks = await Promise.all(
    calids.map(async (calid): Promise<WcapBlock> => {
      try {
        const calendar = await resolveCalendar(ctx, calid);
        const result = await fetch(calendar);
        return { properties: calendarProperties(calid, calendar.info), errno: 0, ...result };
      } catch (err) {
        if (err instanceof WcapError && err.errno === 1) throw err;
        const outcome = errorToErrno(err, failsWith);
        return {
          properties: [{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: calid }],
          components: [],
          errno: outcome.errno,
          errnoMessage: outcome.message,
        };
      }
    }),
  );
  return { blocks };
}
