import ICAL from 'ical.js';
import { inUtc } from '../mapping/tzidout.js';
import { jsArray, jsString } from './js-string.js';

/**
 * Events and todos as the 3.x text/js page's `E` and `T` objects (docs/wcap-protocol.md#javascript-output):
 * the constructors and their positional arguments, in the order the 3.x chapter gives. Values are
 * the iCalendar text of the stored properties (date-times as `20260310T090000` with the zone in
 * `tzid`, or `…Z`; the rid always in UTC); lists are arrays. With `brief=1` only the brief fields are passed, the others
 * are `null`. Whatever these objects leave out (attendee parameters, alarms beyond the first,
 * X-properties) is in the page's `data[]` text.
 */

/** The constructors every page defines; `iso()` reads a date-time (UTC with `Z`, else local). */
export const JS_CONSTRUCTORS = [
  'function iso(p) { if (!p) return null',
  "  var y = p.substring(0, 4), m = p.substring(4, 6), d = p.substring(6, 8), h = p.substring(9, 11) || 0, i = p.substring(11, 13) || 0, s = p.substring(13, 15) || 0",
  "  return p.charAt(15) == 'Z' ? new Date(Date.UTC(y, m - 1, d, h, i, s, 0)) : new Date(y, m - 1, d, h, i, s, 0) }",
  constructor('E', ['uid', 'rid', 'calid', 'dtstart:iso', 'dtend:iso', 'status', 'isAllDay', 'summary', 'created:iso', 'lastMod:iso', 'seq', 'geo:2', 'desc', 'icsUrl', 'icsClass', 'location', 'alarmStart', 'alarmEmails', 'rrules', 'rdates', 'exrules', 'exdates', 'tzid', 'priority', 'relatedTos', 'resources', 'categories', 'attachments', 'contacts', 'attendees', 'orgEmail', 'linkCalid']),
  constructor('T', ['uid', 'rid', 'calid', 'dtstart:iso', 'due:iso', 'status', 'isAllDay', 'summary', 'created:iso', 'lastMod:iso', 'seq', 'geo:2', 'desc', 'icsUrl', 'icsClass', 'location', 'alarmStart', 'alarmEmails', 'rrules', 'rdates', 'exrules', 'exdates', 'completed:iso', 'percent', 'tzid', 'priority', 'relatedTos', 'resources', 'categories', 'attachments', 'contacts', 'attendees', 'orgEmail', 'linkCalid']),
];

/** STATUS values by their index, the `status` field (−1: none or another value). */
export const STATUS_TYPES = ['confirmed', 'tentative', 'cancelled', 'needs-action', 'completed', 'in-process'] as const;

// The fields the 3.x chapter lists for brief output.
const BRIEF_EVENT = new Set(['uid', 'rid', 'calid', 'dtstart', 'dtend', 'isAllDay', 'summary', 'created', 'lastMod', 'desc', 'location', 'tzid', 'linkCalid']);
const BRIEF_TODO = new Set(['uid', 'rid', 'calid', 'dtstart', 'due', 'isAllDay', 'summary', 'created', 'lastMod', 'desc', 'location', 'tzid', 'completed', 'percent', 'linkCalid']);

/** iCalendar properties the brief data text keeps (the brief fields' properties, and time zones). */
export const BRIEF_PROPERTIES = new Set(['uid', 'recurrence-id', 'dtstart', 'dtend', 'due', 'duration', 'summary', 'created', 'last-modified', 'description', 'location', 'completed', 'percent-complete', 'x-nscp-dtstart-tzid', 'x-nscp-dtend-tzid', 'x-nscp-due-tzid']);

/** `function E (a1, …) { this.uid = a1 … }`; `x:iso` fields go through iso(), `geo:2` takes two. */
function constructor(name: string, fields: string[]): string {
  const lines: string[] = [];
  let arg = 0;
  for (const field of fields) {
    const [key, kind] = field.split(':') as [string, string | undefined];
    if (kind === '2') {
      lines.push(`this.${key} = new Array(a${arg + 1}, a${arg + 2})`);
      arg += 2;
    } else lines.push(kind === 'iso' ? `this.${key} = iso(a${++arg})` : `this.${key} = a${++arg}`);
  }
  const params = Array.from({ length: arg }, (_, i) => `a${i + 1}`).join(', ');
  return `function ${name} (${params}) {\n  ${lines.join('\n  ')} }`;
}

