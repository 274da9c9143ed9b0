import ICAL from 'ical.js';
import type { TimeRange } from '../model/calendar.js';
import { groupsOf, instantIn, isRecurringGroup, occurrencesIn, zoneOf, type ExpansionLimits } from './expand.js';
import { ruleCanNeverMatch } from './recur-guard.js';

/**
 * Whether stored items overlap a time range, decided in the gateway the way a CalDAV server's
 * calendar-query time-range filter decides it (RFC 4791 §9.9), so a cached calendar answers a range
 * fetch exactly as the server would. Recurring items match when one of their occurrences (overrides
 * applied) overlaps the range.
 */

/** Limits for deciding a match: one occurrence is enough, the step budget still applies. */
const MATCH_LIMITS = (limits: ExpansionLimits): ExpansionLimits => ({ ...limits, maxPerSeries: 1, maxTotal: 1 });

const DAY_MS = 86_400_000;
/** Floating times and DATEs have no instant until a zone is chosen: widen bounds by this much. */
const FLOATING_SLACK_MS = 2 * DAY_MS;

/**
 * Conservative bounds (epoch ms) of everything an object's items can occupy: every overlap the
 * exact test can find lies within them. An open-ended series or an item without dates reaches
 * ±Infinity. Cheap enough to compute once per stored object version.
 */
export function objectBounds(items: readonly ICAL.Component[]): { from: number; to: number } {
  let from = Infinity;
  let to = -Infinity;
  const widen = (time: unknown, slackBefore: number, slackAfter: number) => {
    if (!(time instanceof ICAL.Time)) return;
    const ms = instantIn(time, undefined).getTime();
    const floating = time.isDate || !time.zone || time.zone === ICAL.Timezone.localTimezone || time.zone.tzid === 'floating';
    const slack = floating ? FLOATING_SLACK_MS : 0;
    from = Math.min(from, ms - slack - slackBefore);
    to = Math.max(to, ms + slack + slackAfter);
  };
  for (const item of items) {
    const start = item.getFirstPropertyValue('dtstart');
    const dates = ['dtstart', 'dtend', 'due', 'recurrence-id', 'completed', 'created'].map((name) => item.getFirstPropertyValue(name));
    if (dates.every((d) => !(d instanceof ICAL.Time))) return { from: -Infinity, to: Infinity };
    // A task with only CREATED matches every range ending after it (RFC 4791 §9.9).
    const dated = ['dtstart', 'due', 'completed'].some((name) => item.getFirstPropertyValue(name) instanceof ICAL.Time);
    if (item.name === 'vtodo' && !dated) to = Infinity;
    for (const date of dates) widen(date, 0, DAY_MS);
    const duration = item.getFirstPropertyValue('duration');
    if (start instanceof ICAL.Time && duration instanceof ICAL.Duration) {
      widen(start, 0, Math.max(0, duration.toSeconds() * 1000) + DAY_MS);
    }
    if (item.hasProperty('rrule') || item.hasProperty('rdate')) {
      const ruleEnd = seriesEnd(item, start instanceof ICAL.Time ? start : undefined);
      if (ruleEnd === Infinity) to = Infinity;
      else widen(ICAL.Time.fromJSDate(new Date(ruleEnd), true), 0, spanOf(item) + DAY_MS);
    }
  }
  return { from, to };
}

/** Longest COUNT walked to find where a counted series ends; longer ones count as open. */
const MAX_COUNT_WALK = 2000;

/** The latest instance start a master's rules can produce (epoch ms), or Infinity when open. */
function seriesEnd(master: ICAL.Component, start: ICAL.Time | undefined): number {
  let end = -Infinity;
  for (const property of master.getAllProperties('rrule')) {
    const rule = property.getFirstValue() as ICAL.Recur;
    if (rule.until) end = Math.max(end, instantIn(rule.until, undefined).getTime() + FLOATING_SLACK_MS);
    else if (rule.count && rule.count <= MAX_COUNT_WALK && start) end = Math.max(end, lastCountedStart(rule, start));
    else return Infinity;
  }
  for (const property of master.getAllProperties('rdate')) {
    for (const value of property.getValues()) {
      const time = value instanceof ICAL.Period ? value.start : value;
      if (time instanceof ICAL.Time) end = Math.max(end, instantIn(time, undefined).getTime() + FLOATING_SLACK_MS);
    }
  }
  return end;
}

