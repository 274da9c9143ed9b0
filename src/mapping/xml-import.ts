import ICAL from 'ical.js';
import { IcalStructureError, type SplitComponent, type SplitLimits } from './ical-splitter.js';

/**
 * The WCAP XML of an export (docs/wcap-protocol.md#xml-output) read back as iCalendar, one
 * component at a time: `<iCalendar><iCal …>` holding `<EVENT>`, `<TODO>`, `<TIMEZONE>` … elements.
 * Each component element at that level is cut out of the stream (bounded like an iCalendar
 * component), parsed on its own and turned into the iCalendar text the XML was written from, so
 * an XML import goes through exactly the same steps as an iCalendar one. A document type
 * declaration is refused (no entity expansion); everything else outside components is skipped.
 */

const COMPONENTS: Readonly<Record<string, string>> = {
  EVENT: 'VEVENT',
  TODO: 'VTODO',
  JOURNAL: 'VJOURNAL',
  TIMEZONE: 'VTIMEZONE',
  FREEBUSY: 'VFREEBUSY',
  ALARM: 'VALARM',
};

// The short names of output/xml-components.ts, back to their iCalendar names.
const PROPERTIES: Readonly<Record<string, string>> = {
  START: 'DTSTART',
  END: 'DTEND',
  DESC: 'DESCRIPTION',
  RECURID: 'RECURRENCE-ID',
  'LAST-MOD': 'LAST-MODIFIED',
  PERCENT: 'PERCENT-COMPLETE',
  RSTATUS: 'REQUEST-STATUS',
  RELATED: 'RELATED-TO',
};

/** Text properties whose ',' separates values and structured ones whose ';' separates parts. */
const LIST_TEXT = new Set(['categories', 'resources']);
const STRUCTURED = new Set(['request-status', 'geo']);

interface Element {
  name: string;
  attributes: Array<[string, string]>;
  children: Element[];
  text: string;
}

/** The top-level components of an XML document (decoded chunks), as iCalendar component texts. */
export async function* xmlImportComponents(text: AsyncIterable<string>, limits: SplitLimits): AsyncGenerator<SplitComponent> {
  const stack: string[] = [];
  let buf = '';
  let pos = 0;
  let start = -1;
  let oversized: string | undefined;
  let sawRoot = false;
  const take = (open: string, close: string, at: number): number => {
    const end = buf.indexOf(close, at + open.length);
    return end < 0 ? -1 : end + close.length;
  };
  for await (const chunk of withEnd(text)) {
    const final = chunk === undefined;
    if (!final) buf += chunk;
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt < 0) {
        pos = buf.length;
        break;
      }
      if (!final && buf.length - lt < 9) break;
      let next: number;
      if (buf.startsWith('<!--', lt)) next = take('<!--', '-->', lt);
      else if (buf.startsWith('<![CDATA[', lt)) next = take('<![CDATA[', ']]>', lt);
      else if (buf.startsWith('<?', lt)) next = take('<?', '?>', lt);
      else if (buf.startsWith('<!', lt)) throw new IcalStructureError('Document type declarations are not accepted');
      else next = tagEnd(buf, lt);
      if (next < 0) break;
      pos = next;
      const tag = buf.slice(lt, next);
      if (tag.startsWith('<!') || tag.startsWith('<?')) continue;
      const name = /^<\/?([^\s/>]+)/.exec(tag)?.[1] ?? '';
      if (tag.startsWith('</')) {
        if (stack.pop() !== name) throw new IcalStructureError(`</${name.slice(0, 40)}> does not close the element it ends`);
        if (stack.length === 2 && (start >= 0 || oversized)) {
          const component = COMPONENTS[name]!;
          yield oversized ? { kind: 'oversized', name: component, uid: undefined } : { kind: 'component', name: component, text: icalText(parseElement(buf.slice(start, next))) };
          start = -1;
          oversized = undefined;
        }
        continue;
      }
      if (stack.length === 0) {
        if (name !== 'iCalendar') throw new IcalStructureError('The document is not a WCAP <iCalendar>');
        sawRoot = true;
      }
      const selfClosing = tag.endsWith('/>');
      if (stack.length === 2 && COMPONENTS[name] && !selfClosing) start = lt;
      if (!selfClosing) stack.push(name);
      if (stack.length > 16) throw new IcalStructureError('Elements are nested too deeply');
    }
    // Keep only what an open component still needs, or the unfinished tag from `pos` on.
    if (start >= 0 && buf.length - start > limits.maxComponentChars) {
      oversized = COMPONENTS[stack[2]!];
      start = -1;
    }
    const drop = start >= 0 ? start : pos;
    buf = buf.slice(drop);
    pos -= drop;
    if (start >= 0) start = 0;
    else if (buf.length > limits.maxComponentChars) throw new IcalStructureError('A tag or comment of the document is too long');
  }
  if (!sawRoot) throw new IcalStructureError('The document holds no <iCalendar>');
  if (stack.length > 0) throw new IcalStructureError(`The document ends inside <${stack[stack.length - 1]}>`);
}

