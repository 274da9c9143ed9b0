import ICAL from 'ical.js';
import type { Occurrence } from './expand.js';
import { copyItems } from './item-copy.js';

/**
 * Properties that describe a series rather than one instance (WCAP `compressed`,
 * docs/wcap-protocol.md#recurring-and-compressed).
 */
const SERIES_PROPERTIES = ['rrule', 'rdate', 'exrule', 'exdate'];

/**
 * Components for expanded output (WCAP recurring=0, docs/wcap-protocol.md#recurring-and-compressed):
 * one per occurrence, a copy of the component describing it (master or override) with the
 * instance's RECURRENCE-ID (in the master's value type and zone, as stored overrides carry it) and
 * its own DTSTART and DTEND (tasks: DUE; DURATION becomes DTEND). Without `compressed` the series
 * properties RRULE, RDATE, EXRULE and EXDATE are left out; with it the instance keeps those its
 * component has (WCAP 7.0 guide: compressed=1 "to receive all the recurrence data back"). An
 * occurrence without recurrence id (an item that does not recur) is copied unchanged.
 */
export function instanceComponents(occurrences: readonly Occurrence[], options: { compressed: boolean }): ICAL.Component[] {
  const copies = copyItems(occurrences.map((o) => o.item));
  occurrences.forEach((occurrence, i) => {
    const copy = copies[i]!;
    if (!occurrence.recurrenceId) return;
    if (!copy.hasProperty('recurrence-id')) replaceTime(copy, 'recurrence-id', occurrence.recurrenceId);
    if (occurrence.startTime && copy.hasProperty('dtstart')) replaceTime(copy, 'dtstart', occurrence.startTime);
    if (occurrence.endTime) {
      if (copy.name === 'vtodo') {
        if (copy.hasProperty('due')) replaceTime(copy, 'due', occurrence.endTime);
      } else if (copy.hasProperty('dtend') || copy.hasProperty('duration')) {
        copy.removeAllProperties('duration');
        replaceTime(copy, 'dtend', occurrence.endTime);
      }
    }
    if (!options.compressed) for (const name of SERIES_PROPERTIES) copy.removeAllProperties(name);
  });
  return copies;
}

/**
 * Sets a date property to `time` in place (keeping its position and other parameters): VALUE=DATE
 * for DATEs (ical.js misreads bare dates, docs/caldav-servers.md#all-day-values-need-valuedate),
 * TZID for zoned times, `Z` for UTC.
 */
export function replaceTime(component: ICAL.Component, name: string, time: ICAL.Time): void {
  let property = component.getFirstProperty(name);
  if (!property) {
    property = new ICAL.Property(name, component);
    component.addProperty(property);
  }
  property.removeParameter('tzid');
  property.removeParameter('value');
  property.resetType(time.isDate ? 'date' : 'date-time');
  property.setValue(time);
  const tzid = zoneIdOf(time);
  if (tzid) property.setParameter('tzid', tzid);
}

/** The TZID to write for a time: none for DATEs, UTC and floating times. */
export function zoneIdOf(time: ICAL.Time): string | undefined {
  if (time.isDate || !time.zone || time.zone === ICAL.Timezone.utcTimezone || time.zone === ICAL.Timezone.localTimezone) return undefined;
  const tzid = time.zone.tzid;
  return tzid && tzid !== 'floating' && tzid !== 'UTC' ? tzid : undefined;
}
