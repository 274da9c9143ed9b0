import ICAL from 'ical.js';
import { parseXml, type XmlElement } from '../backend/xml-reader.js';
import { COMPONENT_ELEMENTS, PROPERTY_ELEMENTS } from '../output/xml-components.js';
import type { RawParams } from './raw-params.js';

/**
 * Form posts encoded as text/calendar or text/xml (docs/wcap-protocol.md#request-bodies): the
 * 3.x chapter's "HTML form, encoding text/calendar / text/xml", whose body is the item itself.
 * storeevents reads one VEVENT, storetodos one VTODO; each property becomes the store parameter a
 * URL would carry (DTSTART → dtstart, DESCRIPTION → desc, ATTENDEE → attendees …), so the store
 * runs exactly as for a query string. Parameters in the URL win over the body. Anything that has
 * no parameter, and such a body sent to any other command, is refused with the command's errno.
 */

/** Commands that read a text/calendar or text/xml body themselves (import's file): left alone here. */
export const COMMANDS_READING_OWN_BODY: ReadonlySet<string> = new Set(['import']);

const STORE_COMPONENTS: Readonly<Record<string, string>> = { storeevents: 'vevent', storetodos: 'vtodo' };

export type BodyKind = 'calendar' | 'xml';

/** The kind of component body a Content-Type announces, if any. */
export function componentBodyKind(contentType: string): BodyKind | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/calendar') return 'calendar';
  if (type === 'text/xml' || type === 'application/xml') return 'xml';
  return undefined;
}

/**
 * Adds the parameters a body of `kind` stands for to `raw` (values encoded as a careful client
 * would encode a query). Returns a problem for the client when the body cannot be mapped.
 */
export function addComponentBody(raw: RawParams, command: string, text: string, kind: BodyKind): string | undefined {
  const wanted = STORE_COMPONENTS[command];
  const label = kind === 'calendar' ? 'text/calendar' : 'text/xml';
  if (!wanted) return `A ${label} body can only be sent to storeevents or storetodos`;
  let calendar: ICAL.Component;
  try {
    calendar = kind === 'calendar' ? parseCalendar(text) : calendarFromXml(text);
  } catch {
    return `The ${label} body cannot be parsed`;
  }
  const items = calendar.getAllSubcomponents().filter((c) => c.name !== 'vtimezone');
  if (items.length !== 1 || items[0]!.name !== wanted) {
    return `The ${label} body must hold exactly one ${wanted.toUpperCase()} (time zones aside)`;
  }
  const params = storeParamsOf(items[0]!);
  if (typeof params === 'string') return params;
  for (const [name, value] of params) raw.add(name, { text: value, encoded: true });
  return undefined;
}

function parseCalendar(text: string): ICAL.Component {
  const component = new ICAL.Component(ICAL.parse(text) as unknown[]);
  if (component.name !== 'vcalendar') throw new Error('not a VCALENDAR');
  return component;
}

const enc = encodeURIComponent;
// Written by the server, so a client's values are not asked for (docs/wcap-protocol.md#request-bodies).
const SERVER_SET = new Set(['dtstamp', 'created', 'last-modified']);
// Zone hints the gateway writes itself from the stored times.
const DERIVED_HINTS = new Set(['x-nscp-dtend-tzid', 'x-nscp-due-tzid']);
const SIMPLE: Readonly<Record<string, string>> = {
  uid: 'uid',
  'recurrence-id': 'rid',
  dtend: 'dtend',
  due: 'due',
  duration: 'duration',
  summary: 'summary',
  description: 'desc',
  location: 'location',
  url: 'icsUrl',
  priority: 'priority',
  class: 'icsClass',
  'percent-complete': 'percent',
  completed: 'completed',
  sequence: 'seq',
};
const LISTS: Readonly<Record<string, string>> = { categories: 'categories', resources: 'resources', contact: 'contacts', 'related-to': 'relatedTos' };
const RULES: Readonly<Record<string, string>> = { rrule: 'rrules', exrule: 'exrules' };
const DATES: Readonly<Record<string, string>> = { rdate: 'rdates', exdate: 'exdates' };
const STATUS_NUMBERS: Readonly<Record<string, string>> = {
  CONFIRMED: '0', CANCELLED: '1', TENTATIVE: '2', 'NEEDS-ACTION': '3', COMPLETED: '4', 'IN-PROCESS': '5', DRAFT: '6', FINAL: '7',
};

