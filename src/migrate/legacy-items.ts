import ICAL from 'ical.js';
import { contentFingerprint, itemComponents, uidOf, usedTimezoneIds } from '../mapping/calendar-object.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import type { ComponentType } from '../model/calendar.js';

/**
 * Turns an exported calendar into the objects the new server stores: one VCALENDAR per UID holding
 * the master and its exceptions (RFC 4791 §4.1) and the VTIMEZONEs they use, without the hints a
 * WCAP answer adds for its clients (see {@link WCAP_HINTS}).
 */

export interface LegacyItem {
  uid: string;
  type: ComponentType;
  vcalendar: ICAL.Component;
  /** Size of the object as iCalendar text. */
  bytes: number;
}

export interface UnusableComponent {
  uid?: string;
  reason: string;
}

/**
 * Properties and parameters that describe a WCAP answer, not the item: the stored zone named
 * beside each time (X-NSCP-*-TZID), Sun's live/deleted marker, and the calid or address beside
 * each calendar user (docs/wcap-protocol.md#component-extensions).
 */
const WCAP_HINTS = { properties: ['x-nscp-dtstart-tzid', 'x-nscp-dtend-tzid', 'x-nscp-due-tzid', 'x-nscp-tombstone'], userParameters: ['x-s1cs-calid', 'x-s1cs-email'] };

const PRODID = '-//wcap-gateway//migrate//EN';

export function itemsOfExport(calendars: readonly ICAL.Component[]): { items: LegacyItem[]; unusable: UnusableComponent[] } {
  const zones = new Map<string, ICAL.Component>();
  const groups = new Map<string, ICAL.Component[]>();
  const unusable: UnusableComponent[] = [];
  for (const calendar of calendars) {
    for (const zone of calendar.getAllSubcomponents('vtimezone')) zones.set(String(zone.getFirstPropertyValue('tzid')), zone);
    for (const component of itemComponents(calendar)) {
      const uid = uidOf(component);
      if (!uid) {
        unusable.push({ reason: `a ${component.name.toUpperCase()} without UID` });
        continue;
      }
      const group = groups.get(uid) ?? [];
      group.push(component);
      groups.set(uid, group);
    }
  }
  const items: LegacyItem[] = [];
  for (const [uid, components] of groups) {
    const types = new Set(components.map((c) => c.name));
    if (types.size > 1) {
      unusable.push({ uid, reason: 'the UID names both an event and a task' });
      continue;
    }
    const vcalendar = new ICAL.Component('vcalendar');
    vcalendar.addPropertyWithValue('prodid', PRODID);
    vcalendar.addPropertyWithValue('version', '2.0');
    const copies = distinct(components).map((c) => cleaned(new ICAL.Component(structuredClone(c.jCal))));
    // A zone the export does not define is fine when the repository knows it (it adds its own definition).
    const missing = [...usedTimezoneIds(copies)].filter((tzid) => !zones.has(tzid));
    for (const tzid of usedTimezoneIds(copies)) {
      const zone = zones.get(tzid);
      if (zone) vcalendar.addSubcomponent(new ICAL.Component(structuredClone(zone.jCal)));
    }
    // Master first, then the exceptions (the order the repository keeps).
    copies.sort((a, b) => Number(a.hasProperty('recurrence-id')) - Number(b.hasProperty('recurrence-id')));
    for (const copy of copies) vcalendar.addSubcomponent(copy);
    if (missing.length > 0 && missing.some((tzid) => !isKnownTimezone(tzid))) {
      unusable.push({ uid, reason: `time zone ${missing.join(', ')} is used but not defined in the export` });
      continue;
    }
    items.push({ uid, type: components[0]!.name.toUpperCase() as ComponentType, vcalendar, bytes: Buffer.byteLength(vcalendar.toString(), 'utf8') });
  }
  return { items, unusable };
}

/**
 * Whether two objects hold the same item: the same components (master and exceptions, alarms
 * included) apart from the stamps a store refreshes, whatever their order and their VTIMEZONEs.
 */
export function sameItem(a: ICAL.Component, b: ICAL.Component): boolean {
  const fingerprints = (calendar: ICAL.Component) => itemComponents(calendar).map((c) => contentFingerprint(cleaned(new ICAL.Component(structuredClone(c.jCal))))).sort().join('\n');
  return fingerprints(a) === fingerprints(b);
}

/** A component may come twice in one answer (several blocks for the same calendar): keep one of each. */
function distinct(components: ICAL.Component[]): ICAL.Component[] {
  const seen = new Set<string>();
  return components.filter((c) => {
    const key = String(c.getFirstProperty('recurrence-id')?.getFirstValue() ?? 'master');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function cleaned(component: ICAL.Component): ICAL.Component {
  for (const name of WCAP_HINTS.properties) component.removeAllProperties(name);
  for (const property of [...component.getAllProperties('attendee'), ...component.getAllProperties('organizer')]) {
    for (const parameter of WCAP_HINTS.userParameters) property.removeParameter(parameter);
  }
  return component;
}
