import ICAL from 'ical.js';
import { addDate } from './apply-recurrence.js';
import { guardedStarts } from './recur-guard.js';
import { setTimeProperty } from './ical-time.js';
import { cloneInTree } from './timezones.js';

/**
 * Upper bound of candidate dates tested to locate an instance (ical.js can loop,
 * docs/caldav-servers.md#guard-against-endless-rules).
 */
const MAX_WALK = 100_000;

/** The components of one recurring item: the master and its overrides (RECURRENCE-ID). */
export interface Series {
  master: ICAL.Component;
  overrides: ICAL.Component[];
}

const recurrenceIdOf = (c: ICAL.Component) => c.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;

/** Same instant (date-times) or same day (dates), whatever the zones. */
export function sameInstance(a: ICAL.Time, b: ICAL.Time): boolean {
  if (a.isDate || b.isDate) return a.year === b.year && a.month === b.month && a.day === b.day;
  return a.toUnixTime() === b.toUnixTime();
}

/**
 * Walks the master's own instances (RRULE, RDATE, EXDATE; overrides ignored) in order, within a
 * step budget — ical.js can loop inside one step on rules that never match. `visit` returns false
 * to stop.
 */
export function walkInstances(master: ICAL.Component, visit: (start: ICAL.Time) => boolean): void {
  const event = new ICAL.Event(master, { exceptions: [], strictExceptions: true });
  for (const start of guardedStarts(event, MAX_WALK)) if (!visit(start)) return;
}

/** The instance of the series at `rid`, if the rules (or an existing override) define one. */
export function findInstance(series: Series, rid: ICAL.Time): ICAL.Time | undefined {
  const override = series.overrides.find((o) => sameInstance(recurrenceIdOf(o)!, rid));
  if (override) return recurrenceIdOf(override)!;
  let found: ICAL.Time | undefined;
  walkInstances(series.master, (start) => {
    if (sameInstance(start, rid)) found = start;
    return !found && (start.isDate ? start.compare(rid) <= 0 : start.toUnixTime() <= rid.toUnixTime());
  });
  return found;
}

/** The first instance strictly after `rid`, if any. */
export function nextInstance(master: ICAL.Component, rid: ICAL.Time): ICAL.Time | undefined {
  let found: ICAL.Time | undefined;
  walkInstances(master, (start) => {
    if (!sameInstance(start, rid) && start.compare(rid) > 0) found = start;
    return !found;
  });
  return found;
}

/**
 * The override component for one instance: the existing one, or a copy of the master with the
 * instance's start and end and RECURRENCE-ID = the instance (in the master's value type and zone).
 * A new override is added to `vcalendar`. Its RECURRENCE-ID never changes afterwards, so a moved
 * instance keeps its identity.
 */
export function overrideFor(vcalendar: ICAL.Component, series: Series, instance: ICAL.Time): ICAL.Component {
  const existing = series.overrides.find((o) => sameInstance(recurrenceIdOf(o)!, instance));
  if (existing) return existing;
  const override = cloneInTree(series.master);
  for (const name of ['rrule', 'rdate', 'exrule', 'exdate', 'created', 'last-modified', 'dtstamp', 'sequence']) {
    override.removeAllProperties(name);
  }
  const start = series.master.getFirstPropertyValue('dtstart') as ICAL.Time;
  const end = series.master.getFirstPropertyValue('dtend') as ICAL.Time | null;
  setTimeProperty(override, 'recurrence-id', instance.clone());
  setTimeProperty(override, 'dtstart', instance.clone());
  if (end) {
    const shifted = instance.clone();
    shifted.addDuration(end.subtractDate(start));
    setTimeProperty(override, 'dtend', shifted);
  }
  vcalendar.addSubcomponent(override);
  series.overrides.push(override);
  return override;
}

/**
 * Splits a series before `at` (an instance): the returned later part is a new series with
 * `newUid` whose master starts at `at`, takes the overrides, RDATEs and EXDATEs from `at` on, and
 * keeps the rest of the count; the original keeps everything before `at` (its rules end with
 * UNTIL just before `at`). Both halves keep their own exceptions. The later components are
 * removed from `vcalendar`.
 */
