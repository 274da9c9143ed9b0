import type { CalendarInfo } from '../model/calendar.js';
import { isGatewayError } from '../model/errors.js';
import type { ListedCalendar } from './calendar-repository.js';

/** Bounds of one walk over the calendars a user can find. */
export interface VisibleLimits {
  /** Other users' homes listed at most. */
  homes: number;
  /** Calendars collected at most (own ones included). */
  calendars: number;
}

/** Where the walk looks; each is one or a few CalDAV requests with the user's credentials. */
export interface VisibleSources {
  own(): Promise<ListedCalendar[]>;
  otherHomes(max: number): Promise<string[]>;
  calendarsIn(homeUrl: string): Promise<CalendarInfo[]>;
  subscriptions(): Promise<string[]>;
  calendar(calid: string): Promise<CalendarInfo | null>;
  calidOf(info: CalendarInfo): string;
}

/** Homes listed at once. */
const HOMES_AT_ONCE = 4;

/** A home or calendar the server will not show this user is simply not part of what they can find. */
function hidden(err: unknown): boolean {
  return isGatewayError(err, 'forbidden') || isGatewayError(err, 'not-found') || isGatewayError(err, 'no-calendar') || isGatewayError(err, 'invalid');
}

/**
 * The calendars a user can find: their own home (one PROPFIND), the other homes the server shows
 * them (backend listOtherHomes, then one Depth 1 PROPFIND per home, at most `limits.homes`), and
 * the subscribed calendars not found that way (one Depth 0 PROPFIND each), which covers a calendar
 * shared without its home. At most `limits.calendars` calendars; own ones first, then by calid.
 */
export async function visibleCalendars(sources: VisibleSources, limits: VisibleLimits): Promise<ListedCalendar[]> {
  const found = new Map<string, ListedCalendar>();
  const add = (calid: string, info: CalendarInfo, isDefault = false) => {
    if (found.size < limits.calendars && !found.has(calid)) found.set(calid, { calid, info, isDefault });
  };
  for (const own of await sources.own()) add(own.calid, own.info, own.isDefault);
  const others: ListedCalendar[] = [];
  const homes = await sources.otherHomes(limits.homes);
  const listHome = async () => {
    for (let home = homes.shift(); home !== undefined; home = homes.shift()) {
      try {
        for (const info of await sources.calendarsIn(home)) others.push({ calid: sources.calidOf(info), info, isDefault: false });
      } catch (err) {
        if (!hidden(err)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HOMES_AT_ONCE, homes.length) }, listHome));
  for (const other of others.sort((a, b) => a.calid.localeCompare(b.calid))) add(other.calid, other.info);
  for (const calid of await sources.subscriptions()) {
    if (found.size >= limits.calendars) break;
    if (found.has(calid)) continue;
    try {
      const info = await sources.calendar(calid);
      if (info) add(calid, info);
    } catch (err) {
      if (!hidden(err)) throw err;
    }
  }
  return [...found.values()];
}
