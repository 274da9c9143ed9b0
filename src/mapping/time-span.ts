import ICAL from 'ical.js';
import type { TimeRange } from '../model/calendar.js';
import { groupsOf, instantIn, isRecurringGroup, occurrencesIn, zoneOf, type ExpansionLimits } from './expand.js';

/**
 * Whether stored items overlap a time range, decided in the gateway the way a CalDAV server's
 * calendar-query time-range filter decides it (RFC 4791 §9.9), so a cached calendar answers a range
 * fetch exactly as the server would. Recurring items match when one of their occurrences (overrides
 * applied) overlaps the range.
 */

/** Limits for deciding a match: one occurrence is enough, the step budget still applies. */
const MATCH_LIMITS = (limits: ExpansionLimits): ExpansionLimits => ({ ...limits, maxPerSeries: 1, maxTotal: 1 });

const DAY_MS = 86_400_000;

/** True when conservative bounds (mapping/object-scan.ts) can overlap the half-open range. */
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
