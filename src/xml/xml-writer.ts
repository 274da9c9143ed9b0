/**
 * The gateway's one XML 1.0 writer, for WCAP answers (output/) and CalDAV request bodies
 * (backend/). Callers describe a document as a tree of {@link XmlElement}s and
 * {@link renderXmlDocument} turns it into text; all escaping happens in {@link escapeXml}, so no
 * value reaches the output without passing through it.
 */

/** A child of an element: another element or a run of text. */
export type XmlNode = XmlElement | string;

/** One element. Attributes keep their order; a name may occur only once. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyArray<readonly [name: string, value: string]>;
  readonly children: readonly XmlNode[];
}

/** The declaration every document starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

// ASCII subset of XML's Name production without ':' (WCAP clients look elements up by their plain
// name, Lightning with getElementsByTagName, so namespaces must never appear in answers).
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
// The same with one namespace prefix (`D:prop`, `xmlns:D`), for CalDAV request bodies.
const QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;

export interface RenderOptions {
  /** Allow `prefix:name` element and attribute names (CalDAV requests); off for WCAP answers. */
  qualifiedNames?: boolean;
  /** No indentation between elements (request bodies); answers are indented for people. */
  compact?: boolean;
}

/** True when `name` can be written as an element or attribute name by this writer. */
export function isXmlName(name: string, options: RenderOptions = {}): boolean {
  return (options.qualifiedNames ? QUALIFIED_NAME : NAME).test(name);
}

/**
 * Builds an element. Names are checked when the document is rendered: {@link renderXmlDocument}
 * throws a TypeError for an invalid element or attribute name or a repeated attribute, since
 * either would make the document ill-formed.
 */
export function xmlElement(
  name: string,
  attributes: Iterable<readonly [string, string]> = [],
  children: readonly XmlNode[] = [],
): XmlElement {
  return { name, attributes: [...attributes], children: [...children] };
}

/** Shorthand for an element whose only content is `text`. */
export function xmlTextElement(name: string, text: string, attributes: Iterable<readonly [string, string]> = []): XmlElement {
  return xmlElement(name, attributes, text === '' ? [] : [text]);
}

// Characters XML 1.0 does not allow at all (Char production): C0 controls other than TAB, LF, CR;
// U+FFFE, U+FFFF; and lone UTF-16 surrogates (a valid pair is one astral character and is kept).
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A literal CR would be turned into LF by every parser (end-of-line handling).
  '\r': '&#13;',
};
// In attribute values parsers also replace literal TAB and LF by spaces (attribute-value
// normalisation), so those must be character references to survive.
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '\n': '&#10;', '\t': '&#9;' };

/**
 * The one escaping function: makes `value` safe as element text (`context` 'text') or as a
 * double-quoted attribute value ('attribute'). Characters XML cannot carry are dropped (controls,
 * U+FFFE, U+FFFF) or replaced by U+FFFD (lone surrogates); everything that a parser reads back
 * differently is written as a reference, so parsing the output yields the cleaned value exactly.
 */
export function escapeXml(value: string, context: 'text' | 'attribute'): string {
  const table = context === 'text' ? TEXT_ESCAPES : ATTRIBUTE_ESCAPES;
  const pattern = context === 'text' ? /[&<>"'\r]/g : /[&<>"'\r\n\t]/g;
  return value
    .replace(ILLEGAL, (ch) => (ch.length === 1 && ch >= '\uD800' && ch <= '\uDFFF' ? '\uFFFD' : ''))
    .replace(pattern, (ch) => table[ch] ?? ch);
}

/**
 * Serialises `root` as a complete document (throws a TypeError on an invalid or repeated name): the UTF-8 declaration, a newline, the element tree and
 * a final newline. Elements whose children are all elements are indented one space per level;
 * an element with any text child is written on one line with its text untouched, so no whitespace
 * is ever added to text content (Lightning reads `<FB>` text untrimmed).
 */
export function renderXmlDocument(root: XmlElement, options: RenderOptions = {}): string {
  const out: string[] = [XML_DECLARATION, '\n'];
  writeElement(root, 0, out, options);
  out.push('\n');
  return out.join('');
}

function writeElement(element: XmlElement, depth: number, out: string[], options: RenderOptions): void {
  assertName(element.name, options);
  out.push('<', element.name);
  const seen = new Set<string>();
  for (const [name, value] of element.attributes) {
    assertName(name, options);
    if (seen.has(name)) throw new TypeError(`duplicate XML attribute ${name} on <${element.name}>`);
    seen.add(name);
    out.push(' ', name, '="', escapeXml(value, 'attribute'), '"');
  }
  if (element.children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  const elementOnly = !options.compact && element.children.every((child) => typeof child !== 'string');
  for (const child of element.children) {
    if (typeof child === 'string') {
      out.push(escapeXml(child, 'text'));
    } else {
      if (elementOnly) out.push('\n', ' '.repeat(depth + 1));
      writeElement(child, depth + 1, out, options);
    }
  }
  if (elementOnly) out.push('\n', ' '.repeat(depth));
  out.push('</', element.name, '>');
}

function assertName(name: string, options: RenderOptions): void {
  if (!isXmlName(name, options)) throw new TypeError(`invalid XML name ${JSON.stringify(name)}`);
}

/**
 * The pieces of a document written while its content streams (export): the declaration and
 * the opening tags of `path` (outermost first), each on its own line indented by depth.
 */
export function openXmlDocument(path: readonly XmlElement[], options: RenderOptions = {}): string {
  const out: string[] = [XML_DECLARATION, '\n'];
  path.forEach((element, depth) => {
    if (depth > 0) out.push('\n', ' '.repeat(depth));
    assertName(element.name, options);
    out.push('<', element.name);
    for (const [name, value] of element.attributes) {
      assertName(name, options);
      out.push(' ', name, '="', escapeXml(value, 'attribute'), '"');
    }
    out.push('>');
  });
  return out.join('');
}

/** One element at `depth` inside an element opened by {@link openXmlDocument}, on its own line. */
export function renderXmlChild(element: XmlElement, depth: number, options: RenderOptions = {}): string {
  const out: string[] = ['\n', ' '.repeat(depth)];
  writeElement(element, depth, out, options);
  return out.join('');
}

/** The closing tags of the elements of `path` (outermost first), as {@link renderXmlDocument} lays them out. */
export function closeXmlDocument(path: readonly XmlElement[]): string {
  const out: string[] = [];
  for (let depth = path.length - 1; depth >= 0; depth--) out.push('\n', ' '.repeat(depth), '</', path[depth]!.name, '>');
  out.push('\n');
  return out.join('');
}