export function splitSeries(vcalendar: ICAL.Component, series: Series, at: ICAL.Time, newUid: string): Series {
  const original = series.master;
  // COUNT counts what the rules generate, EXDATEs and RDATEs aside (RFC 5545 §3.3.10).
  const rulesOnly = cloneInTree(original);
  for (const name of ['exdate', 'exrule', 'rdate']) rulesOnly.removeAllProperties(name);
  let before = 0;
  walkInstances(rulesOnly, (start) => {
    if (start.compare(at) >= 0 || sameInstance(start, at)) return false;
    before += 1;
    return true;
  });
  const later = cloneInTree(original);
  later.updatePropertyWithValue('uid', newUid);
  const start = original.getFirstPropertyValue('dtstart') as ICAL.Time;
  const end = original.getFirstPropertyValue('dtend') as ICAL.Time | null;
  setTimeProperty(later, 'dtstart', at.clone());
  if (end) {
    const shifted = at.clone();
    shifted.addDuration(end.subtractDate(start));
    setTimeProperty(later, 'dtend', shifted);
  }
  for (const property of later.getAllProperties('rrule')) {
    const rule = property.getFirstValue() as ICAL.Recur;
    if (rule.count) rule.count = Math.max(1, rule.count - before);
    property.setValue(rule);
  }
  keepDates(later, (t) => t.compare(at) >= 0 || sameInstance(t, at));
  keepDates(original, (t) => t.compare(at) < 0 && !sameInstance(t, at));
  endRulesBefore(original, at);
  const moved = series.overrides.filter((o) => {
    const rid = recurrenceIdOf(o)!;
    return rid.compare(at) >= 0 || sameInstance(rid, at);
  });
  for (const override of moved) {
    vcalendar.removeSubcomponent(override);
    override.updatePropertyWithValue('uid', newUid);
  }
  series.overrides = series.overrides.filter((o) => !moved.includes(o));
  return { master: later, overrides: moved };
}

/** Rules of the earlier half end just before `at` (UNTIL replaces COUNT: exact either way). */
function endRulesBefore(master: ICAL.Component, at: ICAL.Time): void {
  const until = at.clone();
  if (until.isDate) until.adjust(-1, 0, 0, 0);
  else until.adjust(0, 0, 0, -1);
  const utcUntil = until.isDate ? until : until.convertToZone(ICAL.Timezone.utcTimezone);
  for (const property of master.getAllProperties('rrule')) {
    const rule = property.getFirstValue() as ICAL.Recur;
    rule.count = null as unknown as number;
    if (!rule.until || rule.until.compare(utcUntil) > 0) rule.until = utcUntil;
    property.setValue(rule);
  }
}

/** Keeps only RDATE / EXDATE values for which `keep` holds. */
function keepDates(master: ICAL.Component, keep: (t: ICAL.Time) => boolean): void {
  for (const name of ['rdate', 'exdate'] as const) {
    const values = master.getAllProperties(name).flatMap((p) => p.getValues() as ICAL.Time[]);
    master.removeAllProperties(name);
    for (const value of values.filter(keep)) addDate(master, name, value);
  }
}

/**
 * Moves the series' instance identities by the change of DTSTART (a whole series moved by an hour
 * or a day): overrides' RECURRENCE-IDs and EXDATEs follow, so no exception is silently orphaned.
 */
export function shiftInstances(series: Series, from: ICAL.Time, to: ICAL.Time): void {
  const delta = to.subtractDateTz(from);
  if (delta.toSeconds() === 0) return;
  for (const override of series.overrides) {
    const rid = recurrenceIdOf(override)!.clone();
    rid.addDuration(delta);
    setTimeProperty(override, 'recurrence-id', rid);
  }
  const exdates = series.master.getAllProperties('exdate').flatMap((p) => p.getValues() as ICAL.Time[]);
  series.master.removeAllProperties('exdate');
  for (const exdate of exdates) {
    const moved = exdate.clone();
    moved.addDuration(delta);
    addDate(series.master, 'exdate', moved);
  }
}
