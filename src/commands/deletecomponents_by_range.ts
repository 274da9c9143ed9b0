import { RangeTooLarge, deleteRange, type RangeProgress } from '../calendars/range-deletion.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import type { ComponentType } from '../model/calendar.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { errorToErrno } from '../wcap/error-mapping.js';
import { fetchSettings, windowOf } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';
import { WcapError } from '../wcap/wcap-error.js';

/** Bound when the server profile names none (WCAP_RANGE_DELETE_MAX_ITEMS). */
const DEFAULT_MAX_ITEMS = 1000;

/**
 * deletecomponents_by_range, deleteevents_by_range and deletetodos_by_range
 * (docs/wcap-protocol.md#range-deletes): delete from each calendar of `calid` (default: the user's
 * own) the items and instances lying wholly in [dtstart, dtend] (`0` is open, both `0`:
 * everything). A series partly inside loses only those instances (calendars/range-deletion.ts,
 * mapping/range-delete.ts); what went is recorded for fetch_deletedcomponents. Each calendar
 * answers its own block and errno (28 not the user's, 29 missing, the command's errno when refused
 * as too large), so one failing calendar does not stop the others. `smtp`, `notify` and `appid`
 * are accepted and ignored: the gateway sends no mail.
 */
export function rangeDeleteCommand(name: string, types: readonly ComponentType[], failsWith: number) {
  return defineCommand({
    name,
    needsSession: true,
    failsWith,
    params: { calid: p.list(), dtstart: p.date(), dtend: p.date(), tzid: p.string() },
    async run({ params, calendars, clock, server }) {
      const tzid = params.tzid?.trim() || undefined;
      if (tzid && !isKnownTimezone(tzid)) throw new WcapError(failsWith, 'Unknown time zone in parameter tzid');
      const range = windowOf(params, tzid, failsWith);
      const maxItems = server.rangeDeleteMaxItems ?? DEFAULT_MAX_ITEMS;
      const { limits } = fetchSettings({ tzid: undefined, tzidout: undefined }, server);
      return perCalendar(calendars, params.calid, failsWith, async (calendar) => {
        if (!calendar.owned) throw new WcapError(Errno.ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar: only its owner may delete from it');
        const progress: RangeProgress = { planned: 0, done: 0 };
        try {
          await deleteRange(calendar, range, types, { limits, maxSingles: maxItems, maxItems, clock }, progress);
        } catch (err) {
          if (progress.done === 0) throw err instanceof RangeTooLarge ? new WcapError(failsWith, err.message) : err;
          // Never a silent half: say how far it got (each item itself is whole or untouched).
          const outcome = err instanceof RangeTooLarge ? { errno: failsWith, message: err.message } : errorToErrno(err, failsWith);
          throw new WcapError(outcome.errno, `${outcome.message}; ${progress.done} of ${progress.planned} items had been deleted or shortened, the others are unchanged`);
        }
        return { components: [] };
      });
    },
  });
}

export default rangeDeleteCommand('deletecomponents_by_range', ['VEVENT', 'VTODO'], Errno.DELETECOMPONENTS_BY_RANGE_FAILED);