/** Start (epoch ms, with floating slack) of the last instance of a COUNT rule; Infinity if it cannot be walked. */
function lastCountedStart(rule: ICAL.Recur, start: ICAL.Time): number {
  if (ruleCanNeverMatch(rule)) return start.toUnixTime() * 1000 + FLOATING_SLACK_MS;
  try {
    const iterator = rule.iterator(start);
    let last: ICAL.Time | undefined;
    for (let i = 0; i < MAX_COUNT_WALK * 4; i++) {
      const next = iterator.next();
      if (!next) return (last ?? start).toUnixTime() * 1000 + FLOATING_SLACK_MS;
      last = next;
    }
  } catch {
    // an iterator error: treat the series as open
  }
  return Infinity;
}

/** Length of one instance in ms (DTEND − DTSTART, or DURATION), at least a day for safety margins. */
function spanOf(item: ICAL.Component): number {
  const start = item.getFirstPropertyValue('dtstart');
  const end = item.getFirstPropertyValue('dtend') ?? item.getFirstPropertyValue('due');
  if (start instanceof ICAL.Time && end instanceof ICAL.Time) {
    return Math.max(DAY_MS, end.toUnixTime() * 1000 - start.toUnixTime() * 1000);
  }
  const duration = item.getFirstPropertyValue('duration');
  return duration instanceof ICAL.Duration ? Math.max(DAY_MS, duration.toSeconds() * 1000) : DAY_MS;
}

/** True when the bounds of {@link objectBounds} can overlap the half-open range. */
export function boundsOverlap(bounds: { from: number; to: number }, range: TimeRange): boolean {
  const start = range.start?.getTime() ?? -Infinity;
  const end = range.end?.getTime() ?? Infinity;
  return bounds.from < end && bounds.to >= start;
}

/**
 * True when some item of `items` (one stored object's VEVENTs/VTODOs of the wanted types) overlaps
 * the range by RFC 4791 §9.9: non-recurring items by the rules of that section's tables, recurring
 * ones when one occurrence overlaps. DATEs and floating times are read in `floatingZone` (the
 * calendar's zone), else UTC. An item that cannot be judged (unreadable dates) matches.
 */
export function itemsOverlap(items: readonly ICAL.Component[], range: TimeRange, floatingZone: string | undefined, limits: ExpansionLimits): boolean {
  if (!range.start && !range.end) return items.length > 0;
  const zone = zoneOf(floatingZone);
  for (const group of groupsOf(items)) {
    if (isRecurringGroup(group)) {
      const members = group.master ? [group.master, ...group.overrides] : group.overrides;
      try {
        if (occurrencesIn(members, range.start, range.end, { limits: MATCH_LIMITS(limits), ...(floatingZone ? { floatingZone } : {}) }).length > 0) return true;
      } catch {
        return true;
      }
      continue;
    }
    if (group.master && componentOverlaps(group.master, range, zone)) return true;
  }
  return false;
}

/** RFC 4791 §9.9 for one VEVENT or VTODO instance (its own dates). */
export function componentOverlaps(item: ICAL.Component, range: TimeRange, zone: ICAL.Timezone | undefined): boolean {
  const start = range.start?.getTime() ?? -Infinity;
  const end = range.end?.getTime() ?? Infinity;
  const at = (name: string): number | undefined => {
    const value = item.getFirstPropertyValue(name);
    return value instanceof ICAL.Time ? instantIn(value, zone).getTime() : undefined;
  };
  const dtstart = at('dtstart');
  const durationValue = item.getFirstPropertyValue('duration');
  const duration = durationValue instanceof ICAL.Duration ? durationValue.toSeconds() * 1000 : undefined;
  if (item.name === 'vevent') {
    if (dtstart === undefined) return false;
    const dtend = at('dtend');
    if (dtend !== undefined) return start < dtend && end > dtstart;
    if (duration !== undefined) return duration > 0 ? start < dtstart + duration && end > dtstart : start <= dtstart && end > dtstart;
    const isDate = (item.getFirstPropertyValue('dtstart') as ICAL.Time).isDate;
    return isDate ? start < dtstart + DAY_MS && end > dtstart : start <= dtstart && end > dtstart;
  }
  const due = at('due');
  if (dtstart !== undefined && duration !== undefined) {
    return start <= dtstart + duration && (end > dtstart || end >= dtstart + duration);
  }
  if (dtstart !== undefined && due !== undefined) return (start < due || start <= dtstart) && (end > dtstart || end >= due);
  if (dtstart !== undefined) return start <= dtstart && end > dtstart;
  if (due !== undefined) return start < due && end >= due;
  const completed = at('completed');
  const created = at('created');
  if (completed !== undefined && created !== undefined) {
    return (start <= created || start <= completed) && (end >= created || end >= completed);
  }
  if (completed !== undefined) return start <= completed && end >= completed;
  if (created !== undefined) return end > created;
  return true;
}
