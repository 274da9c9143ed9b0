import type { CalendarInfo } from '../model/calendar.js';
import type { WcapPropertyData } from '../model/wcap-property.js';
import { effectiveAces } from './access-control.js';

/**
 * Access-control entries of a calendar its owner reads (Sun's owner ACL,
 * docs/wcap-protocol.md#ace-strings), for servers that do not report the user's privileges.
 */
const OWNER_ACES = ['@@o^a^rsf^g', '@@o^c^wdeic^g'];

export interface CalendarPropertyOptions {
  /** The user reading (default: the owner). Their rights are reported as their ACEs. */
  viewer?: string;
  /**
   * Every calendar property (get_calprops, set_calprops, createcalendar): adds the gateway's own
   * properties, free/busy inclusion, double booking and, on the default calendar,
   * X-S1CS-DEFAULTCALENDAR. Fetch answers carry the short set.
   */
  full?: boolean;
  /** The calendar is the viewer's default calendar. */
  isDefault?: boolean;
}

/**
 * The calendar-property X-tokens of one calendar (docs/wcap-protocol.md#calendar-properties).
 * RELATIVE-CALID is the calid exactly as the client sent it: Lightning attaches the properties only
 * on an exact match (docs/lightning.md#calendar-properties-it-reads).
 */
export function calendarProperties(requestedCalid: string, calendar: CalendarInfo, options: CalendarPropertyOptions = {}): WcapPropertyData[] {
  const name = calendar.displayName ?? (calendar.name === '' ? calendar.owner : calendar.name);
  const who = options.viewer === undefined || options.viewer === calendar.owner ? '@@o' : options.viewer;
  const aces = calendar.rights ? effectiveAces(calendar.rights, who) : OWNER_ACES;
  const props: WcapPropertyData[] = [
    { name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: requestedCalid },
    { name: 'X-NSCP-CALPROPS-NAME', value: name },
    { name: 'X-NSCP-CALPROPS-PRIMARY-OWNER', value: calendar.owner },
    { name: 'X-S1CS-CALPROPS-COMMON-NAME', value: name },
    { name: 'X-NSCP-CALPROPS-DESCRIPTION', value: calendar.description ?? name },
    // Without a calendar zone Lightning would fall back to its local zone only if listed; UTC is
    // what a Sun server reported for calendars created without one.
    { name: 'X-NSCP-CALPROPS-TZID', value: calendar.timezone ?? 'UTC' },
    ...aces.map((ace) => ({ name: 'X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY', value: ace })),
    // 999 in every Sun sample; meaning undocumented (docs/wcap-protocol.md#calendar-properties).
    { name: 'X-NSCP-CALPROPS-READ', value: '999' },
    { name: 'X-NSCP-CALPROPS-WRITE', value: '999' },
    { name: 'X-NSCP-CALPROPS-RESOURCE', value: '0' },
  ];
  return options.full ? [...props, ...fullProperties(calendar, options.isDefault === true)] : props;
}

/** The properties only get_calprops and the calendar-management answers carry. */
function fullProperties(calendar: CalendarInfo, isDefault: boolean): WcapPropertyData[] {
  const settings = calendar.settings ?? {};
  const each = (name: string, values: readonly string[] | undefined) => (values ?? []).map((value) => ({ name, value }));
  const one = (name: string, value: string | undefined) => (value === undefined ? [] : [{ name, value }]);
  return [
    ...each('X-NSCP-CALPROPS-CATEGORIES', settings.categories),
    ...each('X-NSCP-CALPROPS-OWNERS', settings.owners),
    ...one('X-NSCP-CALPROPS-LANGUAGE', settings.language),
    ...one('X-NSCP-CALPROPS-CHARSET', settings.charset),
    ...one('X-NSCP-CALPROPS-CALMASTER', settings.calmaster),
    // Both default to "yes", as for a Sun calendar created without them.
    { name: 'X-S1CS-CALPROPS-FB-INCLUDE', value: settings.freeBusyInclude === false ? '0' : '1' },
    { name: 'X-S1CS-CALPROPS-ALLOW-DOUBLEBOOKING', value: settings.doubleBooking === false ? '0' : '1' },
    ...(isDefault ? [{ name: 'X-S1CS-DEFAULTCALENDAR', value: '1' }] : []),
  ];
}
