import { calendarProperties } from '../mapping/calprops.js';
import { matchesSearch, SEARCH_MODES, searchFields } from '../mapping/calendar-search.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { optionalFlag } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { singleBlock, type WcapBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

/** Bounds of one search: other users' homes listed, and calendars compared. */
export const SEARCH_LIMITS = { homes: 50, calendars: 1000 } as const;

/**
 * Finds calendars by calid, name and/or primary owner (docs/wcap-protocol.md#search_calprops;
 * Lightning's calendar search, docs/lightning.md#calendar-search): `searchOpts` 0 contains
 * (default, also for unknown values), 1 begins with, 2 ends with, 3 exact; case-insensitive; at
 * most `maxResults` (default 200, 0 = no limit) matches. Searched is every calendar the CalDAV
 * server lets the user find and read: their own home, the homes of other users it shows them
 * (Radicale: those its rights grant read on), and subscribed calendars elsewhere; at most
 * SEARCH_LIMITS homes and calendars per search (calendars/visible-calendars.ts lists the requests).
 * One block per match, own calendars first (default first), then by calid, each with errno 0 and
 * the calendar's properties, RELATIVE-CALID `user` or `user:name`; without a match one block with
 * errno 0 and no calendar, which Lightning skips. An empty search-string fails with 19
 * (Errno.SEARCH_CALPROPS_FAILED): 7.0's 88 BAD_SEARCH_STRING_LENGTH is not a number Lightning can
 * map (docs/lightning.md#how-errnos-are-read) and this gateway speaks WCAP 3.0.
 */
export default defineCommand({
  name: 'search_calprops',
  needsSession: true,
  failsWith: Errno.SEARCH_CALPROPS_FAILED,
  params: {
    'search-string': p.string(),
    searchOpts: p.oneOf(['0', '1', '2', '3'] as const, { fallback: '0', lenient: '0' }),
    maxResults: p.int({ min: 0, max: 1_000_000, fallback: 200 }),
    name: optionalFlag(),
    calid: optionalFlag(),
    primaryOwner: optionalFlag(),
  },
  async run({ params, calendars }) {
    const text = params['search-string']?.trim() ?? '';
    if (text === '') throw new WcapError(Errno.SEARCH_CALPROPS_FAILED, 'The search string must not be empty');
    const mode = SEARCH_MODES[Number(params.searchOpts ?? '0')] ?? 'contains';
    const fields = searchFields({ name: params.name, calid: params.calid, primaryOwner: params.primaryOwner });
    const found = (await calendars.visibleCalendars(SEARCH_LIMITS))
      .map(({ calid, info }) => {
        const properties = calendarProperties(calid, info);
        const value = (name: string) => properties.find((prop) => prop.name === name)?.value ?? '';
        const searchable = { calid, name: value('X-NSCP-CALPROPS-NAME'), primaryOwner: value('X-NSCP-CALPROPS-PRIMARY-OWNER') };
        return { properties, match: matchesSearch(searchable, text, mode, fields) };
      })
      .filter((c) => c.match);
    const max = params.maxResults ?? 200;
    const blocks = (max > 0 ? found.slice(0, max) : found).map((c): WcapBlock => ({ properties: c.properties, components: [], errno: Errno.OK }));
    return blocks.length > 0 ? { blocks } : singleBlock([]);
  },
});
