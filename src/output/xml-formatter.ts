import type { Answer, Formatter, RenderedBody, WcapBlock, WcapProperty, WcapResult } from '../wcap/result.js';
import { textStream } from './text-stream.js';
import type ICAL from 'ical.js';
import {
  GATEWAY_PRODID,
  ICALENDAR_VERSION,
  PUBLISH_METHOD,
  assertBlockProperty,
  blocksOf,
  errnoProperties,
} from './envelope.js';
import { inUtc } from '../mapping/tzidout.js';
import { componentElement } from './xml-components.js';
import {
  type XmlElement,
  XML_DECLARATION,
  closeXmlDocument,
  openXmlDocument,
  renderXmlChild,
  renderXmlDocument,
  xmlElement,
  xmlTextElement,
} from '../xml/xml-writer.js';

/** Content-Type of text/xml answers. */
export const XML_CONTENT_TYPE = 'text/xml; charset=UTF-8';

/**
 * fmt-out=text/xml (docs/wcap-protocol.md#xml-output):
 * `<iCalendar><iCal version="2.0" prodid="…" METHOD="PUBLISH">…</iCal>…</iCalendar>`, one `<iCal>`
 * per block. Inside: one element per block property, named like the property, parameters as
 * attributes, the value as text (verbatim; newlines stay newlines); then the components (see
 * {@link componentElement}); then `<X-NSCP-WCAP-ERRNO>` and, for a failure with a message,
 * `<X-NSCP-WCAP-ERRNO-MESSAGE>`. Lightning takes the first `<X-NSCP-WCAP-ERRNO>` of the document, so
 * the first block's errno is the command's errno; component properties with that name are never
 * written. Escaping and removal of characters XML cannot carry happen in the XML writer.
 *
 * Throws a RangeError for a result without blocks and a TypeError for an invalid property or
 * parameter name in a block.
 */
export const xmlFormatter: Formatter = {
  name: 'text/xml',
  render(result: WcapResult): RenderedBody {
    return { contentType: XML_CONTENT_TYPE, body: renderXmlDocument(icalendarTree(result)) };
  },
  /** The same document as `render`, each streamed component written as it comes (export). */
  renderStreamed(result: WcapResult): Answer {
    return { contentType: XML_CONTENT_TYPE, body: textStream(streamedDocument(blocksOf(result))) };
  },
};

/**
 * The `<iCalendar>` element of an answer, before it is written: text/xml renders it and text/json
 * converts it, so the two formats cannot differ in names, order or values.
 */
export function icalendarTree(result: WcapResult): XmlElement {
  return xmlElement('iCalendar', [], blocksOf(result).map(icalElement));
}

const ICAL_ATTRIBUTES: ReadonlyArray<[string, string]> = [
  ['version', ICALENDAR_VERSION],
  ['prodid', GATEWAY_PRODID],
  ['METHOD', PUBLISH_METHOD],
];

function icalElement(block: WcapBlock): XmlElement {
  const children: XmlElement[] = block.properties.map(blockPropertyElement);
  children.push(...componentElements(block, block.components));
  children.push(...errnoProperties(block).map(blockPropertyElement));
  return xmlElement('iCal', ICAL_ATTRIBUTES, children);
}

function componentElements(block: WcapBlock, components: readonly ICAL.Component[]): XmlElement[] {
  const elements: XmlElement[] = [];
  // The WCAP XML vocabulary is Zulu: without a tzidout, stored local times are given in UTC.
  for (const component of block.timesAsStored ? inUtc(components) : components) {
    const element = componentElement(component.toJSON() as unknown[]);
    if (element) elements.push(element);
  }
  return elements;
}

async function* streamedDocument(blocks: readonly WcapBlock[]): AsyncGenerator<string> {
  const root = xmlElement('iCalendar', [], []);
  yield openXmlDocument([root]);
  for (const block of blocks) {
    const ical = xmlElement('iCal', ICAL_ATTRIBUTES, []);
    yield `\n ${openXmlDocument([ical]).slice(XML_DECLARATION.length + 1)}`;
    for (const element of [...block.properties.map(blockPropertyElement), ...componentElements(block, block.components)]) yield renderXmlChild(element, 2);
    for await (const component of block.streamed ?? []) {
      for (const element of componentElements(block, [component])) yield renderXmlChild(element, 2);
    }
    for (const element of errnoProperties(block).map(blockPropertyElement)) yield renderXmlChild(element, 2);
    yield '\n </iCal>';
  }
  yield closeXmlDocument([root]);
}

/**
 * Block properties keep the case the command gave them: Lightning looks preferences up with the
 * case-sensitive getElementsByTagName('X-NSCP-WCAP-PREF-icsCalendar')
 * (docs/lightning.md#user-preferences).
 */
function blockPropertyElement(property: WcapProperty): XmlElement {
  assertBlockProperty(property);
  const attributes = Object.entries(property.params ?? {}).map(([name, value]): [string, string] => [name.toUpperCase(), value]);
  return xmlTextElement(property.name, property.value, attributes);
}
