import type ICAL from 'ical.js';
import type { Attrset } from '../mapping/attrset.js';
import { parseCompstate } from '../mapping/compstate.js';
import { DEFAULT_LIMITS, type ExpansionLimits } from '../mapping/expand.js';
import type { FetchSelection } from '../mapping/fetch-selection.js';
import { toInstant } from '../mapping/ical-time.js';
import { itemsForOutput, type ItemOutputOptions } from '../mapping/item-output.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import { parseTimezoneOut, type TimezoneOut } from '../mapping/tzidout.js';
import { ITEM_TYPES, type CalendarInfo, type ComponentType, type TimeRange } from '../model/calendar.js';
import type { ServerProfile } from './command.js';
import type { WcapDate } from './datetime.js';
import { Errno } from './errno.js';
import { p, type ParamSpec, type ParamsOf } from './params.js';
import { WcapError } from './wcap-error.js';

/**
 * Parameters and settings shared by the fetch commands (docs/wcap-protocol.md#fetch-parameters),
 * validated once per request before any calendar is read.
 */

/** A 0/1 flag whose absence means something of its own (undefined). */
export const optionalFlag = (): ParamSpec<boolean | undefined> => ({
  shape: { kind: 'flag' },
  parse: (value, name, failsWith) => (value === undefined || value.text.trim() === '' ? undefined : p.flag(false).parse(value, name, failsWith)),
});

/**
 * Output-shaping parameters every fetch accepts. Defaults: `recurring` absent means expanded for a
 * range fetch and, for *_by_id, expanded only when rids are given; `compressed` 0 (it only matters
 * when expanded); `attrset` 2 (full; unknown values too). `relativealarm` defaults to 1, triggers as
 * stored, as Lightning always asks. `fetchattach` 1 writes inline attachments with their bytes (default:
 * only their X-S1CS-ATTACH-ID). `fetchorder` is accepted and ignored.
 */
export const fetchOutputParams = {
  calid: p.list(),
  emailorcalid: p.flag(false),
  recurring: optionalFlag(),
  compressed: p.flag(false),
  relativealarm: p.flag(true),
  fetchattach: p.flag(false),
  attrset: p.oneOf(['0', '1', '2'] as const, { fallback: '2', lenient: '2' }),
  compstate: p.list(),
  tzid: p.string(),
  tzidout: p.string(),
};

export type FetchOutputParams = ParamsOf<typeof fetchOutputParams>;

/** `component-type`: event, todo or all; anything else means all. */
export const componentTypeParam = p.oneOf(['event', 'todo', 'all'] as const, { fallback: 'all', lenient: 'all' });

/**
 * Parameters of every fetch over a time window: range, alarm range, attendee errors and the
 * change-log pair fetchcomponents_by_lastmod / fetch_deletedcomponents, which Lightning sends
 * together on every offline sync (docs/lightning.md#offline-sync).
 */
export const windowFetchParams = {
  ...fetchOutputParams,
  dtstart: p.date(),
  dtend: p.date(),
  'component-type': componentTypeParam,
  maxResults: p.int({ min: 0, max: 1_000_000, fallback: 0 }),
};

export function typesOf(filter: 'event' | 'todo' | 'all' | undefined): ComponentType[] {
  if (filter === 'event') return ['VEVENT'];
  if (filter === 'todo') return ['VTODO'];
  return [...ITEM_TYPES];
}

/** The fetch parameters every calendar of a request shares. */
export interface FetchSettings {
  /** Zone for floating date parameters (dtstart, dtend, rid); undefined = UTC. */
  tzid: string | undefined;
  /** The requested tzidout; undefined when the request named none (see WcapBlock.timesAsStored). */
  timezoneOut: TimezoneOut | undefined;
  limits: ExpansionLimits;
}

/**
 * Validates `tzid` and `tzidout`: an unknown zone fails the whole request with errno 18 (the
 * accepted zones are the server's list, here get_all_timezones). Expansion is capped per series by
 * the recurrence bound announced at login.
 */
export function fetchSettings(params: Pick<FetchOutputParams, 'tzid' | 'tzidout'>, server: ServerProfile): FetchSettings {
  const tzid = params.tzid?.trim() || undefined;
  if (tzid && !isKnownTimezone(tzid)) throw new WcapError(Errno.FETCHCOMPONENTS_FAILED_BAD_TZID, 'Unknown time zone in parameter tzid');
  const requested = params.tzidout?.trim() ?? '';
  const timezoneOut = requested === '' ? undefined : parseTimezoneOut(requested);
  if (requested !== '' && !timezoneOut) throw new WcapError(Errno.FETCHCOMPONENTS_FAILED_BAD_TZID, 'Unknown time zone in parameter tzidout');
  const maxPerSeries = server.recurrenceBound;
  const limits = { ...DEFAULT_LIMITS, maxPerSeries, maxTotal: Math.max(DEFAULT_LIMITS.maxTotal, maxPerSeries) };
  return { tzid, timezoneOut, limits };
}

/**
 * The window [dtstart, dtend] of a range or change-log fetch: `0` (or absent) is open, `…Z` is UTC,
 * a floating value is local time in `tzid` (else UTC). Throws `failsWith` when dtend is before dtstart.
 */
export function windowOf(params: { dtstart: WcapDate | null | undefined; dtend: WcapDate | null | undefined }, tzid: string | undefined, failsWith: number): TimeRange {
  const window: TimeRange = {};
  if (params.dtstart) window.start = toInstant(params.dtstart, tzid);
  if (params.dtend) window.end = toInstant(params.dtend, tzid);
  if (window.start && window.end && window.end < window.start) throw new WcapError(failsWith, 'dtend is before dtstart');
  return window;
}

/** What to select for one calendar (`masters` decided by the command from `recurring`). */
export function selectionOf(
  params: FetchOutputParams,
  settings: FetchSettings,
  server: ServerProfile,
  user: string,
  calendar: CalendarInfo,
  masters: boolean,
): FetchSelection {
  return {
    masters,
    compressed: params.compressed,
    compstate: parseCompstate(params.compstate),
    user,
    directory: server.directory,
    limits: settings.limits,
    floatingZone: calendar.timezone,
  };
}

/** How the selected components are written for one calendar. */
export function outputOptionsOf(
  params: Pick<FetchOutputParams, 'emailorcalid' | 'relativealarm'> & { attrset?: FetchOutputParams['attrset']; fetchattach?: boolean },
  settings: FetchSettings,
  server: ServerProfile,
  calendar: CalendarInfo,
): ItemOutputOptions {
  return {
    attachmentBodies: params.fetchattach ?? false,
    emailOrCalid: params.emailorcalid,
    directory: server.directory,
    ...(settings.timezoneOut ? { timezoneOut: settings.timezoneOut } : {}),
    relativeAlarms: params.relativealarm,
    attrset: Number(params.attrset ?? '2') as Attrset,
    floatingZone: calendar.timezone,
  };
}

/** One calendar's part of a fetch answer: the selected components, written as the request asks. */
export function fetchedBlock(
  selected: readonly ICAL.Component[],
  params: Parameters<typeof outputOptionsOf>[0],
  settings: FetchSettings,
  server: ServerProfile,
  calendar: CalendarInfo,
): { components: ICAL.Component[]; timesAsStored: boolean } {
  return { components: itemsForOutput(selected, outputOptionsOf(params, settings, server, calendar)), timesAsStored: !settings.timezoneOut };
}