/** The store parameters of one item, or a problem naming what has no parameter. */
function storeParamsOf(item: ICAL.Component): Array<[string, string]> | string {
  const out: Array<[string, string]> = [];
  const lists = new Map<string, string[]>();
  const addToList = (name: string, value: string) => lists.set(name, [...(lists.get(name) ?? []), value]);
  for (const property of item.getAllProperties()) {
    const name = property.name;
    const values = property.getValues().map(valueText);
    if (SERVER_SET.has(name)) continue;
    if (name === 'dtstart') {
      out.push(['dtstart', enc(values[0] ?? '')]);
      const tzid = property.getParameter('tzid');
      if (typeof tzid === 'string') out.push(['tzid', enc(tzid)]);
      out.push(['isAllDay', property.type === 'date' ? '1' : '0']);
    } else if (name in SIMPLE) out.push([SIMPLE[name]!, enc(values.join(','))]);
    else if (name === 'status' && values[0]!.toUpperCase() in STATUS_NUMBERS) out.push(['status', STATUS_NUMBERS[values[0]!.toUpperCase()]!]);
    else if (name === 'transp') out.push(['transparent', values[0]!.toUpperCase() === 'TRANSPARENT' ? '1' : '0']);
    else if (name === 'geo') out.push(['geo', enc(values[0] ?? '')]);
    else if (name in LISTS) for (const value of values) addToList(LISTS[name]!, `"${enc(value)}"`);
    else if (name in RULES) for (const value of values) addToList(RULES[name]!, `"${enc(value)}"`);
    else if (name in DATES) for (const value of values) addToList(DATES[name]!, enc(value));
    else if (name === 'attendee') addToList('attendees', attendeeParam(property, values[0] ?? ''));
    else if (name === 'organizer') {
      out.push(['orgEmail', enc((values[0] ?? '').replace(/^mailto:/i, ''))]);
      const cn = property.getParameter('cn');
      if (typeof cn === 'string') out.push(['orgCN', enc(cn)]);
    } else if (name === 'x-nscp-dtstart-tzid') {
      // The XML form's zone of a UTC start (docs/wcap-protocol.md#time-zone-hints-in-output).
      if (typeof item.getFirstProperty('dtstart')?.getParameter('tzid') !== 'string') out.push(['tzid', enc(values[0] ?? '')]);
    } else if (DERIVED_HINTS.has(name)) continue;
    else if (/^x-[a-z0-9-]+$/.test(name)) out.push([name.toUpperCase(), enc(values.join(','))]);
    else return `The ${name.toUpperCase().slice(0, 40)} property of the body has no store parameter`;
  }
  const alarms = item.getAllSubcomponents('valarm').map(alarmParam);
  if (alarms.length > 0) out.push(['alarms', alarms.map(enc).join(';')]);
  const others = item.getAllSubcomponents().filter((c) => c.name !== 'valarm');
  if (others.length > 0) return `A ${others[0]!.name.toUpperCase().slice(0, 40)} inside the item has no store parameter`;
  for (const [name, items] of lists) out.push([name, items.join(';')]);
  return out;
}

/** WCAP's `PARAM=VALUE^…^address` attendee form (docs/wcap-protocol.md#attendee-syntax). */
function attendeeParam(property: ICAL.Property, address: string): string {
  const params = Object.entries(property.toJSON()[1] as Record<string, unknown>).map(([name, value]) => `${name.toUpperCase()}=${enc(String(value))}`);
  return [...params, enc(address)].join('^');
}

