import ICAL from 'ical.js';
import type { ComponentType, StoredObject, TimeRange } from '../model/calendar.js';
import { itemComponents, usedTimezoneIds } from '../mapping/calendar-object.js';
import { DEFAULT_LIMITS, groupsOf, isFloating, occurrencesOf } from '../mapping/expand.js';
import { componentOverlaps, itemsOverlap } from '../mapping/time-span.js';
import { attachZones } from '../mapping/timezones.js';

/**
 * The gateway's side of the recurrence fallback (docs/caldav-servers.md#recurrence-aware-time-range):
 * a server whose calendar-query time-range ignores RRULE (Xandikos 0.2.8) misses a series that
 * started before the window. The backend then also asks for every recurring master of the type
 * (a `prop-filter name="RRULE"` query) and keeps those that have an occurrence in the range, decided
 * here with the gateway's own expansion (bounded by its step and instance limits).
 */

/**
 * DATEs and floating times are instants only in the calendar's zone, which the backend does not
 * know: a master using them is kept when it overlaps the range widened by the largest UTC offsets
 * (+14 h, -12 h), so the selection never misses one; the gateway's own expansion cuts exactly.
 */
const FLOATING_SLACK_MS = 14 * 3_600_000;

/** What one recurring master shows about a server's time-range answer. */
export type RecurrenceEvidence = 'expands' | 'ignores-rrule' | undefined;

interface JudgedMaster {
  object: StoredObject;
  /** An occurrence (overrides applied) overlaps the range. */
  inRange: boolean;
  /**
   * The range holds a later occurrence but none of the object's components overlaps it by its own
   * dates, and no value is floating: only a server that expands RRULE can have matched it.
   */
  onlyByExpansion: boolean;
}

/**
 * Masters of `type` (from the RRULE query) with an occurrence in `range`, and what they show about
 * the server: a master matched only by expansion that the time-range answer (`matched`, its URLs)
 * holds means the server expands; one it lacks means it ignores RRULE.
 */
export function selectRecurring(
  masters: readonly StoredObject[],
  type: ComponentType,
  range: TimeRange,
  matched: ReadonlySet<string>,
): { selected: StoredObject[]; evidence: RecurrenceEvidence } {
  const selected: StoredObject[] = [];
  let evidence: RecurrenceEvidence;
  for (const object of masters) {
    const judged = judge(object, type, range);
    if (!judged?.inRange) continue;
    selected.push(object);
    if (judged.onlyByExpansion && evidence === undefined) evidence = matched.has(object.url) ? 'expands' : 'ignores-rrule';
  }
  return { selected, evidence };
}

/**
 * A master and a window that decide the question with one more time-range REPORT, for when the
 * masters at hand showed nothing: the window is the master's second occurrence, which its own
 * dates (and its overrides') do not touch, so only a server that expands RRULE can match it.
 */
export function probeWindow(masters: readonly StoredObject[], type: ComponentType): { object: StoredObject; range: TimeRange } | undefined {
  for (const object of masters) {
    const second = secondOccurrence(object, type);
    if (!second) continue;
    const range: TimeRange = { start: second.start, end: second.end > second.start ? second.end : new Date(second.start.getTime() + 1000) };
    if (judge(object, type, range)?.onlyByExpansion) return { object, range };
  }
  return undefined;
}

function secondOccurrence(object: StoredObject, type: ComponentType): { start: Date; end: Date } | undefined {
  try {
    const items = parsedItems(object, type);
    const group = groupsOf(items).find((g) => g.master?.hasProperty('rrule'));
    if (!group) return undefined;
    const walk = occurrencesOf(group, { ...DEFAULT_LIMITS, maxPerSeries: 2, maxTotal: 2 }, undefined);
    walk.next();
    const second = walk.next();
    return second.done ? undefined : { start: second.value.start, end: second.value.end };
  } catch {
    return undefined;
  }
}

/** The components of `type` of a stored object, with its zones registered before any time is read. */
function parsedItems(object: StoredObject, type: ComponentType): ICAL.Component[] {
  const vcalendar = new ICAL.Component(ICAL.parse(object.ical) as unknown[]);
  attachZones(vcalendar, usedTimezoneIds(itemComponents(vcalendar, type)));
  return itemComponents(vcalendar, type);
}

/** undefined for data that cannot be read: such an object is left to the time-range answer. */
function judge(object: StoredObject, type: ComponentType, range: TimeRange): JudgedMaster | undefined {
  try {
    const items = parsedItems(object, type);
    if (items.length === 0) return undefined;
    const floating = items.some((item) => ['dtstart', 'dtend', 'due'].some((name) => {
      const value = item.getFirstPropertyValue(name);
      return value instanceof ICAL.Time && isFloating(value);
    }));
    const wide: TimeRange = floating ? widened(range) : range;
    const inRange = itemsOverlap(items, wide, undefined, DEFAULT_LIMITS);
    const ownDates = items.some((item) => componentOverlaps(item, wide, undefined));
    return { object, inRange, onlyByExpansion: inRange && !floating && !ownDates };
  } catch {
    return undefined;
  }
}

function widened(range: TimeRange): TimeRange {
  return {
    ...(range.start ? { start: new Date(range.start.getTime() - FLOATING_SLACK_MS) } : {}),
    ...(range.end ? { end: new Date(range.end.getTime() + FLOATING_SLACK_MS) } : {}),
  };
}
