import ICAL from 'ical.js';
import { uidOf } from './calendar-object.js';
import { guardedStarts } from './recur-guard.js';
import { timezone } from './timezones.js';

/** One occurrence of an item, with the component that describes it (master or override). */
export interface Occurrence {
  start: Date;
  end: Date;
  item: ICAL.Component;
  /** Start and end as ical.js times in the describing component's own zone (or DATEs). */
  startTime?: ICAL.Time;
  endTime?: ICAL.Time;
  /**
   * The instance's RECURRENCE-ID in the master's value type and zone; undefined for an item that
   * does not recur (its only occurrence is the item itself).
   */
  recurrenceId?: ICAL.Time;
}

/**
 * Caps on expansion. Counts are instances kept, not instances walked past; steps are candidate
 * dates ical.js tests (see recur-guard.ts), which bounds the work on rules that rarely or never
 * match (ical.js can loop on them, docs/caldav-servers.md#guard-against-endless-rules) and on old
 * series with a window far in the future.
 */
export interface ExpansionLimits {
  /** Instances of one series returned by one call. */
  maxPerSeries: number;
  /** Instances returned over all series sharing one `used` counter. */
  maxTotal: number;
  /** Candidate dates tested per series. */
  maxStepsPerSeries: number;
}

export const DEFAULT_LIMITS: Readonly<ExpansionLimits> = { maxPerSeries: 5000, maxTotal: 20_000, maxStepsPerSeries: 50_000 };

export interface ExpansionOptions {
  limits?: ExpansionLimits;
  /**
   * IANA zone in which DATEs and floating times become instants (RFC 4791 §9.9 reads them in the
   * calendar's zone); UTC when absent or unknown.
   */
  floatingZone?: string;
  /** Instances returned so far, shared over several calls so `maxTotal` caps them together. */
  used?: { total: number };
}

/** The components of one item: its master (absent for orphan overrides) and its overrides. */
export interface ItemGroup {
  master?: ICAL.Component;
  overrides: ICAL.Component[];
}

