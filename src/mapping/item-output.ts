import ICAL from 'ical.js';
import { usedTimezoneIds } from './calendar-object.js';
import { stripMailto, type Directory } from './directory.js';
import { vtimezone } from './timezones.js';

export interface ItemOutputOptions {
  /**
   * WCAP `emailorcalid`: true → ATTENDEE/ORGANIZER values are `mailto:` addresses with the calid in
   * X-S1CS-CALID (what Lightning sends and needs, lightning-client.md §6.3); false (the WCAP
   * default) → the value is the calid and the address goes in X-S1CS-EMAIL.
   */
  emailOrCalid: boolean;
  directory: Directory;
}

const TZID_HINTS: Array<[string, string]> = [
  ['dtstart', 'X-NSCP-DTSTART-TZID'],
  ['dtend', 'X-NSCP-DTEND-TZID'],
  ['due', 'X-NSCP-DUE-TZID'],
];

/**
 * Copies stored items for a WCAP answer: standard iCalendar (local times with TZID plus the
 * VTIMEZONEs, placed first) plus the Sun hints X-NSCP-*-TZID, and calendar users in the form asked
 * for. The stored components are not modified.
 */
export function itemsForOutput(items: ICAL.Component[], options: ItemOutputOptions): ICAL.Component[] {
  const copies = items.map((item) => new ICAL.Component(structuredClone(item.jCal)));
  for (const item of copies) {
    for (const [name, hint] of TZID_HINTS) {
      const tzid = item.getFirstProperty(name)?.getParameter('tzid');
      item.removeAllProperties(hint.toLowerCase());
      if (typeof tzid === 'string') item.addPropertyWithValue(hint.toLowerCase(), tzid);
    }
    for (const property of [...item.getAllProperties('organizer'), ...item.getAllProperties('attendee')]) {
      shapeCalendarUser(property, options);
    }
  }
  const zones = [...usedTimezoneIds(copies)].flatMap((tzid) => vtimezone(tzid) ?? []);
  return [...zones, ...copies];
}

function shapeCalendarUser(property: ICAL.Property, options: ItemOutputOptions): void {
  const value = String(property.getFirstValue() ?? '');
  const storedCalid = property.getParameter('x-s1cs-calid');
  const isAddress = /^mailto:/i.test(value) || value.includes('@');
  const mail = isAddress ? stripMailto(value) : options.directory.mailOf(value.split(':')[0] ?? value);
  const calid =
    typeof storedCalid === 'string' ? storedCalid : isAddress ? options.directory.userOfMail(mail) : value;
  property.removeParameter('x-s1cs-calid');
  property.removeParameter('x-s1cs-email');
  if (options.emailOrCalid) {
    property.setValue(`mailto:${mail}`);
    if (calid) property.setParameter('x-s1cs-calid', calid);
  } else if (calid) {
    property.setValue(calid);
    property.setParameter('x-s1cs-email', mail);
  } else {
    property.setValue(`mailto:${mail}`);
  }
}
