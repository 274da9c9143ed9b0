import { renderXmlDocument, xmlElement, type XmlElement } from '../xml/xml-writer.js';

/** An element of a CalDAV request body; `name` carries a prefix declared on the root (e.g. `D:prop`). */
export interface XmlNode {
  name: string;
  attrs?: Record<string, string>;
  children?: Array<XmlNode | string>;
}

/**
 * Serialises a request body with the gateway's one XML writer (src/xml/xml-writer.ts, where all
 * escaping happens), declaring `namespaces` (prefix → URI) on the root element.
 */
export function renderXml(root: XmlNode, namespaces: Record<string, string>): string {
  const declarations = Object.entries(namespaces).map(([prefix, uri]): [string, string] => [
    prefix === '' ? 'xmlns' : `xmlns:${prefix}`,
    uri,
  ]);
  return renderXmlDocument(toElement(root, declarations), { qualifiedNames: true, compact: true });
}

function toElement(node: XmlNode, extra: Array<[string, string]> = []): XmlElement {
  const children = (node.children ?? []).map((child) => (typeof child === 'string' ? child : toElement(child)));
  return xmlElement(node.name, [...extra, ...Object.entries(node.attrs ?? {})], children);
}
