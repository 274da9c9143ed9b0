import type ICAL from 'ical.js';
import { occurrencesIn, type ExpansionOptions, type Occurrence } from './expand.js';
import { freeBusyTypeOf } from './freebusy.js';

/**
 * Double booking (docs/wcap-protocol.md#double-booking): on a calendar that disallows it, an event
 * may not take time that another event of the calendar already takes. "Takes time" is what makes
 * an occurrence busy in free/busy (mapping/freebusy.ts without attendance): an opaque event that is
 * not cancelled; recurring events count with each of their instances.
 */

/** The busy occurrences of an item's components (all of them, up to the expansion limits). */
export function busyOccurrences(components: readonly ICAL.Component[], options: ExpansionOptions, range: { start?: Date; end?: Date } = {}): Occurrence[] {
  return occurrencesIn(components, range.start, range.end, options).filter((o) => freeBusyTypeOf(o.item) !== undefined);
}

/** The time from the earliest start to the latest end of `occurrences` (none: undefined). */
export function spanOf(occurrences: readonly Occurrence[]): { start: Date; end: Date } | undefined {
  if (occurrences.length === 0) return undefined;
  const start = Math.min(...occurrences.map((o) => o.start.getTime()));
  const end = Math.max(...occurrences.map((o) => Math.max(o.end.getTime(), o.start.getTime() + 1)));
  return { start: new Date(start), end: new Date(end) };
}

/**
 * The first occurrence of `theirs` (by start) that overlaps one of `mine`, or undefined. Overlap is
 * of half-open intervals; a zero-length occurrence counts as one millisecond, so a busy point in
 * time inside another event still conflicts. Linear after sorting: `mine` is merged into disjoint
 * intervals, which both lists then walk once.
 */
export function firstOverlap(mine: readonly Occurrence[], theirs: readonly Occurrence[]): Occurrence | undefined {
  const end = (o: Occurrence) => Math.max(o.end.getTime(), o.start.getTime() + 1);
  const taken: Array<{ start: number; end: number }> = [];
  for (const own of [...mine].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    const last = taken.at(-1);
    if (last && own.start.getTime() <= last.end) last.end = Math.max(last.end, end(own));
    else taken.push({ start: own.start.getTime(), end: end(own) });
  }
  let next = 0;
  for (const other of [...theirs].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    while (next < taken.length && taken[next]!.end <= other.start.getTime()) next++;
    if (next === taken.length) return undefined;
    if (taken[next]!.start < end(other)) return other;
  }
  return undefined;
}
