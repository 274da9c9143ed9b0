import type ICAL from 'ical.js';
import type { WcapDate } from '../model/wcap-date.js';
import { alignTo } from './apply-recurrence.js';
import { findInstance, sameInstance } from './series.js';

const recurrenceIdOf = (c: ICAL.Component) => c.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;

/**
 * The component describing instance `rid` of one item (`components`: its master and overrides):
 * the override of that instance, else the master when its rules (RRULE, RDATE, EXDATE) produce
 * that instance, else null. A non-recurring master's only instance is its own start. `rid` is read
 * like a delete's rid: UTC, floating (in the master's zone, else `tzid`) or a DATE.
 */
export function instanceComponent(components: ICAL.Component[], rid: WcapDate, tzid: string | undefined): ICAL.Component | null {
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  const overrides = components.filter((c) => c.hasProperty('recurrence-id'));
  const start = master?.getFirstPropertyValue('dtstart') as ICAL.Time | null | undefined;
  const target = alignTo(rid, start ?? null, tzid);
  const override = overrides.find((o) => sameInstance(recurrenceIdOf(o)!, target));
  if (override) return override;
  if (!master || !start) return null;
  if (!master.hasProperty('rrule') && !master.hasProperty('rdate')) return sameInstance(start, target) ? master : null;
  return findInstance({ master, overrides }, target) ? master : null;
}
