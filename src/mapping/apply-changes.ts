import ICAL from 'ical.js';
import { GatewayError } from '../model/errors.js';
import type { ItemChanges } from '../model/item-changes.js';
import type { WcapDate } from '../model/wcap-date.js';
import { applyAlarm } from './alarms.js';
import { applyAttendees, resolveCalendarUser, setOrganizer } from './attendees.js';
import type { Directory } from './directory.js';
import { setTimeProperty, toIcalTime, utcTime } from './ical-time.js';
import { isKnownTimezone } from './timezones.js';

export interface ApplyContext {
  directory: Directory;
  /** The calid of the calendar being written: the default organizer of meetings. */
  calendarCalid: string;
}

/**
 * Applies a store request to a VEVENT or VTODO in place. Fields the request does not mention are
 * left exactly as stored (a modify "changes only the fields sent"). Throws GatewayError 'invalid'
 * for requests that would produce an invalid item (event without start, end before start).
 */
export function applyItemChanges(component: ICAL.Component, changes: ItemChanges, ctx: ApplyContext): void {
  applyDates(component, changes);
  setText(component, 'summary', changes.summary);
  setText(component, 'description', changes.description);
  setText(component, 'location', changes.location);
  setText(component, 'url', changes.url);
  setValue(component, 'priority', changes.priority);
  setValue(component, 'class', changes.classification);
  setValue(component, 'status', changes.status);
  if (changes.transparent !== undefined && component.name === 'vevent') {
    component.updatePropertyWithValue('transp', changes.transparent ? 'TRANSPARENT' : 'OPAQUE');
  }
  if (component.name === 'vtodo') {
    setValue(component, 'percent-complete', changes.percent);
    if (changes.completed === null) component.removeAllProperties('completed');
    else if (changes.completed) setTimeProperty(component, 'completed', toIcalTime(changes.completed, 'UTC'));
  }
  setList(component, 'categories', changes.categories, changes.replace);
  setList(component, 'resources', changes.resources, changes.replace);
  setAttachments(component, changes.attachments, changes.replace);
  if (changes.organizer && (changes.organizer.calid || changes.organizer.email)) {
    const address = changes.organizer.calid ?? changes.organizer.email ?? '';
    setOrganizer(component, resolveCalendarUser(address, ctx.directory), changes.organizer.cn);
  }
  if (changes.attendees !== undefined) {
    applyAttendees(component, changes.attendees, ctx.directory, changes.replace);
  }
  // A meeting needs an organizer (RFC 5545 §3.8.4.3); WCAP's default is the calendar's owner.
  if (component.hasProperty('attendee') && !component.hasProperty('organizer')) {
    setOrganizer(component, resolveCalendarUser(ctx.calendarCalid, ctx.directory), undefined);
  }
  if (changes.alarm !== undefined) applyAlarm(component, changes.alarm, changes.tzid);
}

/** DTSTAMP always; CREATED on creation; LAST-MODIFIED on every real change. */
export function stampItem(component: ICAL.Component, now: Date, created: boolean): void {
  const stamp = utcTime(new Date(Math.floor(now.getTime() / 1000) * 1000));
  if (created) setTimeProperty(component, 'created', stamp);
  setTimeProperty(component, 'last-modified', stamp);
  setTimeProperty(component, 'dtstamp', stamp);
}

function applyDates(component: ICAL.Component, changes: ItemChanges): void {
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

/** Text values: CRLF/CR → LF (Radicale 3.1.8 rejects escaped text holding a raw CR, backends.md §4.1). */
function setText(component: ICAL.Component, name: string, value: string | null | undefined): void {
  if (value === undefined) return;
  if (value === null) component.removeAllProperties(name);
  else component.updatePropertyWithValue(name, value.replace(/\r\n?/g, '\n'));
}

function setValue(component: ICAL.Component, name: string, value: string | number | null | undefined): void {
  if (value === undefined) return;
  if (value === null) component.removeAllProperties(name);
  else component.updatePropertyWithValue(name, value);
}

function setList(component: ICAL.Component, name: string, values: string[] | null | undefined, replace: boolean): void {
  if (values === undefined) return;
  const kept = replace || values === null ? [] : component.getAllProperties(name).flatMap((p) => p.getValues() as string[]);
  component.removeAllProperties(name);
  const all = [...new Set([...kept, ...(values ?? [])].map((v) => v.trim()).filter((v) => v !== ''))];
  if (all.length === 0) return;
  const property = new ICAL.Property(name, component);
  property.setValues(all);
  component.addProperty(property);
}

function setAttachments(component: ICAL.Component, urls: string[] | null | undefined, replace: boolean): void {
  if (urls === undefined) return;
  if (replace || urls === null) component.removeAllProperties('attach');
  const present = new Set(component.getAllProperties('attach').map((p) => String(p.getFirstValue())));
  for (const url of urls ?? []) {
    if (url.trim() === '' || present.has(url)) continue;
    component.addPropertyWithValue('attach', url.trim());
    present.add(url);
  }
}
