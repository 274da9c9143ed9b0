import ICAL from 'ical.js';
import { usedTimezoneIds } from './calendar-object.js';
import { attachZones } from './timezones.js';

/**
 * Deep copies of items that resolve their TZIDs the way the originals do. ical.js reads a TZID from
 * the VTIMEZONEs of the component tree, so a detached copy would read every zoned time as floating
 * (docs/caldav-servers.md#register-time-zones-first). Each copy is therefore attached to a holder
 * VCALENDAR with clones of its original's VTIMEZONEs plus the gateway's definitions of any zone the
 * original's tree lacks (items built from request parameters have none) — one holder per original
 * VCALENDAR within a call. The originals are never modified; holders are never output (formatters
 * serialise each item alone).
 */
export function copyItems(items: readonly ICAL.Component[]): ICAL.Component[] {
  const holders = new Map<ICAL.Component | undefined, ICAL.Component>();
  const copies = items.map((item) => {
    const copy = new ICAL.Component(structuredClone(item.jCal));
    const source = item.parent ?? undefined;
    let holder = holders.get(source);
    if (!holder) {
      holder = new ICAL.Component('vcalendar');
      for (const zone of source?.getAllSubcomponents('vtimezone') ?? []) holder.addSubcomponent(cloneComponent(zone));
      holders.set(source, holder);
    }
    holder.addSubcomponent(copy);
    return copy;
  });
  for (const holder of holders.values()) {
    attachZones(holder, usedTimezoneIds(holder.getAllSubcomponents().filter((c) => c.name !== 'vtimezone')));
  }
  return copies;
}

/** A copy of the VTIMEZONE with that TZID in the item's tree (as stored), if any. */
export function storedZoneOf(item: ICAL.Component, tzid: string): ICAL.Component | undefined {
  const zone = item.parent?.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === tzid);
  return zone ? cloneComponent(zone) : undefined;
}

function cloneComponent(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(structuredClone(component.jCal));
}
