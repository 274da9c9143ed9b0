import ICAL from 'ical.js';

/**
 * Deep copies of items that still resolve their TZIDs the way the originals do. ical.js reads a
 * TZID from the VTIMEZONEs of the component tree first and from its global TimezoneService second
 * (ical.js lib/ical/time.js fromDateTimeString); a detached copy would turn a zone the gateway does
 * not register (a custom VTIMEZONE stored by another client) into floating time. So each copy is
 * attached to a holder VCALENDAR carrying clones of its original's VTIMEZONEs — one holder per
 * original VCALENDAR within a call. The originals are never modified; holders are never output
 * (formatters serialise each item alone).
 */
export function copyItems(items: readonly ICAL.Component[]): ICAL.Component[] {
  const holders = new Map<ICAL.Component, ICAL.Component>();
  return items.map((item) => {
    const copy = new ICAL.Component(structuredClone(item.jCal));
    const source = item.parent;
    if (source) {
      let holder = holders.get(source);
      if (!holder) {
        holder = new ICAL.Component('vcalendar');
        for (const zone of source.getAllSubcomponents('vtimezone')) holder.addSubcomponent(cloneComponent(zone));
        holders.set(source, holder);
      }
      holder.addSubcomponent(copy);
    }
    return copy;
  });
}

/** A copy of the VTIMEZONE with that TZID in the item's tree (as stored), if any. */
export function storedZoneOf(item: ICAL.Component, tzid: string): ICAL.Component | undefined {
  const zone = item.parent?.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === tzid);
  return zone ? cloneComponent(zone) : undefined;
}

function cloneComponent(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(structuredClone(component.jCal));
}