/** The arguments of `new E(…)` (VEVENT) or `new T(…)` (VTODO) for one component of calendar `calid`. */
export function componentArguments(component: ICAL.Component, calid: string, brief: boolean): string {
  const todo = component.name === 'vtodo';
  const text = (name: string) => textOf(component.getFirstProperty(name));
  const all = (name: string) => component.getAllProperties(name).flatMap((p) => p.getValues().map(valueText));
  const dtstart = component.getFirstProperty('dtstart');
  const tzid = dtstart?.getParameter('tzid');
  const alarm = component.getFirstSubcomponent('valarm');
  const geo = component.getFirstPropertyValue('geo');
  const status = STATUS_TYPES.indexOf(text('status').toLowerCase() as (typeof STATUS_TYPES)[number]);
  const fields: Array<[string, string]> = [
    ['uid', jsString(text('uid'))],
    ['rid', jsString(ridOf(component))],
    ['calid', jsString(calid)],
    ['dtstart', jsString(text('dtstart'))],
    todo ? ['due', jsString(text('due'))] : ['dtend', jsString(text('dtend'))],
    ['status', String(status)],
    ['isAllDay', dtstart?.type === 'date' ? '1' : '0'],
    ['summary', jsString(text('summary'))],
    ['created', jsString(text('created'))],
    ['lastMod', jsString(text('last-modified'))],
    ['seq', jsString(text('sequence') || '0')],
    ['geoLat', jsString(Array.isArray(geo) ? String(geo[0]) : '')],
    ['geoLon', jsString(Array.isArray(geo) ? String(geo[1]) : '')],
    ['desc', jsString(text('description'))],
    ['icsUrl', jsString(text('url'))],
    ['icsClass', jsString(text('class'))],
    ['location', jsString(text('location'))],
    ['alarmStart', jsString(alarm ? textOf(alarm.getFirstProperty('trigger')) : '')],
    ['alarmEmails', jsArray(alarm ? alarm.getAllProperties('attendee').map(textOf) : [])],
    ['rrules', jsArray(all('rrule'))],
    ['rdates', jsArray(all('rdate'))],
    ['exrules', jsArray(all('exrule'))],
    ['exdates', jsArray(all('exdate'))],
    ...(todo ? ([['completed', jsString(text('completed'))], ['percent', jsString(text('percent-complete'))]] as Array<[string, string]>) : []),
    ['tzid', jsString(typeof tzid === 'string' ? tzid : '')],
    ['priority', jsString(text('priority') || '0')],
    ['relatedTos', jsArray(all('related-to'))],
    ['resources', jsArray(all('resources'))],
    ['categories', jsArray(all('categories'))],
    ['attachments', jsArray(all('attach'))],
    ['contacts', jsArray(all('contact'))],
    ['attendees', jsArray(all('attendee'))],
    ['orgEmail', jsString(text('organizer'))],
    ['linkCalid', jsString('')],
  ];
  const keep = todo ? BRIEF_TODO : BRIEF_EVENT;
  return fields.map(([name, value]) => (brief && !keep.has(name) ? 'null' : value)).join(', ');
}

/**
 * The recurrence id as WCAP requests name instances: UTC (`20260326T080000Z`), as in the 3.x
 * chapter's pages; a DATE stays a date; '0' for an item that is not an instance.
 */
function ridOf(component: ICAL.Component): string {
  if (!component.hasProperty('recurrence-id')) return '0';
  return textOf(inUtc([component])[0]!.getFirstProperty('recurrence-id'));
}

/**
 * True for an event the 3.x page lists in `eventD[]` rather than `event[]`: all-day, or longer
 * than 24 hours.
 */
export function isLongEvent(component: ICAL.Component): boolean {
  const start = component.getFirstPropertyValue('dtstart');
  if (!(start instanceof ICAL.Time)) return false;
  if (start.isDate) return true;
  const end = component.getFirstPropertyValue('dtend');
  const duration = component.getFirstPropertyValue('duration');
  const seconds =
    end instanceof ICAL.Time ? wallSeconds(end) - wallSeconds(start) : duration instanceof ICAL.Duration ? duration.toSeconds() : 0;
  return seconds > 24 * 3600;
}

// Both ends of an event normally share its zone, so the difference of their wall-clock times is its
// length (an hour off at most across a DST change: only events of 23 to 25 hours can be misfiled).
function wallSeconds(time: ICAL.Time): number {
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second) / 1000;
}

/** The first value of a property as iCalendar text ('' when absent); lists joined by ','. */
function textOf(property: ICAL.Property | null | undefined): string {
  return property ? property.getValues().map(valueText).join(',') : '';
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(';');
  if (value !== null && typeof value === 'object' && 'toICALString' in value && typeof value.toICALString === 'function') {
    return String(value.toICALString());
  }
  return String(value);
}
