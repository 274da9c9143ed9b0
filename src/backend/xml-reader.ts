/**
 * A small, namespace-aware XML reader for WebDAV answers.
 *
 * Why not tsdav's parser: it strips namespace prefixes, camelCases names, trims text and turns
 * values such as "2024" or "true" into numbers and booleans, so a calendar called "2024" would come
 * back as a number and same-named properties of different namespaces collide. Multistatus bodies
 * are simple (elements, attributes, text, CDATA, comments), so a linear scanner is enough.
 */

/** One element with its namespace resolved. */
export interface XmlElement {
  /** Namespace URI; '' when the element is in no namespace. */
  ns: string;
  /** Local name (without prefix). */
  name: string;
  /** Attributes other than namespace declarations, keyed by their name as written. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /**
   * Character data directly inside this element (entities decoded, CDATA included). Line breaks
   * are kept as received: iCalendar inside calendar-data needs its CRLFs.
   */
  text: string;
}

interface OpenElement {
  element: XmlElement;
  qname: string;
  scope: Map<string, string>;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; leaves anything else alone. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return NAMED[ref] ?? '';
  });
}

/** Parses a document and returns its root element. Throws Error on malformed input. */
export function parseXml(source: string): XmlElement {
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let pos = 0;

  const expectEnd = (marker: string, from: number): number => {
    const end = source.indexOf(marker, from);
    if (end === -1) throw new Error(`unterminated markup at offset ${from}`);
    return end;
  };

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? source.length : lt;
    if (textEnd > pos) {
      const chunk = source.slice(pos, textEnd);
      const top = stack.at(-1);
      if (top) top.element.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') throw new Error('text outside the root element');
    }
    if (lt === -1) break;

    if (source.startsWith('<!--', lt)) {
      pos = expectEnd('-->', lt + 4) + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = expectEnd(']]>', lt + 9);
      const top = stack.at(-1);
      if (!top) throw new Error('CDATA outside the root element');
      top.element.text += source.slice(lt + 9, end);
      pos = end + 3;
    } else if (source.startsWith('<?', lt)) {
      pos = expectEnd('?>', lt + 2) + 2;
    } else if (source.startsWith('<!', lt)) {
      // DOCTYPE and entity declarations have no place in a WebDAV answer; refusing them avoids
      // entity-expansion tricks.
      throw new Error('document type declarations are not supported');
    } else if (source.startsWith('</', lt)) {
      const end = expectEnd('>', lt + 2);
      const qname = source.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new Error(`unexpected closing tag </${qname}>`);
      if (stack.length === 0) root = open.element;
      pos = end + 1;
    } else {
      if (root) throw new Error('content after the root element');
      const tag = readStartTag(source, lt, stack.at(-1));
      stack.at(-1)?.element.children.push(tag.open.element);
      if (!tag.selfClosing) stack.push(tag.open);
      else if (stack.length === 0) root = tag.open.element;
      pos = tag.end;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed element <${stack.at(-1)?.qname}>`);
  if (!root) throw new Error('no root element');
  return root;
}

function readStartTag(
  source: string,
  lt: number,
  parent: OpenElement | undefined,
): { open: OpenElement; selfClosing: boolean; end: number } {
  let i = lt + 1;
  const nameStart = i;
  while (i < source.length && !/[\s/>]/.test(source[i]!)) i++;
  const qname = source.slice(nameStart, i);
  if (qname === '') throw new Error(`empty element name at offset ${lt}`);

  const rawAttrs: Array<[string, string]> = [];
  let selfClosing = false;
  for (;;) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (i >= source.length) throw new Error(`unterminated tag <${qname}`);
    if (source[i] === '>') {
      i++;
      break;
    }
    if (source.startsWith('/>', i)) {
      selfClosing = true;
      i += 2;
      break;
    }
    const eq = source.indexOf('=', i);
    if (eq === -1) throw new Error(`malformed attribute in <${qname}>`);
    const attrName = source.slice(i, eq).trim();
    let q = eq + 1;
    while (q < source.length && /\s/.test(source[q]!)) q++;
    const quote = source[q];
    if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${attrName} in <${qname}>`);
    const close = source.indexOf(quote, q + 1);
    if (close === -1) throw new Error(`unterminated attribute ${attrName} in <${qname}>`);
    rawAttrs.push([attrName, decodeEntities(source.slice(q + 1, close))]);
    i = close + 1;
  }

  const scope = new Map(parent?.scope ?? [['xml', 'http://www.w3.org/XML/1998/namespace']]);
  const attrs: Record<string, string> = {};
  for (const [name, value] of rawAttrs) {
    if (name === 'xmlns') scope.set('', value);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
    else attrs[name] = value;
  }
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw new Error(`undeclared namespace prefix ${prefix}`);
  const element: XmlElement = { ns: ns ?? '', name: qname.slice(colon + 1), attrs, children: [], text: '' };
  return { open: { element, qname, scope }, selfClosing, end: i };
}

/** First child with the given namespace and local name. */
export function childOf(element: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.ns === ns && c.name === name);
}

/** All children with the given namespace and local name. */
export function childrenOf(element: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.ns === ns && c.name === name) : [];
}
