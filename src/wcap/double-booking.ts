import type ICAL from 'ical.js';
import type { Calendar } from '../calendars/calendar.js';
import { uidOf } from '../mapping/calendar-object.js';
import { busyOccurrences, firstOverlap, spanOf } from '../mapping/double-booking.js';
import { DEFAULT_LIMITS } from '../mapping/expand.js';
import type { ServerProfile } from './command.js';
import { Errno } from './errno.js';
import { WcapError } from './wcap-error.js';

/**
 * Refuses (errno 40, before anything is written) an event store that would make `components` — the
 * stored item as it will be written, and for a split both of its parts — take time another opaque
 * event of the calendar already takes, when the calendar disallows double booking
 * (docs/wcap-protocol.md#double-booking). The calendar's setting is read fresh (one PROPFIND) so
 * that a change made through any replica counts at once; with double booking allowed (the default)
 * nothing else is asked. Otherwise one range query covering the item's busy occurrences (at most
 * the recurrence bound of them).
 */
export async function refuseDoubleBooking(calendar: Calendar, components: readonly ICAL.Component[], server: ServerProfile): Promise<void> {
  const info = await calendar.properties({ fresh: true });
  if (info.settings?.doubleBooking !== false) return;
  const limits = { ...DEFAULT_LIMITS, maxPerSeries: server.recurrenceBound, maxTotal: Math.max(DEFAULT_LIMITS.maxTotal, server.recurrenceBound) };
  const options = { limits, ...(info.timezone ? { floatingZone: info.timezone } : {}) };
  const mine = busyOccurrences(components, options);
  const span = spanOf(mine);
  if (!span) return;
  const own = new Set(components.map((c) => uidOf(c)));
  const others = (await calendar.query(span, ['VEVENT'])).filter((item) => !own.has(item.uid));
  const used = { total: 0 };
  const theirs = others.flatMap((item) => busyOccurrences(item.components, { ...options, limits: DEFAULT_LIMITS, used }, span));
  const clash = firstOverlap(mine, theirs);
  if (clash) {
    const when = clash.start.toISOString().replace(/[-:]|\.\d{3}/g, '');
    throw new WcapError(Errno.STORE_FAILED_DOUBLE_BOOKED, `The calendar does not allow double booking and the time is taken by another event (at ${when})`);
  }
}
