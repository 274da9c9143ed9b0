import type ICAL from 'ical.js';
import { stripMailto, type Directory } from './directory.js';
import { resolveCalendarUser, type CalendarUser } from './attendees.js';

/**
 * Whether a SCHEDULE-STATUS parameter value (RFC 6638 §10.3: one or more status codes, separated
 * by commas, possibly quoted) records a failed delivery: a code of class 3 (the request was not
 * acceptable) or 5 (it could not be delivered, RFC 5545 §3.8.8.3). 1.x (pending) and 2.x
 * (delivered) are no error.
 */
export function isDeliveryFailure(status: unknown): boolean {
  const values = Array.isArray(status) ? status.map(String) : typeof status === 'string' ? [status] : [];
  return values
    .flatMap((v) => v.split(','))
    .map((code) => code.trim().replace(/^"|"$/g, ''))
    .some((code) => /^[35](\.\d+)+$/.test(code));
}

/** The attendee a request names (`attendee`: a calid, a mail address or a mailto: URI), resolved once. */
export function attendeeFilter(attendee: string | undefined, directory: Directory): CalendarUser | undefined {
  const value = attendee?.trim();
  return value ? resolveCalendarUser(value, directory) : undefined;
}

/** Whether an ATTENDEE is the one `wanted` names: same address (case-insensitive), or same local calid. */
function isAttendee(property: ICAL.Property, wanted: CalendarUser): boolean {
  const address = stripMailto(String(property.getFirstValue() ?? '')).toLowerCase();
  if (address !== '' && address === stripMailto(wanted.uri).toLowerCase()) return true;
  const calid = property.getParameter('x-s1cs-calid');
  return wanted.calid !== undefined && typeof calid === 'string' && calid === wanted.calid;
}

/**
 * The components (masters and overrides, as stored) with an ATTENDEE whose delivery failed
 * (SCHEDULE-STATUS of class 3 or 5), only that attendee's when `wanted` is given; nothing else.
 */
export function componentsWithDeliveryErrors(components: readonly ICAL.Component[], wanted: CalendarUser | undefined): ICAL.Component[] {
  return components.filter((component) =>
    component.getAllProperties('attendee').some((a) => isDeliveryFailure(a.getParameter('schedule-status')) && (!wanted || isAttendee(a, wanted))),
  );
}
