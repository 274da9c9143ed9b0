import { describe, expect, it } from 'vitest';
import {
  XML_DECLARATION,
  escapeXml,
  isXmlName,
  renderXmlDocument,
  xmlElement,
  xmlTextElement,
} from '../../src/xml/xml-writer.js';
import { childElements, parseXml, textContent } from '../support/parse-xml.js';

/** Renders `text` as element text and as an attribute value and parses both back. */
function roundTrip(text: string): { text: string; attribute: string } {
  const doc = parseXml(renderXmlDocument(xmlElement('r', [['a', text]], [text])));
  return { text: textContent(doc.root), attribute: doc.root.attributes.a ?? '<missing>' };
}

describe('test XML parser (the oracle must be able to say no)', () => {
  it.each([
    ['unescaped <', '<r>a < b</r>'],
    ['unescaped &', '<r>a & b</r>'],
    ['unknown entity', '<r>&nbsp;</r>'],
    ['mismatched tag', '<r><a></b></r>'],
    ['unclosed element', '<r><a></r>'],
    ['duplicate attribute', '<r a="1" a="2"/>'],
    ['< in attribute', '<r a="<"/>'],
    [']]> in text', '<r>]]></r>'],
    ['NUL character', '<r>\u0000</r>'],
    ['reference to illegal char', '<r>&#1;</r>'],
    ['two roots', '<r/><r/>'],
    ['lone surrogate', '<r>\uD800</r>'],
    ['lone surrogate before a character', '<r>a\uD800b</r>'],
    ['text after the root', '<r/>x'],
    ['unbound prefix', '<x:r/>'],
    ['undefined entity in an attribute', '<r a="&nbsp;"/>'],
    ['no root', ''],
  ])('rejects %s', (_label, xml) => {
    expect(() => parseXml(xml)).toThrow(/XML parse error|not allowed/);
  });

  it('normalises whitespace in attribute values like a real parser', () => {
    expect(parseXml('<r a="x\ny\tz"/>').root.attributes.a).toBe('x y z');
  });
});

describe('escapeXml via round trip', () => {
  it.each([
    ['markup characters', `<tag attr="v">&amp; 'q'`],
    ['entity-looking text', '&lt; is not <'],
    ['CDATA end', 'a]]>b'],
    ['newline, CRLF, CR and tab', 'line1\nline2\r\nline3\rline4\tend'],
    ['non-ASCII', 'Grüße ä 日本語 😀 𝄞'],
    ['leading/trailing spaces', '  padded  '],
    ['empty', ''],
  ])('%s survive in text and attributes', (_label, value) => {
    expect(roundTrip(value)).toEqual({ text: value, attribute: value });
  });

  it.each([
    ['NUL', '\u0000'],
    ['U+0001', '\u0001'],
    ['U+0008', '\u0008'],
    ['vertical tab', '\u000B'],
    ['form feed', '\u000C'],
    ['U+000E', '\u000E'],
    ['U+001F', '\u001F'],
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', '\uFFFF'],
  ])('drops %s, which XML 1.0 cannot carry', (_label, ch) => {
    expect(roundTrip(`a${ch}b`)).toEqual({ text: 'ab', attribute: 'ab' });
  });

  it.each([
    ['lone high surrogate', 'a\uD83Db', 'a\uFFFDb'],
    ['lone low surrogate', 'a\uDE00b', 'a\uFFFDb'],
    ['reversed pair', 'a\uDE00\uD83Db', 'a\uFFFD\uFFFDb'],
    ['valid pair kept', 'a\uD83D\uDE00b', 'a😀b'],
  ])('%s', (_label, input, expected) => {
    expect(roundTrip(input)).toEqual({ text: expected, attribute: expected });
  });

  it('escapes each special character to the expected reference', () => {
    expect(escapeXml(`&<>"'`, 'text')).toBe('&amp;&lt;&gt;&quot;&apos;');
    expect(escapeXml('a\nb\tc\rd', 'text')).toBe('a\nb\tc&#13;d');
    expect(escapeXml('a\nb\tc\rd', 'attribute')).toBe('a&#10;b&#9;c&#13;d');
  });
});

describe('renderXmlDocument', () => {
  it('starts with the UTF-8 declaration and keeps structure, attribute order and text', () => {
    const doc = xmlElement('iCalendar', [], [
      xmlElement('iCal', [['version', '2.0'], ['prodid', '-//x//EN'], ['METHOD', 'PUBLISH']], [
        xmlTextElement('X-A', 'one'),
        xmlElement('EVENT', [], [xmlTextElement('UID', 'u1', [['X-P', 'p']])]),
        xmlElement('EMPTY'),
      ]),
    ]);
    const body = renderXmlDocument(doc);
    expect(body.startsWith(`${XML_DECLARATION}\n`)).toBe(true);
    expect(XML_DECLARATION).toBe('<?xml version="1.0" encoding="UTF-8"?>');

    const parsed = parseXml(body);
    expect(parsed.declaration).toBe(XML_DECLARATION);
    expect(parsed.root.name).toBe('iCalendar');
    const [ical] = childElements(parsed.root, 'iCal');
    expect(ical?.attributeOrder).toEqual(['version', 'prodid', 'METHOD']);
    expect(childElements(ical!).map((e) => e.name)).toEqual(['X-A', 'EVENT', 'EMPTY']);
    expect(textContent(childElements(ical!, 'X-A')[0]!)).toBe('one');
    const [uid] = childElements(childElements(ical!, 'EVENT')[0]!, 'UID');
    expect(uid?.attributes).toEqual({ 'X-P': 'p' });
    expect(textContent(uid!)).toBe('u1');
    expect(childElements(ical!, 'EMPTY')[0]?.children).toEqual([]);
  });

  it('never adds whitespace inside an element that holds text', () => {
    const body = renderXmlDocument(xmlElement('A', [], [xmlElement('B', [], [xmlTextElement('FB', 's/e', [['FBTYPE', 'BUSY']])])]));
    expect(body).toContain('<FB FBTYPE="BUSY">s/e</FB>');
  });

  it.each([
    ['element name with space', xmlElement('A B')],
    ['element name starting with a digit', xmlElement('1A')],
    ['element name with a colon', xmlElement('x:A')],
    ['element name with markup', xmlElement('A><script')],
    ['empty element name', xmlElement('')],
    ['attribute name with quote', xmlElement('A', [['b"', 'v']])],
    ['duplicate attribute', xmlElement('A', [['b', '1'], ['b', '2']])],
    ['invalid nested name', xmlElement('A', [], [xmlElement('-B')])],
  ])('refuses an ill-formed document: %s', (_label, element) => {
    expect(() => renderXmlDocument(element)).toThrow(TypeError);
  });

  it.each([
    ['X-NSCP-WCAP-ERRNO', true],
    ['iCal', true],
    ['LAST-MOD', true],
    ['_x.y', true],
    ['9A', false],
    ['-A', false],
    ['a:b', false],
    ['a b', false],
    ['', false],
  ])('isXmlName(%j) is %s', (name, valid) => {
    expect(isXmlName(name)).toBe(valid);
  });
});
