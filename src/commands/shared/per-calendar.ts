import { calendarProperties } from '../../mapping/calprops.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { errorToErrno } from '../../wcap/error-mapping.js';
import type { WcapBlock, WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { isGatewayError } from '../../model/errors.js';
import { calendarCacheKey, calidsOf, resolveCalendar, type ResolvedCalendar } from './calendars.js';

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
  const one = async (calid: string): Promise<WcapBlock> => {
    const calendar = await resolveCalendar(ctx, calid);
    try {
      const result = await fetch(calendar);
      return { properties: calendarProperties(calid, calendar.info), errno: 0, ...result };
    } catch (err) {
      // The calendar vanished since its properties were cached.
      if (isGatewayError(err, 'not-found')) {
        ctx.deps.calendarCache.delete(calendarCacheKey(sessionOf(ctx).user, calendar.info.url));
        throw new WcapError(29, 'Calendar does not exist');
      }
      throw err;
    }
  };
  if (calids.length === 1) return { blocks: [await one(calids[0]!)] };
  const blocks = await Promise.all(
    calids.map(async (calid): Promise<WcapBlock> => {
      try {
        return await one(calid);
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
