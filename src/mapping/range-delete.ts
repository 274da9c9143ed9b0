import ICAL from 'ical.js';
import type { ComponentType, TimeRange } from '../model/calendar.js';
import type { WcapDate } from '../model/wcap-date.js';
import { stampItem } from './apply-changes.js';
import { addDate } from './apply-recurrence.js';
import { itemComponents, uidOf } from './calendar-object.js';
import { groupsOf, instantIn, isFloating, occurrencesOf, zoneOf, type ExpansionLimits, type Occurrence } from './expand.js';
import { deleteInstances } from './recurrence-delete.js';
import { sameInstance } from './series.js';

/**
 * What a range delete (deleteevents_by_range & co., docs/wcap-protocol.md#range-deletes) does to
 * one item. An item or instance is deleted when it lies wholly in the range (start ≥ dtstart,
 * end ≤ dtend; an open bound does not limit). A series wholly inside goes as an object; one that
 * only partly lies inside loses just those instances:
 * - `through`: the leading run of instances inside, from the series' first one (WCAP mod=3 at the
 *   last of them: the series restarts after it, so no EXDATE per instance);
 * - `single`: further instances inside, one EXDATE each (their overrides removed);
 * - `from`: with an open end, the first instance inside and everything after it (mod=2: the rules
 *   end before it; instances are taken in recurrence order from there, wherever an override moved them).
 */
export type RangePlan =
  | { kind: 'keep' }
  | { kind: 'delete-object' }
  | { kind: 'instances'; through?: ICAL.Time; single: ICAL.Time[]; from?: ICAL.Time }
  /** The walk could not reach the end of the range within the step budget, or more single instances than allowed. */
  | { kind: 'too-large'; reason: string };

export interface RangeOptions {
  limits: ExpansionLimits;
  /** The calendar's zone, for DATEs and floating times. */
  floatingZone?: string;
  /** Most instances one series may lose one by one (one EXDATE each). */
  maxSingles: number;
}

/** Decides what a range delete does to one item (its master first, then its overrides); changes nothing. */
export function planRangeDelete(components: ICAL.Component[], range: TimeRange, options: RangeOptions): RangePlan {
  if (!range.start && !range.end) return { kind: 'delete-object' };
  const group = groupsOf(components)[0];
  if (!group) return { kind: 'keep' };
  const zone = zoneOf(options.floatingZone);
  const inside = (o: Occurrence) => (!range.start || o.start >= range.start) && (!range.end || o.end <= range.end);
  const ridOf = (o: Occurrence) => (o.recurrenceId ? instantIn(o.recurrenceId, zone) : o.start);
  // An override moved into the range from a later instance must still be reached.
  const lastMovedIn = Math.max(
    0,
    ...group.overrides
      .filter((o) => {
        const start = o.getFirstPropertyValue('dtstart');
        return !range.end || (start instanceof ICAL.Time && instantIn(start, zone) < range.end);
      })
      .map((o) => instantIn(o.getFirstPropertyValue('recurrence-id') as ICAL.Time, zone).getTime()),
  );
  const walk = { cutShort: false };
  const seen: Array<{ occurrence: Occurrence; inside: boolean }> = [];
  let horizon = false;
  for (const occurrence of occurrencesOf(group, options.limits, zone, walk)) {
    const isInside = inside(occurrence);
    if (!range.end && isInside) {
      // Open end: this instance and every later one go.
      if (seen.length === 0 || !occurrence.recurrenceId) return { kind: 'delete-object' };
      return { kind: 'instances', single: [], from: occurrence.recurrenceId };
    }
    seen.push({ occurrence, inside: isInside });
    if (range.end && occurrence.start >= range.end && ridOf(occurrence) >= range.end && ridOf(occurrence).getTime() >= lastMovedIn) {
      horizon = true;
      break;
    }
  }
  if (!horizon && walk.cutShort) return { kind: 'too-large', reason: 'its instances in the range are too many to walk' };
  if (seen.length === 0 || !seen.some((s) => s.inside)) return { kind: 'keep' };
  if (!horizon && seen.every((s) => s.inside)) return { kind: 'delete-object' };
  if (!group.master) return singlesPlan(seen.filter((s) => s.inside).map((s) => s.occurrence), undefined, options);
  let lead = 0;
  while (lead < seen.length && seen[lead]!.inside) lead++;
  const through = lead > 0 ? seen[lead - 1]!.occurrence.recurrenceId : undefined;
  return singlesPlan(seen.slice(lead).filter((s) => s.inside).map((s) => s.occurrence), through, options);
}

function singlesPlan(occurrences: Occurrence[], through: ICAL.Time | undefined, options: RangeOptions): RangePlan {
  if (occurrences.length > options.maxSingles) {
    return { kind: 'too-large', reason: `${occurrences.length} of its instances would each need an EXDATE (at most ${options.maxSingles})` };
  }
  const single = occurrences.flatMap((o) => (o.recurrenceId ? [o.recurrenceId] : []));
  return { kind: 'instances', single, ...(through ? { through } : {}) };
}

/** What carrying out a plan came to: the object is to be deleted, or it was changed (`removed`: the instances that went, for the delete log). */
export type RangeOutcome = { kind: 'delete-object' } | { kind: 'updated'; removed: ICAL.Time[] };

/** Carries out an `instances` plan on the item `uid` in `vcalendar` (in place). */
export function applyRangePlan(
  vcalendar: ICAL.Component,
  uid: string,
  type: ComponentType,
  plan: Extract<RangePlan, { kind: 'instances' }>,
  now: Date,
): RangeOutcome {
  const removed: ICAL.Time[] = [];
  const step = (rid: ICAL.Time, mod: 1 | 2 | 3): boolean => {
    const outcome = deleteInstances(vcalendar, uid, type, wcapDateOf(rid), mod, undefined, now);
    if (outcome.outcome === 'updated') removed.push(...outcome.removed);
    return outcome.outcome === 'delete-object';
  };
  if (plan.through && step(plan.through, 3)) return { kind: 'delete-object' };
  const components = itemComponents(vcalendar, type).filter((c) => uidOf(c) === uid);
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  if (master) {
    // The walk found these exact instances: an EXDATE each, without searching the series again.
    for (const rid of plan.single) {
      for (const o of components.filter((c) => sameRid(c, rid))) vcalendar.removeSubcomponent(o);
      addDate(master, 'exdate', rid);
      removed.push(rid);
    }
    if (plan.single.length > 0) stampItem(master, now, false);
  } else {
    for (const rid of plan.single) if (step(rid, 1)) return { kind: 'delete-object' };
  }
  if (plan.from && step(plan.from, 2)) return { kind: 'delete-object' };
  return { kind: 'updated', removed };
}

function sameRid(component: ICAL.Component, rid: ICAL.Time): boolean {
  const own = component.getFirstPropertyValue('recurrence-id');
  return own instanceof ICAL.Time && sameInstance(own, rid);
}

/** A recurrence id as a delete's rid: a DATE, a floating time, or (zoned) its UTC instant. */
export function wcapDateOf(time: ICAL.Time): WcapDate {
  if (time.isDate) return { kind: 'date', year: time.year, month: time.month, day: time.day };
  const fields = isFloating(time) ? time : time.convertToZone(ICAL.Timezone.utcTimezone);
  const { year, month, day, hour, minute, second } = fields;
  return { kind: isFloating(time) ? 'floating' : 'utc', year, month, day, hour, minute, second };
}
