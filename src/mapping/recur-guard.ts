import ICAL from 'ical.js';

/**
 * The parts of ical.js's RecurIterator the guard touches. They are not in its public typings, so
 * they are reached through this narrow view; if a later ical.js renames them the guard no longer
 * applies and the unit test with an impossible rule fails (it would hang).
 */
interface RuleIteratorInternals {
  rule: ICAL.Recur;
  completed: boolean;
  check_contracting_rules(): boolean;
}

class StepBudgetSpent extends Error {}

/** Longest possible length of each month (February in a leap year). */
const MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when the rule's BYMONTH and BYMONTHDAY parts select no day in any year, e.g.
 * `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`. Such a rule makes ical.js 2.2.1 test candidate days forever
 * inside one `next()` call (docs/caldav-servers.md#guard-against-endless-rules).
 */
export function ruleCanNeverMatch(rule: ICAL.Recur): boolean {
  const monthDays = rule.parts.BYMONTHDAY;
  if (!monthDays || monthDays.length === 0) return false;
  const months = rule.parts.BYMONTH && rule.parts.BYMONTH.length > 0 ? rule.parts.BYMONTH : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  return !months.some((month) => {
    const length = MONTH_LENGTHS[month - 1] ?? 0;
    return monthDays.some((day) => day !== 0 && Math.abs(day) <= length);
  });
}

/**
 * The instance starts of an event or todo in order (RRULE, RDATE, EXDATE applied; ical.js yields
 * DTSTART first), as a generator that always ends:
 * - A rule that can never match (see {@link ruleCanNeverMatch}) contributes no instance at all, not
 *   even DTSTART: RFC 5545 §3.8.5.3 leaves a DTSTART that is out of step with its rule undefined, and
 *   such a series has no real occurrence.
 * - Every candidate date ical.js tests counts one step; after `maxSteps` steps the series ends as if
 *   it had no more instances. A count of returned occurrences cannot do this: one `next()` can test
 *   candidates without end.
 * - An error inside ical.js (for example its "rule may be impossible" guard after 500 EXDATE hits)
 *   also ends the series.
 * `walk.cutShort` (when given) is set when the series ended for the last two reasons rather than
 * because it has no more instances: callers that decide "not an instance" must not decide it then.
 */
export function* guardedStarts(event: ICAL.Event, maxSteps: number, walk?: { cutShort: boolean }): Generator<ICAL.Time, void, undefined> {
  const cut = () => {
    if (walk) walk.cutShort = true;
  };
  let iterator: ICAL.RecurExpansion;
  try {
    iterator = event.iterator();
  } catch {
    cut();
    return;
  }
  let steps = 0;
  const internals = (iterator as unknown as { ruleIterators?: RuleIteratorInternals[] }).ruleIterators;
  for (const rule of Array.isArray(internals) ? internals : []) {
    if (ruleCanNeverMatch(rule.rule)) {
      rule.completed = true;
      continue;
    }
    const check = rule.check_contracting_rules.bind(rule);
    rule.check_contracting_rules = () => {
      if (++steps > maxSteps) throw new StepBudgetSpent();
      return check();
    };
  }
  const hasRdate = event.component.hasProperty('rdate');
  if (Array.isArray(internals) && internals.length > 0 && internals.every((r) => r.completed) && !hasRdate) return;
  for (;;) {
    let next: ICAL.Time | null;
    try {
      next = iterator.next();
    } catch {
      cut();
      return;
    }
    if (!next) return;
    // RDATE-only series have no rule iterator to count; count their instances instead.
    if (++steps > maxSteps) return cut();
    yield next;
  }
}
