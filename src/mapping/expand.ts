import ICAL from 'ical.js';
import { uidOf } from './calendar-object.js';
import { instantOf } from './ical-time.js';

/** One occurrence of an item, with the component that describes it (master or override). */
export interface Occurrence {
  start: Date;
  end: Date;
  item: ICAL.Component;
}

/** Caps on one series' expansion: ical.js can loop forever on impossible rules (ical.js#1038). */
export interface ExpansionLimits {
  maxOccurrences: number;
  maxIterations: number;
}

export const DEFAULT_LIMITS: ExpansionLimits = { maxOccurrences: 10_000, maxIterations: 100_000 };

/**
 * Occurrences of the items of one calendar object that overlap [start, end). Overrides are related
 * to their master explicitly (`strictExceptions`), never by scanning siblings (backends.md §4.1).
 * Floating times are read as UTC.
 */
export function occurrencesIn(
  items: ICAL.Component[],
  start: Date,
  end: Date,
  limits: ExpansionLimits = DEFAULT_LIMITS,
): Occurrence[] {
  const out: Occurrence[] = [];
  const byUid = new Map<string, ICAL.Component[]>();
  for (const item of items) {
    const uid = uidOf(item) ?? '';
    byUid.set(uid, [...(byUid.get(uid) ?? []), item]);
  }
  for (const group of byUid.values()) {
    const master = group.find((c) => !c.hasProperty('recurrence-id'));
    const exceptions = group.filter((c) => c.hasProperty('recurrence-id'));
    if (!master) {
      for (const e of exceptions) pushIfOverlaps(out, new ICAL.Event(e), e, start, end);
      continue;
    }
    const event = new ICAL.Event(master, { exceptions, strictExceptions: true });
    if (!event.isRecurring()) {
      pushIfOverlaps(out, event, master, start, end);
      continue;
    }
    const iterator = event.iterator();
    let produced = 0;
    for (let i = 0; i < limits.maxIterations && produced < limits.maxOccurrences; i++) {
      const next = iterator.next();
      if (!next) break;
      const details = event.getOccurrenceDetails(next);
      const occurrenceStart = instantOf(details.startDate);
      if (occurrenceStart >= end && instantOf(next) >= end) break;
      const occurrenceEnd = instantOf(details.endDate);
      if (overlaps(occurrenceStart, occurrenceEnd, start, end)) {
        out.push({ start: occurrenceStart, end: occurrenceEnd, item: details.item.component });
        produced++;
      }
    }
  }
  return out;
}

function pushIfOverlaps(out: Occurrence[], event: ICAL.Event, item: ICAL.Component, start: Date, end: Date): void {
  if (!event.startDate) return;
  const s = instantOf(event.startDate);
  const e = event.endDate ? instantOf(event.endDate) : s;
  if (overlaps(s, e, start, end)) out.push({ start: s, end: e, item });
}

/** Half-open overlap; a zero-length item at the range start counts. */
function overlaps(s: Date, e: Date, start: Date, end: Date): boolean {
  return s < end && (e > start || (e.getTime() === s.getTime() && s >= start));
}
