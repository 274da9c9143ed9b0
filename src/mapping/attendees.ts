import ICAL from 'ical.js';
import type { AttendeeInput } from '../model/item-changes.js';
import { stripMailto, type Directory } from './directory.js';

/** PARTSTAT value by which WCAP removes an attendee (S63 storeevents). */
export const ATTENDEE_DELETE = 'X-NSCP-WCAP-ATTENDEE-DELETE';

/** A calendar user address as stored: always a `mailto:` URI, with the calid when it is local. */
export interface CalendarUser {
  uri: string;
  calid?: string;
}

/** Resolves an address as sent (mailto:, bare mail, or calid) against the directory. */
export function resolveCalendarUser(address: string, directory: Directory): CalendarUser {
  const bare = stripMailto(address.trim());
  if (bare.includes('@')) {
    const user = directory.userOfMail(bare);
    return user === undefined ? { uri: `mailto:${bare}` } : { uri: `mailto:${bare}`, calid: user };
  }
  // A calid (`jdoe`, `jdoe:work`): the owner's mail is the address (UNICON sends calids).
  const owner = bare.split(':')[0] ?? bare;
  return { uri: `mailto:${directory.mailOf(owner)}`, calid: bare };
}

/**
 * Applies the attendee list to a component. With `replace` the list replaces all attendees;
 * without it, entries update attendees with the same address and new ones are appended. A
 * PARTSTAT of X-NSCP-WCAP-ATTENDEE-DELETE removes that attendee either way.
 */
export function applyAttendees(
  component: ICAL.Component,
  attendees: AttendeeInput[],
  directory: Directory,
  replace: boolean,
): void {
  const existing = new Map<string, ICAL.Property>();
  for (const property of [...component.getAllProperties('attendee')]) {
    if (replace) component.removeProperty(property);
    else existing.set(String(property.getFirstValue()).toLowerCase(), property);
  }
  for (const attendee of attendees) {
    const user = resolveCalendarUser(attendee.address, directory);
    const key = user.uri.toLowerCase();
    const previous = existing.get(key);
    if (previous) component.removeProperty(previous);
    if (attendee.params.PARTSTAT?.toUpperCase() === ATTENDEE_DELETE) {
      existing.delete(key);
      continue;
    }
    const property = new ICAL.Property('attendee', component);
    property.setValue(user.uri);
    for (const [param, value] of Object.entries(attendee.params)) {
      if (value !== '') property.setParameter(param.toLowerCase(), param === 'CN' ? value : value.toUpperCase());
    }
    if (!attendee.params.PARTSTAT) property.setParameter('partstat', 'NEEDS-ACTION');
    if (user.calid) property.setParameter('x-s1cs-calid', user.calid);
    component.addProperty(property);
    existing.set(key, property);
  }
}

/** Sets ORGANIZER from a resolved calendar user (CN optional). */
export function setOrganizer(component: ICAL.Component, user: CalendarUser, cn: string | undefined): void {
  component.removeAllProperties('organizer');
  const property = new ICAL.Property('organizer', component);
  property.setValue(user.uri);
  if (cn) property.setParameter('cn', cn);
  if (user.calid) property.setParameter('x-s1cs-calid', user.calid);
  component.addProperty(property);
}