async function* withEnd(text: AsyncIterable<string>): AsyncGenerator<string | undefined> {
  yield* text;
  yield undefined;
}

/** The end of a start or end tag at `lt` (after its `>`), quotes respected; -1 when not all here. */
function tagEnd(buf: string, lt: number): number {
  let quote: string | undefined;
  for (let i = lt + 1; i < buf.length; i++) {
    const c = buf[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return -1;
}

/** Parses one complete element (bounded text, no DTD). */
function parseElement(xml: string): Element {
  const root: Element = { name: '', attributes: [], children: [], text: '' };
  const stack: Element[] = [root];
  const token = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (let match = token.exec(xml); match; match = token.exec(xml)) {
    const top = stack[stack.length - 1]!;
    if (match[1] !== undefined) top.text += match[1];
    else if (match[6] !== undefined) top.text += decodeEntities(match[6]);
    else if (match[3] !== undefined) {
      if (match[2] === '/') {
        stack.pop();
        continue;
      }
      const element: Element = { name: match[3], attributes: attributesOf(match[4] ?? ''), children: [], text: '' };
      top.children.push(element);
      if (match[5] !== '/') stack.push(element);
    }
  }
  const element = root.children[0];
  if (!element) throw new IcalStructureError('A component element cannot be read');
  return element;
}

function attributesOf(text: string): Array<[string, string]> {
  const attributes: Array<[string, string]> = [];
  for (const match of text.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes.push([match[1]!, decodeEntities(match[2] ?? match[3] ?? '')]);
  return attributes;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/g, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[entity]) return named[entity];
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** An element holding elements is a component; one holding text is a property. */
function icalText(element: Element): string {
  const lines: string[] = [];
  const component = (e: Element) => {
    const name = COMPONENTS[e.name] ?? e.name.toUpperCase();
    lines.push(`BEGIN:${name}`);
    for (const child of e.children) {
      if (child.children.length > 0) component(child);
      else lines.push(propertyLine(child));
    }
    lines.push(`END:${name}`);
  };
  component(element);
  return lines.join('\r\n');
}

function propertyLine(e: Element): string {
  const name = PROPERTIES[e.name] ?? e.name.toUpperCase();
  const lower = name.toLowerCase();
  const valueType = e.attributes.find(([a]) => a.toUpperCase() === 'VALUE')?.[1].toLowerCase();
  const design = ICAL.design.icalendar.property[lower];
  const type = valueType ?? design?.defaultType ?? 'unknown';
  const params = e.attributes.map(([a, v]) => `;${a.toUpperCase()}=${/[:;,]/.test(v) ? `"${v.replace(/"/g, "'")}"` : v}`).join('');
  return `${name}${params}:${type === 'text' ? escapeText(e.text, lower) : e.text.replace(/\r?\n/g, ' ')}`;
}

/** RFC 5545 §3.3.11 escaping, keeping the separators of list and structured values. */
function escapeText(text: string, name: string): string {
  let escaped = text.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n');
  if (!STRUCTURED.has(name)) escaped = escaped.replace(/;/g, '\\;');
  if (!LIST_TEXT.has(name)) escaped = escaped.replace(/,/g, '\\,');
  return escaped;
}
