import type { Calendar } from '../calendars/calendar.js';
import type { CalendarRepository } from '../calendars/calendar-repository.js';
import { calendarProperties } from '../mapping/calprops.js';
import { Errno } from './errno.js';
import { errorToErrno } from './error-mapping.js';
import type { WcapBlock, WcapResult } from './result.js';
import { WcapError } from './wcap-error.js';

/** What a command computes for one calendar: the block's components and, optionally, its own errno. */
export type CalendarAnswer = Omit<WcapBlock, 'properties' | 'errno'> & { errno?: number };

/** Distinct calids of a `calid` list, in order; none given → the user's default calendar. */
export function calidsOf(list: readonly string[] | undefined, user: string): string[] {
  const calids = (list ?? []).map((c) => c.trim()).filter((c) => c !== '');
  return calids.length > 0 ? [...new Set(calids)] : [user];
}

/**
 * Runs `answer` for each requested calid and answers one block per calendar, each with the
 * calendar's properties and its own errno (the PHP client and Unicon read one <iCal> per calendar,
 * docs/wcap-protocol.md#other-wcap-clients). With a single calid a failure is the answer's errno;
 * with several, only that calendar's block carries it. `fresh`: read each calendar's properties
 * from the server even if they were read recently (for commands that make no other request);
 * `full`: every calendar property (get_calprops), with the user's own rights as ACEs.
 */
export async function perCalendar(
  calendars: CalendarRepository,
  calidList: readonly string[] | undefined,
  failsWith: number,
  answer: (calendar: Calendar) => Promise<CalendarAnswer>,
  options: { fresh?: boolean; full?: boolean } = {},
): Promise<WcapResult> {
  const calids = calidsOf(calidList, calendars.user);
  const one = async (calid: string): Promise<WcapBlock> => {
    const calendar = await calendars.resolve(calid);
    const result = await answer(calendar);
    const info = await calendar.properties(options.fresh ? { fresh: true } : {});
    const shown = { viewer: calendars.user, full: options.full === true, isDefault: options.full === true && calendars.isDefault(calid) };
    return { properties: calendarProperties(calid, info, shown), errno: Errno.OK, ...result };
  };
  if (calids.length === 1) return { blocks: [await one(calids[0]!)] };
  const blocks = await Promise.all(
    calids.map(async (calid): Promise<WcapBlock> => {
      try {
        return await one(calid);
      } catch (err) {
        if (err instanceof WcapError && err.errno === Errno.LOGIN_FAILED) throw err;
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
