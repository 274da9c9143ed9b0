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
 * The first occurrence of `theirs` that overlaps one of `mine` (both busy), with the one it meets,
 * or undefined. Overlap is of half-open intervals; a zero-length occurrence counts as one
 * millisecond, so a busy point in time inside another event still conflicts.
 */
export function firstOverlap(mine: readonly Occurrence[], theirs: readonly Occurrence[]): { mine: Occurrence; theirs: Occurrence } | undefined {
  const end = (o: Occurrence) => Math.max(o.end.getTime(), o.start.getTime() + 1);
  const sortedMine = [...mine].sort((a, b) => a.start.getTime() - b.start.getTime());
  for (const other of [...theirs].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    for (const own of sortedMine) {
      if (own.start.getTime() >= end(other)) break;
      if (other.start.getTime() < end(own)) return { mine: own, theirs: other };
    }
  }
  return undefined;
}
