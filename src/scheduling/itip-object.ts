import ICAL from 'ical.js';
import { usedTimezoneIds } from '../mapping/calendar-object.js';
import { raiseSequence } from '../mapping/significance.js';

/** iTIP methods the gateway sends (RFC 5546 §1.4). */
export type ItipMethod = 'REQUEST' | 'CANCEL' | 'REPLY';

const PRODID = '-//wcap-gateway//iMIP//EN';
/** What a REPLY or an attendee's CANCEL carries of the item besides attendees (RFC 5546 §3.2.3, §3.2.5). */
const IDENTIFYING = ['uid', 'dtstamp', 'sequence', 'recurrence-id', 'organizer', 'dtstart', 'dtend', 'due', 'duration', 'summary', 'location', 'rrule', 'rdate', 'exdate'];

/**
 * The iTIP object of a message: a VCALENDAR with METHOD, the definitions of the zones its
 * components use (taken from the stored object), and the components. Gateway bookkeeping
 * (X-WCAP-GATEWAY-…), delivery statuses and alarms (the organizer's own reminders) are left out.
 */
export function itipCalendar(method: ItipMethod, source: ICAL.Component, components: ICAL.Component[]): ICAL.Component {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('prodid', PRODID);
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('method', method);
  const zones = usedTimezoneIds(components);
  for (const zone of source.getAllSubcomponents('vtimezone')) {
    if (zones.has(String(zone.getFirstPropertyValue('tzid')))) calendar.addSubcomponent(copy(zone));
  }
  for (const component of components) calendar.addSubcomponent(cleaned(component));
  return calendar;
}

/** A full copy of a component, as a REQUEST carries it. */
export function fullCopy(component: ICAL.Component): ICAL.Component {
  return copy(component);
}

/**
 * A copy of the component that identifies it and keeps only the ATTENDEE lines `keep` selects:
 * a REPLY carries only the replying attendee, a CANCEL to removed attendees only them.
 */
export function reducedCopy(component: ICAL.Component, keep: (attendee: ICAL.Property) => boolean): ICAL.Component {
  const reduced = new ICAL.Component(component.name);
  for (const name of IDENTIFYING) {
    for (const property of component.getAllProperties(name)) reduced.addProperty(new ICAL.Property(structuredClone(property.jCal)));
  }
  for (const attendee of component.getAllProperties('attendee').filter(keep)) {
    reduced.addProperty(new ICAL.Property(structuredClone(attendee.jCal)));
  }
  return reduced;
}

/** The whole item cancelled: STATUS:CANCELLED and a higher SEQUENCE (RFC 5546 §3.2.5). */
export function cancelledCopy(component: ICAL.Component): ICAL.Component {
  const cancelled = copy(component);
  cancelled.updatePropertyWithValue('status', 'CANCELLED');
  raiseSequence(cancelled);
  return cancelled;
}

function copy(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(structuredClone(component.jCal));
}

function cleaned(component: ICAL.Component): ICAL.Component {
  for (const alarm of component.getAllSubcomponents('valarm')) component.removeSubcomponent(alarm);
  for (const property of [...component.getAllProperties()]) {
    if (property.name.startsWith('x-wcap-gateway-')) component.removeProperty(property);
  }
  for (const property of [...component.getAllProperties('attendee'), ...component.getAllProperties('organizer')]) {
    property.removeParameter('schedule-status');
  }
  return component;
}
