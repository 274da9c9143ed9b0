import ICAL from 'ical.js';
import type { ComponentType } from '../model/calendar.js';

const PRODID = '-//wcap-gateway//WCAP to CalDAV//EN';
const ITEM_TYPES = ['vevent', 'vtodo'] as const;

/** VEVENT and VTODO components of an object (masters and overrides), optionally of one type. */
export function itemComponents(vcalendar: ICAL.Component, type?: ComponentType): ICAL.Component[] {
  const names: readonly string[] = type ? [type.toLowerCase()] : ITEM_TYPES;
  return vcalendar.getAllSubcomponents().filter((c) => names.includes(c.name));
}

/** The master (the component without RECURRENCE-ID) of an object, optionally of one type. */
export function masterOf(vcalendar: ICAL.Component, type?: ComponentType): ICAL.Component | undefined {
  return itemComponents(vcalendar, type).find((c) => !c.hasProperty('recurrence-id'));
}

export function uidOf(component: ICAL.Component): string | undefined {
  const uid = component.getFirstPropertyValue('uid');
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

/** A new object holding one item. */
export function newCalendarObject(item: ICAL.Component): ICAL.Component {
  const vcalendar = new ICAL.Component('vcalendar');
  vcalendar.addPropertyWithValue('prodid', PRODID);
  vcalendar.addPropertyWithValue('version', '2.0');
  vcalendar.addSubcomponent(item);
  return vcalendar;
}

/** TZIDs referenced by date properties of the components (and their alarms). */
export function usedTimezoneIds(components: ICAL.Component[]): Set<string> {
  const ids = new Set<string>();
  const visit = (component: ICAL.Component) => {
    for (const property of component.getAllProperties()) {
      const tzid = property.getParameter('tzid');
      if (typeof tzid === 'string' && tzid !== '') ids.add(tzid);
    }
    for (const child of component.getAllSubcomponents()) visit(child);
  };
  components.forEach(visit);
  return ids;
}

const STAMPS = new Set(['dtstamp', 'last-modified', 'created', 'sequence']);

/**
 * The content of a component without the stamps a store always refreshes, for "did anything
 * change". Property and subcomponent order is ignored: rewriting a value moves its property to the
 * end without changing the item.
 */
export function contentFingerprint(component: ICAL.Component): string {
  const properties = component
    .getAllProperties()
    .filter((p) => !STAMPS.has(p.name))
    .map((p) => p.toICALString())
    .sort();
  const children = component.getAllSubcomponents().map(contentFingerprint).sort();
  return [`BEGIN:${component.name}`, ...properties, ...children, `END:${component.name}`].join('\n');
}
