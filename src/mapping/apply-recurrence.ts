import ICAL from 'ical.js';
import type { ItemChanges } from '../model/item-changes.js';
import type { WcapDate } from '../model/wcap-date.js';
import { exactlyInZone, setTimeProperty, toIcalTime } from './ical-time.js';
import { ruleCanNeverMatch } from './recur-guard.js';

/** true when the master defines more than one instance (RRULE or RDATE). */
export function isRecurring(component: ICAL.Component): boolean {
  return component.hasProperty('rrule') || component.hasProperty('rdate');
}

/**
 * Applies rrules / exrules (always replaced), rdates / exdates (replaced or appended per
 * `replace`) and excludedtstart to a master. Dates follow the master's DTSTART: DATE values for
 * all-day series (Lightning sends midnight date-times there, docs/lightning.md#store-request-layout),
 * otherwise local times in the DTSTART zone.
 */
export function applyRecurrence(master: ICAL.Component, changes: ItemChanges): void {
  if (changes.rrules !== undefined) setRules(master, 'rrule', changes.rrules);
  if (changes.exrules !== undefined) setRules(master, 'exrule', changes.exrules);
  const start = master.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  if (changes.rdates !== undefined) setDates(master, 'rdate', changes.rdates, changes.replace, start, changes.tzid);
  if (changes.exdates !== undefined) setDates(master, 'exdate', changes.exdates, changes.replace, start, changes.tzid);
  // A DTSTART the rules do not produce is undefined in RFC 5545 (§3.8.5.3) and ical.js drops it;
  // WCAP says it is an instance unless excludedtstart=1 (docs/wcap-protocol.md#storing-recurrence):
  // make that explicit with an RDATE, or an EXDATE for clients that would count it anyway.
  if (changes.rrules?.length && start && !rulesProduce(master, start)) {
    addDate(master, changes.excludeDtstart ? 'exdate' : 'rdate', start);
  }
}

function setRules(master: ICAL.Component, name: 'rrule' | 'exrule', rules: string[]): void {
  master.removeAllProperties(name);
  for (const rule of rules) master.addPropertyWithValue(name, ICAL.Recur.fromString(rule));
}

function setDates(
  master: ICAL.Component,
  name: 'rdate' | 'exdate',
  dates: WcapDate[] | null,
  replace: boolean,
  start: ICAL.Time | null,
  tzid: string | undefined,
): void {
  if (replace || dates === null) master.removeAllProperties(name);
  for (const date of dates ?? []) addDate(master, name, alignTo(date, start, tzid));
}

/** A date converted to the master's value type and zone, so EXDATEs really match instances. */
export function alignTo(date: WcapDate, start: ICAL.Time | null, tzid: string | undefined): ICAL.Time {
  const zoneName = start?.zone && start.zone.tzid !== 'floating' ? start.zone.tzid : tzid;
  const time = toIcalTime(date, date.kind === 'floating' ? (zoneName ?? tzid) : zoneName);
  if (start?.isDate) return ICAL.Time.fromData({ year: time.year, month: time.month, day: time.day, isDate: true });
  if (start && start.zone && time.zone !== start.zone && start.zone.tzid !== 'floating') return exactlyInZone(time, start.zone) ?? time;
  return time;
}

/** Adds one date property unless an equal value is already there. */
export function addDate(master: ICAL.Component, name: 'rdate' | 'exdate', time: ICAL.Time): void {
  const exists = master
    .getAllProperties(name)
    .some((p) => (p.getValues() as ICAL.Time[]).some((v) => v.compare(time) === 0 && v.isDate === time.isDate));
  if (exists) return;
  const holder = new ICAL.Component('x-holder');
  setTimeProperty(holder, name, time);
  const property = holder.getFirstProperty(name)!;
  holder.removeProperty(property);
  master.addProperty(property);
}

/** Whether any RRULE of the master yields DTSTART itself (RFC 5545 counts DTSTART regardless). */
function rulesProduce(master: ICAL.Component, start: ICAL.Time): boolean {
  return master.getAllProperties('rrule').some((property) => {
    const rule = property.getFirstValue() as ICAL.Recur;
    // An impossible rule would make ical.js search forever; it produces nothing.
    if (ruleCanNeverMatch(rule)) return false;
    const iterator = rule.iterator(start);
    const first = iterator.next();
    return first !== null && first !== undefined && first.compare(start) === 0;
  });
}
