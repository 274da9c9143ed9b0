import { firstValue, topComponents, unescapeText } from '../mapping/content-lines.js';

/**
 * Just enough reading of iCalendar text for the backend's own decisions (exact UID match after a
 * substring REPORT, component types of an object, the TZID of a calendar-timezone).
 */

/** True when the object holds a component with exactly this UID (case-sensitive, RFC 5545). */
export function hasUid(ical: string, uid: string): boolean {
  return topComponents(ical).some((c) => {
    const value = firstValue(c, 'UID');
    return value !== undefined && unescapeText(value) === uid;
  });
}

/** True when the object holds at least one component of one of `types`. */
export function hasComponentOf(ical: string, types: readonly string[]): boolean {
  return topComponents(ical).some((c) => types.includes(c.name));
}

/** TZID of the first VTIMEZONE in a calendar-timezone property value. */
export function timezoneIdOf(vcalendar: string): string | undefined {
  for (const component of topComponents(vcalendar)) {
    const tzid = component.name === 'VTIMEZONE' ? firstValue(component, 'TZID') : undefined;
    if (tzid !== undefined) return tzid;
  }
  return undefined;
}
