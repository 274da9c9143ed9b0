import { SaxesParser } from 'saxes';

/**
 * Parses the gateway's text/xml answers for tests with saxes, the conformant XML 1.0 parser jsdom
 * uses, and gives them the shape tests read (a small element tree and DOM-like helpers). saxes is
 * strict like Lightning's DOMParser: end-of-line and attribute-value normalisation, and rejection of
 * characters outside the Char production, of unescaped `<`/`&`, of `]]>` in text, of undefined
 * entities, of duplicate attributes, of mismatched tags, of a second root and of unbound prefixes
 * — so output that only looks right cannot pass. Every error it reports throws.
 */

export interface ParsedElement {
  name: string;
  /** Attribute values after normalisation and reference expansion. */
  attributes: Record<string, string>;
  /** Attribute names in document order. */
  attributeOrder: string[];
  children: ParsedNode[];
}

export type ParsedNode = ParsedElement | string;

export interface ParsedDocument {
  /** The XML declaration exactly as written, if any. */
  declaration: string | undefined;
  root: ParsedElement;
}

/** Parses a complete document; throws an Error with the line and column on anything ill-formed. */
export function parseXml(input: string): ParsedDocument {
  // A lone surrogate is no character at all: it cannot even be encoded as UTF-8 for the wire.
  const lone = /\p{Cs}/u.exec(input);
  if (lone) throw new Error(`XML parse error at ${lone.index}: lone surrogate, character not allowed in XML`);
  const parser = new SaxesParser({ xmlns: true, position: true });
  let declaration: string | undefined;
  let root: ParsedElement | undefined;
  const open: ParsedElement[] = [];
  const append = (text: string) => {
    const parent = open.at(-1);
    if (parent === undefined) return; // whitespace around the root; saxes rejects anything else
    const last = parent.children.at(-1);
    if (typeof last === 'string') parent.children[parent.children.length - 1] = last + text;
    else parent.children.push(text);
  };
  parser.on('error', (err) => {
    throw new Error(`XML parse error at ${err.message}`);
  });
  // saxes only accepts the declaration at the very start, so it is the text up to the first `?>`.
  parser.on('xmldecl', () => {
    declaration = input.slice(0, input.indexOf('?>') + 2);
  });
  parser.on('opentag', (tag) => {
    const element: ParsedElement = { name: tag.name, attributes: {}, attributeOrder: [], children: [] };
    for (const [name, attribute] of Object.entries(tag.attributes)) {
      element.attributes[name] = attribute.value;
      element.attributeOrder.push(name);
    }
    open.at(-1)?.children.push(element);
    root ??= element;
    open.push(element);
  });
  parser.on('closetag', () => {
    open.pop();
  });
  parser.on('text', append);
  parser.on('cdata', append);
  parser.write(input).close();
  if (root === undefined) throw new Error('XML parse error: no root element');
  return { declaration, root };
}

/** Concatenated text of an element and its descendants (DOM textContent). */
export function textContent(node: ParsedNode): string {
  return typeof node === 'string' ? node : node.children.map(textContent).join('');
}

/** Direct child elements, optionally only those with `name`. */
export function childElements(element: ParsedElement, name?: string): ParsedElement[] {
  return element.children.filter((c): c is ParsedElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** All descendant elements named `name` in document order (DOM getElementsByTagName). */
export function elementsByTagName(element: ParsedElement, name: string): ParsedElement[] {
  const found: ParsedElement[] = [];
  for (const child of childElements(element)) {
    if (child.name === name) found.push(child);
    found.push(...elementsByTagName(child, name));
  }
  return found;
}