/** One VALARM as the `alarms` parameter's `NAME^PARAM=VALUE:value` lines (docs/wcap-protocol.md#alarms). */
function alarmParam(alarm: ICAL.Component): string {
  return alarm
    .getAllProperties()
    .map((property) => {
      const [name, params, type, ...values] = property.toJSON() as [string, Record<string, unknown>, string, ...unknown[]];
      // Without its parameters the line's head is NAME or NAME;VALUE=TYPE, and no quoting.
      const bare = new ICAL.Property([name, {}, type, ...values] as unknown as string).toICALString();
      const colon = bare.indexOf(':');
      const head = [bare.slice(0, colon).replace(/;/g, '^'), ...Object.entries(params).map(([k, v]) => `${k.toUpperCase()}=${String(v)}`)].join('^');
      return `${head}:${bare.slice(colon + 1).replace(/(?<!\\);/g, '\\;')}`;
    })
    .join('\r\n');
}

function valueText(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'toICALString' in value && typeof value.toICALString === 'function') {
    return String(value.toICALString());
  }
  return Array.isArray(value) ? value.map(valueText).join(';') : String(value);
}

const ICAL_COMPONENTS = Object.fromEntries(Object.entries(COMPONENT_ELEMENTS).map(([ical, element]) => [element, ical]));
const ICAL_PROPERTIES = Object.fromEntries(Object.entries(PROPERTY_ELEMENTS).map(([ical, element]) => [element, ical]));

/**
 * The gateway's own text/xml vocabulary read back (docs/wcap-protocol.md#xml-output): `<iCalendar>`
 * or `<iCal>` at the root, components by their element names, properties as text elements with
 * parameters as attributes, then turned into an iCalendar object for the common mapping.
 */
function calendarFromXml(text: string): ICAL.Component {
  let root = parseXml(text);
  if (root.name === 'iCalendar') {
    const icals = root.children.filter((c) => c.name === 'iCal');
    if (icals.length !== 1) throw new Error('one <iCal> expected');
    root = icals[0]!;
  }
  if (root.name !== 'iCal') throw new Error('<iCalendar> or <iCal> expected');
  const calendar = new ICAL.Component('vcalendar');
  for (const child of root.children) {
    if (child.children.length === 0) continue; // calendar-level X-tokens do not describe the item
    calendar.addSubcomponent(componentFromXml(child, 1));
  }
  return calendar;
}

// An item nests its alarms and nothing deeper; a deeper document is not an item.
const MAX_XML_DEPTH = 4;

function componentFromXml(element: XmlElement, depth: number): ICAL.Component {
  if (depth > MAX_XML_DEPTH) throw new Error('nested too deeply');
  const component = new ICAL.Component((ICAL_COMPONENTS[element.name] ?? element.name).toLowerCase());
  for (const child of element.children) {
    const name = (ICAL_PROPERTIES[child.name] ?? child.name).toLowerCase();
    if (Object.hasOwn(COMPONENT_ELEMENTS, name) || Object.hasOwn(ICAL_COMPONENTS, child.name) || child.children.length > 0) {
      component.addSubcomponent(componentFromXml(child, depth + 1));
      continue;
    }
    const params = Object.entries(child.attrs).map(([k, v]) => `;${k.toUpperCase()}="${v.replace(/"/g, "'")}"`).join('');
    component.addProperty(ICAL.Property.fromString(`${name}${params}:${escapedValue(name, child.attrs, child.text)}`));
  }
  return component;
}

/** XML element text is unescaped; TEXT values get iCalendar escaping back before parsing. */
function escapedValue(name: string, attrs: Record<string, string>, text: string): string {
  const design = ICAL.design.icalendar.property[name];
  const type = (attrs.VALUE ?? design?.defaultType ?? 'unknown').toLowerCase();
  if (type !== 'text') return text;
  const escaped = text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/\r?\n/g, '\\n');
  // Multi-valued text (CATEGORIES, RESOURCES) is written joined by ',' in XML: those commas separate.
  return design?.multiValue === ',' ? escaped : escaped.replace(/,/g, '\\,');
}
