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
  const text = vcalendar.toString() + '\r\n';
  assertSameStructure(vcalendar, text);
  return text;
}

/**
 * The last line of defence against iCalendar injection: the written text, parsed again, must hold
 * exactly the components and properties the gateway built. Values are escaped where they are set
 * (mapping/apply-changes.ts); if one ever slips through, a line break in it would add a property or
 * a component, and this refuses the write instead of storing it.
 */
function assertSameStructure(built: ICAL.Component, text: string): void {
  let reparsed: ICAL.Component | undefined;
  try {
    reparsed = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch {
    reparsed = undefined;
  }
  if (!reparsed || structureOf(reparsed) !== structureOf(built)) {
    throw new GatewayError('invalid', 'A value of this item would change the structure of its iCalendar data');
  }
}

function structureOf(component: ICAL.Component): string {
  const properties = component.getAllProperties().map((p) => p.name);
  return `${component.name}[${properties.join(',')}](${component.getAllSubcomponents().map(structureOf).join(',')})`;
}
