import type { CalendarInfo } from '../model/calendar.js';
import type { WcapPropertyData } from '../model/wcap-property.js';

/**
 * Access-control entries of a calendar its owner reads (Sun's owner ACL,
 * docs/wcap-protocol.md#ace-strings).
 */
const OWNER_ACES = ['@@o^a^rsf^g', '@@o^c^wdeic^g'];

/**
 * The calendar-property X-tokens of one calendar (docs/wcap-protocol.md#calendar-properties).
 * RELATIVE-CALID is the calid exactly as the client sent it: Lightning attaches the properties only
 * on an exact match (docs/lightning.md#calendar-properties-it-reads).
 */
export function calendarProperties(requestedCalid: string, calendar: CalendarInfo): WcapPropertyData[] {
  const name = calendar.displayName ?? (calendar.name === '' ? calendar.owner : calendar.name);
  const props: WcapPropertyData[] = [
    { name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: requestedCalid },
    { name: 'X-NSCP-CALPROPS-NAME', value: name },
    { name: 'X-NSCP-CALPROPS-PRIMARY-OWNER', value: calendar.owner },
    { name: 'X-S1CS-CALPROPS-COMMON-NAME', value: name },
    { name: 'X-NSCP-CALPROPS-DESCRIPTION', value: calendar.description ?? name },
    // Without a calendar zone Lightning would fall back to its local zone only if listed; UTC is
    // what a Sun server reported for calendars created without one.
    { name: 'X-NSCP-CALPROPS-TZID', value: calendar.timezone ?? 'UTC' },
    ...OWNER_ACES.map((ace) => ({ name: 'X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY', value: ace })),
    // 999 in every Sun sample; meaning undocumented (docs/wcap-protocol.md#calendar-properties).
    { name: 'X-NSCP-CALPROPS-READ', value: '999' },
    { name: 'X-NSCP-CALPROPS-WRITE', value: '999' },
    { name: 'X-NSCP-CALPROPS-RESOURCE', value: '0' },
  ];
  return props;
}
