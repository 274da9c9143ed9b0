import ICAL from 'ical.js';
import { addDate } from './apply-recurrence.js';
import { guardedStarts } from './recur-guard.js';
import { sameInstance, type Series } from './series.js';
import { cloneInTree } from './timezones.js';

/** Candidate dates tested while checking exceptions against the rules (as series.ts walks). */
const MAX_STEPS = 100_000;

/** What no longer belongs to a series after its rules changed. */
export interface StaleExceptions {
  /** Overrides whose RECURRENCE-ID is not an instance of the rules (or is excluded by an EXDATE that is). */
  overrides: ICAL.Component[];
  /** EXDATE values that exclude nothing the rules produce. */
  exdates: ICAL.Time[];
}

const recurrenceIdOf = (c: ICAL.Component) => c.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;

/** a lies after b (a later day when either is a DATE, else a later instant). */
function isAfter(a: ICAL.Time, b: ICAL.Time): boolean {
  if (sameInstance(a, b)) return false;
  if (a.isDate || b.isDate) return a.year * 10_000 + a.month * 100 + a.day > b.year * 10_000 + b.month * 100 + b.day;
  return a.toUnixTime() > b.toUnixTime();
}

/**
 * The exceptions of `series` that its current rules (DTSTART, RRULE, RDATE, EXDATE) no longer
 * back: an override whose RECURRENCE-ID the rules do not produce, or that an EXDATE excludes
 * (EXDATE wins, RFC 5545 §3.8.5.1), and an EXDATE naming no instance. The rules are walked once,
 * up to the latest exception, within a step budget; an exception the walk could not reach
 * (budget spent, ical.js gave up) counts as valid: nothing is removed on a guess.
 */
export function staleExceptions(series: Series): StaleExceptions {
  const { master } = series;
  const exdates = master.getAllProperties('exdate').flatMap((p) => p.getValues() as ICAL.Time[]);
  const rids = series.overrides.map(recurrenceIdOf).filter((t): t is ICAL.Time => !!t);
  const candidates = [...exdates, ...rids];
  if (candidates.length === 0 || !master.hasProperty('dtstart')) return { overrides: [], exdates: [] };
  const latest = candidates.reduce((a, b) => (isAfter(b, a) ? b : a));

  // The instances the rules produce before EXDATEs remove any.
  const rulesOnly = cloneInTree(master);
  rulesOnly.removeAllProperties('exdate');
  const produced: ICAL.Time[] = [];
  const walk = { cutShort: false };
  let passed = false;
  for (const start of guardedStarts(new ICAL.Event(rulesOnly, { exceptions: [], strictExceptions: true }), MAX_STEPS, walk)) {
    if (isAfter(start, latest)) {
      passed = true;
      break;
    }
    if (candidates.some((c) => sameInstance(c, start))) produced.push(start);
  }
  const known = passed || !walk.cutShort;
  const reached = (t: ICAL.Time) => known || produced.some((p) => !isAfter(t, p));
  const isProduced = (t: ICAL.Time) => produced.some((p) => sameInstance(p, t));
  const staleExdates = exdates.filter((t) => reached(t) && !isProduced(t));
  const liveExdates = exdates.filter((t) => !staleExdates.some((x) => x === t));
  const overrides = series.overrides.filter((o) => {
    const rid = recurrenceIdOf(o);
    if (!rid || !reached(rid)) return false;
    return !isProduced(rid) || liveExdates.some((x) => sameInstance(x, rid));
  });
  return { overrides, exdates: staleExdates };
}

/** Removes the EXDATE values `times` from the master (other EXDATEs stay, one value a line). */
export function removeExdates(master: ICAL.Component, times: readonly ICAL.Time[]): void {
  if (times.length === 0) return;
  const kept = master
    .getAllProperties('exdate')
    .flatMap((p) => p.getValues() as ICAL.Time[])
    .filter((t) => !times.some((x) => sameInstance(x, t)));
  master.removeAllProperties('exdate');
  for (const time of kept) addDate(master, 'exdate', time);
}
