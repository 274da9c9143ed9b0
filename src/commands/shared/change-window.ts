import { toInstant } from '../../mapping/ical-time.js';
import type { TimeRange } from '../../model/calendar.js';
import { p } from '../../wcap/params.js';
import type { WcapDate } from '../../wcap/datetime.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { componentTypeParam, fetchOutputParams } from './fetch-params.js';

/**
 * Parameters of the change-log pair fetchcomponents_by_lastmod / fetch_deletedcomponents, which
 * Lightning sends together on every offline sync (lightning-client.md §7).
 */
export const changeLogParams = {
  ...fetchOutputParams,
  dtstart: p.date(),
  dtend: p.date(),
  'component-type': componentTypeParam,
  maxResults: p.int({ min: 0, max: 1_000_000, fallback: 0 }),
};

/**
 * The window [dtstart, dtend], both inclusive: `0` (or absent) is open, `…Z` is UTC, a floating
 * value is local time in `tzid` (validated by fetchSettings; else UTC), as in
 * fetchcomponents_by_range. Lightning sends dtstart `0` on the first sync and then UTC stamps
 * derived from gettime.
 */
export function changeWindowOf(
  params: { dtstart: WcapDate | null | undefined; dtend: WcapDate | null | undefined },
  tzid: string | undefined,
  failsWith: number,
): TimeRange {
  const window: TimeRange = {};
  if (params.dtstart) window.start = toInstant(params.dtstart, tzid);
  if (params.dtend) window.end = toInstant(params.dtend, tzid);
  if (window.start && window.end && window.end < window.start) throw new WcapError(failsWith, 'dtend is before dtstart');
  return window;
}
