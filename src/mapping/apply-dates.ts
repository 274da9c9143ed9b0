import ICAL from 'ical.js';
import { GatewayError } from '../model/errors.js';
import type { ItemChanges } from '../model/item-changes.js';
import type { WcapDate } from '../model/wcap-date.js';
import { setTimeProperty, toIcalTime } from './ical-time.js';
import { isKnownTimezone } from './timezones.js';

/**
 * DTSTART, DTEND / DUE and DURATION of a store request. UTC inputs are stored as local time in
 * `tzid`, floating inputs are read in it, isAllDay turns values into DATEs. Throws GatewayError
 * 'invalid' for an event without start or an end before the start.
 */
export function applyDates(component: ICAL.Component, changes: ItemChanges): void {
  const tzid = zoneFor(component, changes.tzid);
  const endName = component.name === 'vtodo' ? 'due' : 'dtend';
  const end = component.name === 'vtodo' ? changes.due : changes.dtend;
  const allDay = changes.isAllDay;
  const timeOf = (value: WcapDate) => {
    const time = toIcalTime(value, tzid);
    if (allDay === true && !time.isDate) {
      return ICAL.Time.fromData({ year: time.year, month: time.month, day: time.day, isDate: true });
    }
    return time;
  };
  if (changes.dtstart === null) component.removeAllProperties('dtstart');
  else if (changes.dtstart) setTimeProperty(component, 'dtstart', timeOf(changes.dtstart));
  if (end === null) component.removeAllProperties(endName);
  else if (end) {
    setTimeProperty(component, endName, timeOf(end));
    component.removeAllProperties('duration');
  } else if (changes.duration === null) component.removeAllProperties('duration');
  else if (changes.duration) {
    component.updatePropertyWithValue('duration', parseDuration(changes.duration));
    component.removeAllProperties(endName);
  }
  if (allDay === true) convertExistingToDates(component, ['dtstart', endName]);

  const start = component.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  if (component.name === 'vevent' && !start) throw new GatewayError('invalid', 'An event needs a start (dtstart)');
  const finish = component.getFirstPropertyValue(endName) as ICAL.Time | null;
  if (start && finish && finish.compare(start) < 0) {
    throw new GatewayError('invalid', `${endName === 'due' ? 'due' : 'dtend'} is before dtstart`);
  }
}

/** The zone for floating inputs: the request's tzid, else the zone the item is stored in. */
function zoneFor(component: ICAL.Component, tzid: string | undefined): string | undefined {
  if (tzid !== undefined) {
    if (!isKnownTimezone(tzid)) throw new GatewayError('invalid', 'Unknown time zone in parameter tzid');
    return tzid;
  }
  const stored = component.getFirstProperty('dtstart')?.getParameter('tzid');
  return typeof stored === 'string' && isKnownTimezone(stored) ? stored : undefined;
}

function convertExistingToDates(component: ICAL.Component, names: string[]): void {
  for (const name of names) {
    const time = component.getFirstPropertyValue(name) as ICAL.Time | null;
    if (time && !time.isDate) {
      setTimeProperty(component, name, ICAL.Time.fromData({ year: time.year, month: time.month, day: time.day, isDate: true }));
    }
  }
}

function parseDuration(text: string): ICAL.Duration {
  if (!/^[+-]?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$/i.test(text.trim()) || /^[+-]?PT?$/i.test(text.trim())) {
    throw new GatewayError('invalid', 'duration must be an ISO 8601 duration such as PT1H');
  }
  return ICAL.Duration.fromString(text.trim().toUpperCase());
}

