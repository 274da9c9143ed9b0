import type { Attrset } from '../../mapping/attrset.js';
import { parseCompstate } from '../../mapping/compstate.js';
import { DEFAULT_LIMITS, type ExpansionLimits } from '../../mapping/expand.js';
import type { FetchSelection } from '../../mapping/fetch-selection.js';
import type { ItemOutputOptions } from '../../mapping/item-output.js';
import { isKnownTimezone } from '../../mapping/timezones.js';
import { parseTimezoneOut, type TimezoneOut } from '../../mapping/tzidout.js';
import type { CalendarInfo } from '../../model/calendar.js';
import type { GatewayDeps } from '../../wcap/command.js';
import { p, type ParamSpec, type ParamsOf } from '../../wcap/params.js';
import { WcapError } from '../../wcap/wcap-error.js';

/** FETCHCOMPONENTS_FAILED_BAD_TZID: unknown `tzid` or `tzidout` (wcap-protocol.md §4). */
export const BAD_TZID = 18;

/** A 0/1 flag whose absence means something of its own (undefined). */
export const optionalFlag = (): ParamSpec<boolean | undefined> => ({
  parse: (value, name, failsWith) => (value === undefined || value.text.trim() === '' ? undefined : p.flag(false).parse(value, name, failsWith)),
});

/**
 * Output-shaping parameters every fetch accepts (wcap-protocol.md §2 "all fetch params", §2.0,
 * seed 003). Defaults follow the seeds: `recurring` absent means expanded for a range fetch and,
 * for *_by_id, expanded only when rids are given; `compressed` 0 (it only matters when expanded);
 * `attrset` 2 (full; unknown values too). `relativealarm` defaults to 1, triggers as stored, as
 * Lightning always asks. `fetchattach` and `fetchorder` are accepted and ignored.
 */
export const fetchOutputParams = {
  calid: p.list(),
  emailorcalid: p.flag(false),
  recurring: optionalFlag(),
  compressed: p.flag(false),
  relativealarm: p.flag(true),
  attrset: p.oneOf(['0', '1', '2'] as const, { fallback: '2', lenient: '2' }),
  compstate: p.list(),
  tzid: p.string(),
  tzidout: p.string(),
};

export type FetchOutputParams = ParamsOf<typeof fetchOutputParams>;

/** The fetch parameters every calendar of a request shares, validated once. */
export interface FetchSettings {
  /** Zone for floating date parameters (dtstart, dtend, rid); undefined = UTC. */
  tzid: string | undefined;
  timezoneOut: TimezoneOut;
  limits: ExpansionLimits;
}

/**
 * Validates `tzid` and `tzidout` before any calendar is read: an unknown zone fails the whole
 * request with errno 18 (seed 003: accepted zones are the server's list, here get_all_timezones).
 * Expansion is capped per series by the recurrence bound announced at login.
 */
export function fetchSettings(params: Pick<FetchOutputParams, 'tzid' | 'tzidout'>, deps: GatewayDeps, format: string): FetchSettings {
  const tzid = params.tzid?.trim() || undefined;
  if (tzid && !isKnownTimezone(tzid)) throw new WcapError(BAD_TZID, 'Unknown time zone in parameter tzid');
  const timezoneOut = parseTimezoneOut(params.tzidout, zuluByDefault(format));
  if (!timezoneOut) throw new WcapError(BAD_TZID, 'Unknown time zone in parameter tzidout');
  const maxPerSeries = deps.config.recurrenceBound;
  const limits = { ...DEFAULT_LIMITS, maxPerSeries, maxTotal: Math.max(DEFAULT_LIMITS.maxTotal, maxPerSeries) };
  return { tzid, timezoneOut, limits };
}

/** text/xml answers are in Zulu unless tzidout says otherwise (see parseTimezoneOut). */
export function zuluByDefault(format: string): boolean {
  return format === 'text/xml';
}

/** What to select for one calendar (`masters` decided by the command from `recurring`). */
export function selectionOf(
  params: FetchOutputParams,
  settings: FetchSettings,
  deps: GatewayDeps,
  user: string,
  calendar: CalendarInfo,
  masters: boolean,
): FetchSelection {
  return {
    masters,
    compressed: params.compressed,
    compstate: parseCompstate(params.compstate),
    user,
    directory: deps.directory,
    limits: settings.limits,
    floatingZone: calendar.timezone,
  };
}

/** How the selected components are written for one calendar. */
export function outputOptionsOf(params: FetchOutputParams, settings: FetchSettings, deps: GatewayDeps, calendar: CalendarInfo): ItemOutputOptions {
  return {
    emailOrCalid: params.emailorcalid,
    directory: deps.directory,
    timezoneOut: settings.timezoneOut,
    relativeAlarms: params.relativealarm,
    attrset: Number(params.attrset ?? '2') as Attrset,
    floatingZone: calendar.timezone,
  };
}

export type ComponentTypeFilter = 'event' | 'todo' | 'all';

/** `component-type`: event, todo or all; anything else means all (wcap-protocol.md §2). */
export const componentTypeParam = p.oneOf(['event', 'todo', 'all'] as const, { fallback: 'all', lenient: 'all' });

export function typesOf(filter: ComponentTypeFilter | undefined): Array<'VEVENT' | 'VTODO'> {
  if (filter === 'event') return ['VEVENT'];
  if (filter === 'todo') return ['VTODO'];
  return ['VEVENT', 'VTODO'];
}
