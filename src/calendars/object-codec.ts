import ICAL from 'ical.js';
import { itemComponents, usedTimezoneIds } from '../mapping/calendar-object.js';
import { attachZones, vtimezone } from '../mapping/timezones.js';
import { GatewayError } from '../model/errors.js';

/**
 * Stored iCalendar text ⇄ the parsed VCALENDAR the rest of the gateway works on. Zones are
 * resolved per object, never through ical.js's process-wide registry (see mapping/timezones.ts).
 */

/**
 * Parses a stored calendar object and attaches the definitions of the zones its items use (the
 * gateway's canonical one for IANA names, else the object's own VTIMEZONE), so every time in it is
 * read in the right zone, whatever the process parsed before. Unusable data is the CalDAV server's
 * fault, not the client's: GatewayError 'backend'.
 */
export function parseObject(ical: string): ICAL.Component {
  let vcalendar: ICAL.Component;
  try {
    vcalendar = new ICAL.Component(ICAL.parse(ical) as unknown[]);
  } catch (err) {
    throw new GatewayError('backend', `Stored calendar data cannot be parsed: ${(err as Error).message}`);
  }
  if (vcalendar.name !== 'vcalendar') throw new GatewayError('backend', 'Stored calendar data is not a VCALENDAR');
  attachZones(vcalendar, usedTimezoneIds(itemComponents(vcalendar)));
  return vcalendar;
}

/**
 * Serialises an object for storage with exactly the VTIMEZONEs its items use: the gateway's
 * canonical definition for known zones, the stored one for zones the gateway does not know.
 * Reorders the VCALENDAR's subcomponents (zones first) but changes nothing else.
 */
export function serializeObject(vcalendar: ICAL.Component): string {
  const stored = new Map<string, ICAL.Component>();
  // getAllSubcomponents may hand out ical.js's live list: copy before removing.
  for (const tz of [...vcalendar.getAllSubcomponents('vtimezone')]) {
    stored.set(String(tz.getFirstPropertyValue('tzid')), tz);
    vcalendar.removeSubcomponent(tz);
  }
  const zones = [...usedTimezoneIds(itemComponents(vcalendar))].map((tzid) => vtimezone(tzid) ?? stored.get(tzid));
  const items = [...vcalendar.getAllSubcomponents()];
  for (const item of items) vcalendar.removeSubcomponent(item);
  for (const zone of zones) if (zone) vcalendar.addSubcomponent(zone);
  for (const item of items) vcalendar.addSubcomponent(item);
  return vcalendar.toString() + '\r\n';
}