/** Groups VEVENT/VTODO components by type and UID, in order of first appearance. */
export function groupsOf(items: readonly ICAL.Component[]): ItemGroup[] {
  const groups = new Map<string, ItemGroup>();
  for (const item of items) {
    const key = `${item.name}\n${uidOf(item) ?? ''}`;
    const group = groups.get(key) ?? { overrides: [] };
    if (item.hasProperty('recurrence-id')) group.overrides.push(item);
    else group.master ??= item;
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** True when the group has instances beyond one item: a master with RRULE or RDATE, or overrides. */
export function isRecurringGroup(group: ItemGroup): boolean {
  return group.overrides.length > 0 || (!!group.master && (group.master.hasProperty('rrule') || group.master.hasProperty('rdate')));
}

/**
 * Occurrences of the items that overlap [start, end) (an absent bound is open), in recurrence
 * order per item. Overrides are related to their master explicitly (`strictExceptions`), never by
 * scanning siblings (slow, docs/caldav-servers.md#relate-exceptions-explicitly); an override that
 * moves an instance into the range from after it is still found. EXDATE wins over an override of
 * the same instance (RFC 5545 §3.8.5.1).
 */
export function occurrencesIn(
  items: readonly ICAL.Component[],
  start: Date | undefined,
  end: Date | undefined,
  options: ExpansionOptions = {},
): Occurrence[] {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const used = options.used ?? { total: 0 };
  const zone = zoneOf(options.floatingZone);
  const out: Occurrence[] = [];
  for (const group of groupsOf(items)) {
    // The latest RECURRENCE-ID of an override whose own time lies in the range: the walk must
    // reach it even though earlier instances are already past the range end.
    const movedIn = group.overrides
      .map((o) => occurrenceOfItem(o, zone))
      .filter((o): o is Occurrence => !!o && overlaps(o, start, end))
      .reduce((latest, o) => Math.max(latest, o.recurrenceId ? instantIn(o.recurrenceId, zone).getTime() : 0), 0);
    let kept = 0;
    for (const occurrence of occurrencesOf(group, limits, zone)) {
      if (used.total >= limits.maxTotal) return out;
      const rid = occurrence.recurrenceId ? instantIn(occurrence.recurrenceId, zone) : occurrence.start;
      if (end && occurrence.start >= end && rid >= end && rid.getTime() > movedIn) break;
      if (!overlaps(occurrence, start, end)) continue;
      out.push(occurrence);
      used.total++;
      if (++kept >= limits.maxPerSeries) break;
    }
  }
  return out;
}

/**
 * Every occurrence of one group in recurrence order, within the step budget: the item itself when
 * it does not recur, each override of an orphan group (no master), else the expanded series.
 * `walk.cutShort` is set when the budget (or ical.js) ended the series early (see recur-guard.ts).
 */
export function* occurrencesOf(group: ItemGroup, limits: ExpansionLimits, zone: ICAL.Timezone | undefined, walk?: { cutShort: boolean }): Generator<Occurrence> {
  const master = group.master;
  if (!master) {
    // Stored order is arbitrary; callers stop at the first recurrence id past their range.
    const orphans = group.overrides.flatMap((o) => occurrenceOfItem(o, zone) ?? []);
    const ridOf = (o: Occurrence) => (o.recurrenceId ? instantIn(o.recurrenceId, zone) : o.start).getTime();
    yield* orphans.sort((a, b) => ridOf(a) - ridOf(b));
    return;
  }
  if (!isRecurringGroup(group) || !master.hasProperty('dtstart')) {
    const occurrence = occurrenceOfItem(master, zone);
    if (occurrence) yield { ...occurrence, recurrenceId: undefined };
    return;
  }
  const event = new ICAL.Event(master, { exceptions: group.overrides, strictExceptions: true });
  for (const next of guardedStarts(event, limits.maxStepsPerSeries, walk)) {
    const details = event.getOccurrenceDetails(next);
    const item = details.item.component;
    const endTime = item.name === 'vtodo' ? todoEnd(item, details.startDate) : details.endDate;
    yield timed(item, details.startDate, endTime, next, zone);
  }
}

/** The occurrence an item describes by its own DTSTART (tasks: DUE; else none). */
function occurrenceOfItem(item: ICAL.Component, zone: ICAL.Timezone | undefined): Occurrence | undefined {
  const recurrenceId = (item.getFirstPropertyValue('recurrence-id') as ICAL.Time | null) ?? undefined;
  const dtstart = item.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  if (item.name === 'vtodo') {
    const due = item.getFirstPropertyValue('due') as ICAL.Time | null;
    const from = dtstart ?? due;
    return from ? timed(item, from, todoEnd(item, from), recurrenceId, zone) : undefined;
  }
  if (!dtstart) return undefined;
  // `exceptions: []` keeps ical.js from scanning (and relating) every sibling component.
  return timed(item, dtstart, new ICAL.Event(item, { exceptions: [], strictExceptions: true }).endDate, recurrenceId, zone);
}

function timed(item: ICAL.Component, start: ICAL.Time, end: ICAL.Time, recurrenceId: ICAL.Time | undefined, zone: ICAL.Timezone | undefined): Occurrence {
  return { item, start: instantIn(start, zone), end: instantIn(end, zone), startTime: start, endTime: end, recurrenceId };
}

/** A task instance ends at DUE, moved with the start (absolute offset); without DUE at its start. */
function todoEnd(item: ICAL.Component, start: ICAL.Time): ICAL.Time {
  const due = item.getFirstPropertyValue('due') as ICAL.Time | null;
  const dtstart = item.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  if (!due || !dtstart) return due ?? start;
  const end = start.clone();
  end.addDuration(due.subtractDateTz(dtstart));
  return end;
}

/** The instant of a time; DATEs (at midnight) and floating times are read in `zone`, else UTC. */
export function instantIn(time: ICAL.Time, zone: ICAL.Timezone | undefined): Date {
  if (isFloating(time) && zone) {
    const local = ICAL.Time.fromData(
      { year: time.year, month: time.month, day: time.day, hour: time.isDate ? 0 : time.hour, minute: time.isDate ? 0 : time.minute, second: time.isDate ? 0 : time.second },
      zone,
    );
    return new Date(local.toUnixTime() * 1000);
  }
  return new Date(time.toUnixTime() * 1000);
}

/** DATEs and date-times without a resolvable zone (ical.js gives unknown TZIDs the local zone). */
export function isFloating(time: ICAL.Time): boolean {
  return time.isDate || !time.zone || time.zone === ICAL.Timezone.localTimezone || time.zone.tzid === 'floating';
}

/** The ical.js zone of a known IANA name; undefined for absent or unknown names (UTC then). */
export function zoneOf(tzid: string | undefined): ICAL.Timezone | undefined {
  return tzid ? timezone(tzid) : undefined;
}

/** Half-open overlap; a zero-length item at or after the range start counts. */
function overlaps(o: Occurrence, start: Date | undefined, end: Date | undefined): boolean {
  const beforeEnd = !end || o.start < end;
  const afterStart = !start || o.end > start || (o.end.getTime() === o.start.getTime() && o.start >= start);
  return beforeEnd && afterStart;
}
