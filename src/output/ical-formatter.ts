import ICAL from 'ical.js';
import type { Answer, Formatter, RenderedBody, WcapBlock, WcapProperty, WcapResult } from '../wcap/result.js';
import { refold } from './line-folding.js';
import { textStream } from './text-stream.js';
import {
  GATEWAY_PRODID,
  ICALENDAR_VERSION,
  PUBLISH_METHOD,
  assertBlockProperty,
  blocksOf,
  errnoProperties,
} from './envelope.js';

/**
 * Content-Type of text/calendar answers (always with charset: WCap'Cal mis-read bodies without it,
 * docs/wcap-protocol.md#common-answer-headers).
 */
export const ICAL_CONTENT_TYPE = 'text/calendar; charset=UTF-8';

/**
 * fmt-out=text/calendar, the WCAP default. Each block becomes one VCALENDAR:
 * PRODID, METHOD:PUBLISH, VERSION:2.0, the block's properties in order, `X-NSCP-WCAP-ERRNO` (and
 * `X-NSCP-WCAP-ERRNO-MESSAGE` for a failure with a message), then the components. Several blocks
 * are concatenated VCALENDARs. Lines end in CRLF and are folded by ical.js (75 octets, never inside
 * a UTF-8 sequence).
 *
 * The errno comes before the components, not after them as in Sun's samples: ical.js always writes
 * a component's properties before its subcomponents. Clients look the errno up by name at
 * VCALENDAR level (Lightning: first property of the root; OpenSync: a regex), so the position does
 * not matter to them, and a regex cannot hit an errno-like text inside a component first.
 *
 * Block property values are written raw, as clients read X-tokens raw
 * (docs/lightning.md#response-parsing); CR and LF in them become spaces and other control
 * characters are dropped, so no value can start a new content line. Components are serialised by
 * ical.js from a cleaned copy (the input is never modified): text values get CR/CRLF turned into LF
 * (written as `\n`), other values are made single line the same way as block properties.
 *
 * Throws a RangeError for a result without blocks and a TypeError for an invalid property or
 * parameter name in a block.
 */
export const icalFormatter: Formatter = {
  name: 'text/calendar',
  render(result: WcapResult): RenderedBody {
    const calendars = blocksOf(result).map((block) => toVcalendar(block).toJSON());
    return { contentType: ICAL_CONTENT_TYPE, body: refold(ICAL.stringify(calendars)) };
  },
  /** The same text as `render`, each streamed component written as it comes (export). */
  renderStreamed(result: WcapResult): Answer {
    return { contentType: ICAL_CONTENT_TYPE, body: textStream(streamedVcalendars(blocksOf(result))) };
  },
};

async function* streamedVcalendars(blocks: readonly WcapBlock[]): AsyncGenerator<string> {
  for (const block of blocks) {
    const whole = toVcalendar(block).toString();
    const end = whole.lastIndexOf('END:VCALENDAR');
    yield refold(whole.slice(0, end));
    for await (const component of block.streamed ?? []) yield `${refold(cleanCopy(component).toString())}\r\n`;
    yield 'END:VCALENDAR\r\n';
  }
}

function cleanCopy(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(cleanComponent(component.toJSON() as unknown[]));
}

function toVcalendar(block: WcapBlock): ICAL.Component {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('prodid', GATEWAY_PRODID);
  calendar.addPropertyWithValue('method', PUBLISH_METHOD);
  calendar.addPropertyWithValue('version', ICALENDAR_VERSION);
  for (const property of [...block.properties, ...errnoProperties(block)]) {
    assertBlockProperty(property);
    calendar.addProperty(rawProperty(property));
  }
  for (const component of block.components) {
    calendar.addSubcomponent(cleanCopy(component));
  }
  return calendar;
}

/**
 * A property whose value is written exactly as given. For names ical.js does not know (all
 * X-tokens) the value type 'unknown' makes ical.js write the value without escaping and without a
 * VALUE parameter. A name ical.js knows (CALSCALE, REQUEST-STATUS …) would get `VALUE=UNKNOWN`
 * that way, so its raw value is parsed as the iCalendar text it is and written back by ical.js.
 */
function rawProperty({ name, value, params }: WcapProperty): ICAL.Property {
  const jsName = name.toLowerCase();
  const line = toSingleLine(value);
  const property = Object.hasOwn(ICAL.design.icalendar.property, jsName)
    ? ICAL.Property.fromString(`${name}:${line}`)
    : new ICAL.Property([jsName, {}, 'unknown', line]);
  for (const [param, paramValue] of Object.entries(params ?? {})) {
    property.setParameter(param.toLowerCase(), toSingleLine(paramValue));
  }
  return property;
}

// Control characters RFC 5545 forbids in values (TAB is allowed; CR and LF are handled apart).
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** CR, LF and CRLF become one space; other forbidden controls are dropped. */
function toSingleLine(value: string): string {
  return value.replace(/\r\n|[\r\n]/g, ' ').replace(CONTROLS, '');
}

/** Line ends become LF, which ical.js escapes as `\n` in TEXT values; other controls are dropped. */
function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(CONTROLS, '');
}

/** Deep copy of a jCal component with every string value cleaned (see {@link icalFormatter}). */
function cleanComponent(jcal: unknown[]): unknown[] {
  const [name, properties, components] = jcal as [string, unknown[][], unknown[][]];
  return [name, properties.map(cleanProperty), components.map(cleanComponent)];
}

function cleanProperty(jcal: unknown[]): unknown[] {
  const [name, params, type, ...values] = jcal;
  const clean = type === 'text' ? cleanText : toSingleLine;
  return [name, mapStrings(params, toSingleLine), type, ...values.map((value) => mapStrings(value, clean))];
}

/** Applies `clean` to every string inside a JSON value (jCal values, parameter objects). */
function mapStrings(value: unknown, clean: (text: string) => string): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, clean));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, clean)]));
  }
  return value;
}
