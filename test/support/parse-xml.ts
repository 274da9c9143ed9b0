/**
 * A small, strict XML 1.0 parser for tests: elements, attributes, text, the five predefined
 * entities and character references. It applies the rules a real parser (Lightning's DOMParser)
 * applies — end-of-line normalisation, attribute-value normalisation, rejection of characters
 * outside the Char production, of unescaped `<`/`&`, of `]]>`, of duplicate attributes and of
 * mismatched tags — so output that only looks right cannot pass. Comments, CDATA, PIs other than
 * the declaration and DOCTYPE are rejected (the writer never produces them).
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

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9._:-]/;
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a complete document; throws an Error with the offset on anything ill-formed. */
export function parseXml(input: string): ParsedDocument {
  const bad = NOT_XML_CHAR.exec(input);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)?.toString(16)} not allowed in XML at ${bad.index}`);
  const parser = new Parser(input.replace(/\r\n?/g, '\n'));
  return parser.document();
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

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  document(): ParsedDocument {
    let declaration: string | undefined;
    if (this.src.startsWith('<?xml')) {
      const end = this.src.indexOf('?>');
      if (end < 0) this.fail('unterminated XML declaration');
      declaration = this.src.slice(0, end + 2);
      this.pos = end + 2;
    }
    this.skipSpace();
    if (this.src[this.pos] !== '<') this.fail('root element expected');
    const root = this.element();
    this.skipSpace();
    if (this.pos !== this.src.length) this.fail('content after the root element');
    return { declaration, root };
  }

  private element(): ParsedElement {
    this.expect('<');
    const name = this.name();
    const element: ParsedElement = { name, attributes: {}, attributeOrder: [], children: [] };
    for (;;) {
      const hadSpace = this.skipSpace();
      const ch = this.src[this.pos];
      if (ch === '/') {
        this.expect('/>');
        return element;
      }
      if (ch === '>') {
        this.pos++;
        break;
      }
      if (!hadSpace) this.fail('whitespace expected before attribute');
      const attr = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      if (Object.hasOwn(element.attributes, attr)) this.fail(`duplicate attribute ${attr}`);
      element.attributes[attr] = this.attributeValue();
      element.attributeOrder.push(attr);
    }
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`unclosed element <${name}>`);
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> does not close <${name}>`);
        this.skipSpace();
        this.expect('>');
        return element;
      }
      if (this.src[this.pos] === '<') {
        if (/^<[!?]/.test(this.src.slice(this.pos, this.pos + 2))) this.fail('comments, CDATA and PIs are not supported');
        element.children.push(this.element());
      } else {
        const text = this.text();
        const last = element.children.at(-1);
        if (typeof last === 'string') element.children[element.children.length - 1] = last + text;
        else element.children.push(text);
      }
    }
  }

  private text(): string {
    let out = '';
    while (this.pos < this.src.length && this.src[this.pos] !== '<') {
      if (this.src.startsWith(']]>', this.pos)) this.fail("']]>' in text");
      const ch = this.src[this.pos] as string;
      if (ch === '&') out += this.reference();
      else {
        out += ch;
        this.pos++;
      }
    }
    return out;
  }

  private attributeValue(): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail('quoted attribute value expected');
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) this.fail('unterminated attribute value');
      if (ch === quote) {
        this.pos++;
        return out;
      }
      if (ch === '<') this.fail("'<' in attribute value");
      if (ch === '&') out += this.reference();
      else {
        // Attribute-value normalisation: literal TAB/LF (CR is already LF) read as a space.
        out += ch === '\t' || ch === '\n' ? ' ' : ch;
        this.pos++;
      }
    }
  }

  private reference(): string {
    const end = this.src.indexOf(';', this.pos);
    if (end < 0) this.fail("unterminated reference ('&' must be escaped)");
    const body = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    let code: number;
    if (/^#[0-9]+$/.test(body)) code = Number.parseInt(body.slice(1), 10);
    else if (/^#x[0-9A-Fa-f]+$/.test(body)) code = Number.parseInt(body.slice(2), 16);
    else {
      const entity = ENTITIES[body];
      if (entity === undefined) this.fail(`unknown entity &${body};`);
      return entity;
    }
    const ch = code <= 0x10ffff ? String.fromCodePoint(code) : '\u0000';
    if (NOT_XML_CHAR.test(ch) || (code >= 0xd800 && code <= 0xdfff)) this.fail(`reference to illegal character ${body}`);
    return ch;
  }

  private name(): string {
    const start = this.pos;
    if (!NAME_START.test(this.src[this.pos] ?? '')) this.fail('name expected');
    while (NAME_CHAR.test(this.src[this.pos] ?? '')) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (/[ \t\n]/.test(this.src[this.pos] ?? '')) this.pos++;
    return this.pos > start;
  }

  private expect(token: string): void {
    if (!this.src.startsWith(token, this.pos)) this.fail(`'${token}' expected`);
    this.pos += token.length;
  }

  private fail(message: string): never {
    throw new Error(`XML parse error at ${this.pos}: ${message}`);
  }
}
