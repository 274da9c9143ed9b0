import type { Formatter, RenderedBody, WcapResult } from '../wcap/result.js';
import type { XmlElement } from '../xml/xml-writer.js';
import { icalendarTree } from './xml-formatter.js';

/** Content-Type of text/json answers. */
export const JSON_CONTENT_TYPE = 'text/json; charset=UTF-8';

/** One element of the XML answer as JSON: a property (`value` + attributes) or a container. */
export type JsonNode = { [name: string]: string | JsonNode[] };

/**
 * fmt-out=text/json (docs/json-format.md). No public description of Oracle's text/json exists, so
 * the gateway's JSON is its XML vocabulary written as JSON, built from the very element tree
 * text/xml writes ({@link icalendarTree}): `{"iCalendar": {"iCal": [ … ]}}`, one `iCal` object per
 * block. In every container (`iCal`, `EVENT`, `TODO`, `ALARM`, `TIMEZONE`, `FREEBUSY` …) each child
 * element name maps to an array of its occurrences in document order, and attributes are string
 * members (`"version"`, `"prodid"`, `"METHOD"`). An element holding only text (a property) is
 * `{"value": "…"}` plus one member per attribute (`"TZID"`, `"PARTSTAT"`, `"FBTYPE"` …; attribute
 * names are upper case, so none can be `value`). Values are the same strings text/xml carries;
 * JSON can carry every character, so none is dropped.
 */
export const jsonFormatter: Formatter = {
  name: 'text/json',
  render(result: WcapResult): RenderedBody {
    const root = icalendarTree(result);
    return { contentType: JSON_CONTENT_TYPE, body: `{"${root.name}": ${printed(containerNode(root), '')}}\n` };
  },
};

/**
 * JSON text for people as much as for programs: containers one member per line, indented like the
 * XML answers; each property object on one line, and a property occurring once on its name's line.
 */
function printed(node: JsonNode, indent: string): string {
  if (typeof node.value === 'string') return JSON.stringify(node);
  const inner = `${indent}  `;
  const members = Object.entries(node).map(([name, value]) => `${inner}${JSON.stringify(name)}: ${memberText(value, inner)}`);
  return members.length === 0 ? '{}' : `{\n${members.join(',\n')}\n${indent}}`;
}

function memberText(value: string | JsonNode[], indent: string): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value.length === 1 && typeof value[0]!.value === 'string') return `[${JSON.stringify(value[0])}]`;
  return `[\n${value.map((item) => `${indent}  ${printed(item, `${indent}  `)}`).join(',\n')}\n${indent}]`;
}

function elementNode(element: XmlElement): JsonNode {
  return element.children.some((child) => typeof child !== 'string') ? containerNode(element) : propertyNode(element);
}

function propertyNode(element: XmlElement): JsonNode {
  const node: JsonNode = { value: element.children.join('') };
  for (const [name, value] of element.attributes) node[name] = value;
  return node;
}

function containerNode(element: XmlElement): JsonNode {
  const node: JsonNode = {};
  for (const [name, value] of element.attributes) node[name] = value;
  for (const child of element.children) {
    if (typeof child === 'string') continue; // containers hold no text of their own
    const list = node[child.name];
    if (Array.isArray(list)) list.push(elementNode(child));
    else node[child.name] = [elementNode(child)];
  }
  return node;
}
