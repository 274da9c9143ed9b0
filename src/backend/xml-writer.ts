import { GatewayError } from '../model/errors.js';

/** An element to serialise; `name` carries a prefix declared on the root (e.g. `D:prop`). */
export interface XmlNode {
  name: string;
  attrs?: Record<string, string>;
  children?: Array<XmlNode | string>;
}

// XML 1.0 cannot carry these code points at all, not even as character references.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Escapes text and attribute values; the one place where request XML is escaped.
 * CR becomes `&#13;` because an XML parser would otherwise turn CRLF into LF.
 * Throws GatewayError 'invalid' for characters XML 1.0 cannot represent.
 */
export function escapeXml(text: string): string {
  if (NOT_XML.test(text)) throw new GatewayError('invalid', 'text contains control characters that XML cannot carry');
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;');
}

/** Serialises `root` as a document, declaring `namespaces` (prefix → URI) on the root element. */
export function renderXml(root: XmlNode, namespaces: Record<string, string>): string {
  const declarations = Object.fromEntries(
    Object.entries(namespaces).map(([prefix, uri]) => [prefix === '' ? 'xmlns' : `xmlns:${prefix}`, uri]),
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n${renderNode({ ...root, attrs: { ...declarations, ...root.attrs } })}`;
}

function renderNode(node: XmlNode): string {
  const attrs = Object.entries(node.attrs ?? {})
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const children = node.children ?? [];
  if (children.length === 0) return `<${node.name}${attrs}/>`;
  const inner = children.map((c) => (typeof c === 'string' ? escapeXml(c) : renderNode(c))).join('');
  return `<${node.name}${attrs}>${inner}</${node.name}>`;
}
