import type ICAL from 'ical.js';
import { itemComponents, uidOf } from '../mapping/calendar-object.js';
import type { ComponentType, StoredObject } from '../model/calendar.js';

/**
 * One calendar item as the repository hands it out: the parsed stored object (zones attached, see
 * object-codec.ts) and, of it, the components of one UID and type — master first, then its
 * overrides. Commands and mapping change `vcalendar` in place and give the item back to
 * `Calendar.save`; `stored` (where it lives and which version was read) is the repository's own.
 */
export interface Item {
  readonly uid: string;
  readonly type: ComponentType;
  readonly vcalendar: ICAL.Component;
  /** The master (absent for an object holding only overrides), then the overrides. */
  readonly components: ICAL.Component[];
  /** Opaque outside calendars/: the object's URL and the version that was read. */
  readonly stored: StoredObject;
}

/** The components of `uid` of one type in a VCALENDAR (master first, then overrides). */
export function componentsOf(vcalendar: ICAL.Component, uid: string, type: ComponentType): ICAL.Component[] {
  const all = itemComponents(vcalendar, type).filter((c) => uidOf(c) === uid);
  return [...all.filter((c) => !c.hasProperty('recurrence-id')), ...all.filter((c) => c.hasProperty('recurrence-id'))];
}

/** The items (one per UID and type among `types`) an object holds, in order of first appearance. */
export function itemsOf(vcalendar: ICAL.Component, stored: StoredObject, types: readonly ComponentType[]): Item[] {
  const items: Item[] = [];
  const seen = new Set<string>();
  for (const component of itemComponents(vcalendar)) {
    const type = component.name.toUpperCase() as ComponentType;
    const uid = uidOf(component);
    if (!uid || !types.includes(type) || seen.has(`${type}\n${uid}`)) continue;
    seen.add(`${type}\n${uid}`);
    items.push({ uid, type, vcalendar, components: componentsOf(vcalendar, uid, type), stored });
  }
  return items;
}

/** The master component of an item, if it has one. */
export function masterOf(item: Item): ICAL.Component | undefined {
  return item.components.find((c) => !c.hasProperty('recurrence-id'));
}
