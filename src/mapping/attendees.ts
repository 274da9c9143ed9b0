import ICAL from 'ical.js';
import type { AttendeeInput } from '../model/item-changes.js';
import { stripMailto, type Directory } from './directory.js';

/** PARTSTAT value by which WCAP removes an attendee (docs/wcap-protocol.md#attendees-in-stores). */
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
  // A calid (`jdoe`, `jdoe:work`): the owner's mail is the address (Unicon sends calids,
  // docs/wcap-protocol.md#other-wcap-clients).
  const owner = bare.split(':')[0] ?? bare;
  return { uri: `mailto:${directory.mailOf(owner)}`, calid: bare };
}

/**
 * Applies the attendee list to a component. With `replace` the list replaces all attendees;
 * without it (WCAP's default, and a REPLY) an entry updates the parameters it names on the
 * attendee with the same address, keeping the others, and new addresses are appended. A PARTSTAT
 * of X-NSCP-WCAP-ATTENDEE-DELETE removes that attendee either way.
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
    if (attendee.params.PARTSTAT?.toUpperCase() === ATTENDEE_DELETE) {
      if (previous) component.removeProperty(previous);
      existing.delete(key);
      continue;
    }
    if (previous) {
      setParams(previous, attendee.params);
      continue;
    }
    const property = new ICAL.Property('attendee', component);
    property.setValue(user.uri);
    setParams(property, attendee.params);
    if (!attendee.params.PARTSTAT) property.setParameter('partstat', 'NEEDS-ACTION');
    if (user.calid) property.setParameter('x-s1cs-calid', user.calid);
    component.addProperty(property);
    existing.set(key, property);
  }
}

/**
 * CN keeps its case; the enumerated parameters (PARTSTAT, ROLE, RSVP, CUTYPE) are upper case.
 * Line breaks become spaces: parameters cannot hold them for clients without RFC 6868.
 */
function setParams(property: ICAL.Property, params: Record<string, string>): void {
  for (const [param, raw] of Object.entries(params)) {
    const value = raw.replace(/[\r\n]+/g, ' ').trim();
    if (value === '') continue;
    const keepCase = param === 'CN' || param === 'DIR' || param === 'SENT-BY' || param.startsWith('X-') || param.startsWith('DELEGATED') || param === 'MEMBER';
    property.setParameter(param.toLowerCase(), keepCase ? value : value.toUpperCase());
  }
}

/** Whether the item's organizer is the owner of `calendarCalid` (by X-S1CS-CALID or mail). */
export function organizedBy(component: ICAL.Component, calendarCalid: string, directory: Directory): boolean {
  const organizer = component.getFirstProperty('organizer');
  if (!organizer) return true;
  const calid = organizer.getParameter('x-s1cs-calid');
  if (typeof calid === 'string') return calid === calendarCalid || calid === calendarCalid.split(':')[0];
  const owner = calendarCalid.split(':')[0] ?? calendarCalid;
  return stripMailto(String(organizer.getFirstValue())).toLowerCase() === directory.mailOf(owner).toLowerCase();
}

/**
 * After a significant change by the organizer every attendee answers again: PARTSTAT back to
 * NEEDS-ACTION, except the organizer's own entry (docs/wcap-protocol.md#attendees-in-stores).
 */
export function resetReplies(component: ICAL.Component): void {
  const organizer = String(component.getFirstPropertyValue('organizer') ?? '').toLowerCase();
  for (const attendee of component.getAllProperties('attendee')) {
    if (String(attendee.getFirstValue()).toLowerCase() === organizer) continue;
    attendee.setParameter('partstat', 'NEEDS-ACTION');
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
