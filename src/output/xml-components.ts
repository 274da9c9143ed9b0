import ICAL from 'ical.js';
import { isErrnoPropertyName, isPortableName } from './envelope.js';
import { type XmlElement, xmlElement, xmlTextElement } from '../xml/xml-writer.js';

/**
 * iCalendar component → WCAP XML element (docs/wcap-protocol.md#xml-output,
 * docs/lightning.md#free-busy-request-and-answer).
 * Works on the component's jCal, the same data ical.js serialises for text/calendar, so both
 * formats always show the same values.
 */

export const COMPONENT_ELEMENTS: Readonly<Record<string, string>> = {
  vevent: 'EVENT',
  vtodo: 'TODO',
  vjournal: 'JOURNAL',
  valarm: 'ALARM',
  vtimezone: 'TIMEZONE',
  vfreebusy: 'FREEBUSY',
};

// Sun's short element names, as found in Unicon's XMLOutput.java, the PHP client's
// XmlIcalEvent.php and Meldware's WCAP adapter (docs/wcap-protocol.md#other-wcap-clients); every
// other property keeps its iCalendar name.
export const PROPERTY_ELEMENTS: Readonly<Record<string, string>> = {
  dtstart: 'START',
  dtend: 'END',
  description: 'DESC',
  'recurrence-id': 'RECURID',
  'last-modified': 'LAST-MOD',
  'percent-complete': 'PERCENT',
  'request-status': 'RSTATUS',
  'related-to': 'RELATED',
};

type JcalProperty = [name: string, params: Record<string, unknown>, type: string, ...values: unknown[]];
type JcalComponent = [name: string, properties: JcalProperty[], components: JcalComponent[]];

const design = ICAL.design.icalendar;

/**
 * The element for one jCal component: VEVENT → `<EVENT>`, VTODO → `<TODO>`, VALARM → `<ALARM>`,
 * VTIMEZONE → `<TIMEZONE>`, VFREEBUSY → `<FREEBUSY>`, anything else its upper-case name
 * (STANDARD, DAYLIGHT …). Properties come first, in their order, then nested components.
 * Each FREEBUSY property becomes one `<FB FBTYPE="…">start/end</FB>` per period (see
 * {@link freeBusyElements}). Parameters become attributes, plus `VALUE` when the value type is not
 * the property's default (e.g. `VALUE="DATE"`). Values are the unescaped iCalendar text form:
 * `20240115T090000Z`, `20240115`, multi-values joined by ',', structured parts by ';', text as is.
 *
 * Skipped, since they cannot be written or would mislead: properties and components whose names are
 * not portable XML names (returns undefined for such a component), and component properties named
 * X-NSCP-WCAP-ERRNO… — Lightning takes the first `<X-NSCP-WCAP-ERRNO>` anywhere in the document, so
 * an event stored with such a property by another client would otherwise override the real errno.
 */
export function componentElement(jcal: readonly unknown[]): XmlElement | undefined {
  const [name, properties, components] = jcal as JcalComponent;
  const elementName = COMPONENT_ELEMENTS[name] ?? name.toUpperCase();
  if (!isPortableName(elementName)) return undefined;
  const children: XmlElement[] = [];
  for (const property of properties) {
    if (property[0] === 'freebusy') children.push(...freeBusyElements(property));
    else {
      const element = propertyElement(property);
      if (element) children.push(element);
    }
  }
  for (const component of components) {
    const element = componentElement(component);
    if (element) children.push(element);
  }
  return xmlElement(elementName, [], children);
}

function propertyElement(jcal: JcalProperty): XmlElement | undefined {
  const [name, params, type, ...values] = jcal;
  if (!isPortableName(name) || isErrnoPropertyName(name)) return undefined;
  const elementName = PROPERTY_ELEMENTS[name] ?? name.toUpperCase();
  const text = values.map((value) => valueText(value, type)).join(',');
  return xmlTextElement(elementName, text, parameterAttributes(name, params, type));
}

function parameterAttributes(name: string, params: Record<string, unknown>, type: string): Array<[string, string]> {
  const attributes: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [param, value] of Object.entries(params)) {
    const attribute = param.toUpperCase();
    if (!isPortableName(param) || seen.has(attribute)) continue;
    seen.add(attribute);
    attributes.push([attribute, Array.isArray(value) ? value.map(String).join(',') : String(value)]);
  }
  const defaultType = Object.hasOwn(design.property, name) ? design.property[name].defaultType : 'unknown';
  if (type !== defaultType && !seen.has('VALUE')) attributes.push(['VALUE', type.toUpperCase()]);
  return attributes;
}

/** One jCal value as unescaped iCalendar text; structured values (GEO, REQUEST-STATUS) joined by ';'. */
function valueText(value: unknown, type: string): string {
  if (type !== 'period' && Array.isArray(value)) {
    return value.map((part) => (Array.isArray(part) ? part.map((p) => scalarText(p, type)).join(',') : scalarText(part, type))).join(';');
  }
  return scalarText(value, type);
}

function scalarText(value: unknown, type: string): string {
  // TEXT is written unescaped (the XML writer does all escaping), with CRLF/CR made LF as in the
  // text/calendar output. Other types go through ical.js, which turns jCal forms
  // (2024-01-15T09:00:00Z, recur objects) into iCalendar text.
  if (type === 'text') return String(value).replace(/\r\n?/g, '\n');
  if (type === 'unknown') return String(value);
  return String(ICAL.stringify.value(value as string, type, design, false));
}

/**
 * FREEBUSY → one `<FB>` per period. Lightning needs the FBTYPE attribute (default BUSY, as in
 * RFC 5545) and reads the text untrimmed and only as `start/end` (no durations): a period with a
 * duration is given its explicit end, and times with a known zone are converted to UTC.
 */
function freeBusyElements(jcal: JcalProperty): XmlElement[] {
  const property = new ICAL.Property(jcal);
  const fbtype = property.getParameter('fbtype');
  const fbtypeText = (Array.isArray(fbtype) ? fbtype[0] : fbtype) ?? 'BUSY';
  const elements: XmlElement[] = [];
  for (const period of property.getValues()) {
    if (!(period instanceof ICAL.Period)) continue;
    const text = `${utcText(period.start)}/${utcText(period.getEnd())}`;
    elements.push(xmlTextElement('FB', text, [['FBTYPE', String(fbtypeText).toUpperCase()]]));
  }
  return elements;
}

function utcText(time: ICAL.Time): string {
  const zoned = time.zone !== undefined && time.zone !== null && time.zone !== ICAL.Timezone.localTimezone;
  return (zoned ? time.convertToZone(ICAL.Timezone.utcTimezone) : time).toICALString();
}
