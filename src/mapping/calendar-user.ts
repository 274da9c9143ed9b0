import type ICAL from 'ical.js';
import { stripMailto, type Directory } from './directory.js';

/**
 * True when an ATTENDEE or ORGANIZER names `user`: its X-S1CS-CALID is the user's calid (`user` or
 * `user:name`, as the gateway stores it for local users), or its address is the user's mail
 * (directory.ts), or, as Unicon sends it, the value is the bare calid
 * (docs/wcap-protocol.md#other-wcap-clients).
 */
export function namesUser(property: ICAL.Property, user: string, directory: Directory): boolean {
  const isUsersCalid = (calid: string) => calid === user || calid.startsWith(`${user}:`);
  const calid = property.getParameter('x-s1cs-calid');
  if (typeof calid === 'string' && isUsersCalid(calid)) return true;
  const value = String(property.getFirstValue() ?? '');
  if (value.includes('@')) return stripMailto(value).toLowerCase() === directory.mailOf(user).toLowerCase();
  return isUsersCalid(value);
}

/** The user's own ATTENDEE of an item, if listed. */
export function ownAttendee(item: ICAL.Component, user: string, directory: Directory): ICAL.Property | undefined {
  return item.getAllProperties('attendee').find((a) => namesUser(a, user, directory));
}

/** True when the user organizes the item. */
export function organizedBy(item: ICAL.Component, user: string, directory: Directory): boolean {
  const organizer = item.getFirstProperty('organizer');
  return !!organizer && namesUser(organizer, user, directory);
}

/** PARTSTAT upper-cased; NEEDS-ACTION when absent (RFC 5545 §3.2.12 default). */
export function partstatOf(attendee: ICAL.Property): string {
  const value = attendee.getParameter('partstat');
  return typeof value === 'string' && value !== '' ? value.toUpperCase() : 'NEEDS-ACTION';
}
