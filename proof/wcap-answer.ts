import vm from 'node:vm';
import ICAL from 'ical.js';
import { elementsByTagName, parseXml, textContent, type ParsedElement } from '../test/support/parse-xml.js';
import type { HttpAnswer } from './http-client.js';

/**
 * Reads a gateway answer the way a strict client would: text/calendar with ical.js (what Lightning
 * uses), text/xml with the conformant parser of the tests (test/support/parse-xml.ts), text/json
 * with JSON.parse, text/js (an HTML page) by running its script in node:vm and reading the blocks
 * of its `data[]` as text/calendar or text/xml. Every
 * X-NSCP-WCAP-ERRNO of the body is read (several calendars answer in blocks).
 */

export interface StoredComponent {
  type: 'VEVENT' | 'VTODO';
  uid: string;
  /** RECURRENCE-ID as sent, for exceptions. */
  rid?: string;
  /** DTSTART as UTC `YYYYMMDDTHHMMSSZ` (or a DATE), when present. */
  dtstart?: string;
  rrule?: string;
  exdates: string[];
}

export interface ReadAnswer {
  /** The first errno, as Lightning reads it; undefined when the body has none. */
  errno: number | undefined;
  errnos: number[];
  messages: string[];
  components: StoredComponent[];
  /** Set when the body does not parse in its declared format. */
  unparsable?: string;
}

export function readAnswer(answer: HttpAnswer): ReadAnswer {
  const type = String(answer.headers['content-type'] ?? '');
  try {
    if (type.startsWith('text/calendar')) return readCalendar(answer.body);
    if (type.startsWith('text/xml')) return readXml(answer.body);
    if (type.startsWith('text/json')) return readJson(answer.body);
    if (type.startsWith('text/html')) return readJsPage(answer.body);
    return { errno: undefined, errnos: [], messages: [], components: [], unparsable: `unexpected Content-Type ${JSON.stringify(type)}` };
  } catch (err) {
    return { errno: undefined, errnos: [], messages: [], components: [], unparsable: err instanceof Error ? err.message : String(err) };
  }
}

function readCalendar(body: string): ReadAnswer {
  const parsed = ICAL.parse(body) as unknown[];
  // One VCALENDAR parses to ['vcalendar', …]; several to a list of those.
  const roots = (typeof parsed[0] === 'string' ? [parsed] : parsed).map((jcal) => new ICAL.Component(jcal as unknown[]));
  if (roots.length === 0) throw new Error('no VCALENDAR');
  const out: ReadAnswer = { errno: undefined, errnos: [], messages: [], components: [] };
  for (const root of roots) {
    if (root.name !== 'vcalendar') throw new Error(`top-level ${root.name}, expected VCALENDAR`);
    for (const property of root.getAllProperties('x-nscp-wcap-errno')) {
      out.errnos.push(Number.parseInt(property.toICALString().split(':').pop() ?? '', 10));
    }
    for (const property of root.getAllProperties('x-nscp-wcap-errno-message')) out.messages.push(String(property.getFirstValue()));
    for (const component of [...root.getAllSubcomponents('vevent'), ...root.getAllSubcomponents('vtodo')]) {
      const uid = component.getFirstPropertyValue('uid');
      if (typeof uid !== 'string') continue;
      const value = (name: string) => component.getFirstProperty(name)?.toICALString().split(':').slice(1).join(':');
      out.components.push({
        type: component.name === 'vevent' ? 'VEVENT' : 'VTODO',
        uid,
        rid: value('recurrence-id'),
        dtstart: value('dtstart'),
        rrule: value('rrule'),
        exdates: component.getAllProperties('exdate').flatMap((p) => p.toICALString().split(':').slice(1).join(':').split(',')),
      });
    }
  }
  out.errno = out.errnos.find((n) => !Number.isNaN(n));
  if (out.errnos.some((n) => Number.isNaN(n))) out.unparsable = 'X-NSCP-WCAP-ERRNO is not a number';
  return out;
}

function readXml(body: string): ReadAnswer {
  const root: ParsedElement = parseXml(body).root;
  const errnos = elementsByTagName(root, 'X-NSCP-WCAP-ERRNO').map((e) => Number.parseInt(textContent(e).trim(), 10));
  const messages = elementsByTagName(root, 'X-NSCP-WCAP-ERRNO-MESSAGE').map((e) => textContent(e).trim());
  const components: StoredComponent[] = [];
  for (const name of ['EVENT', 'TODO'] as const) {
    for (const element of elementsByTagName(root, name)) {
      const uid = elementsByTagName(element, 'UID')[0];
      if (uid) components.push({ type: name === 'EVENT' ? 'VEVENT' : 'VTODO', uid: textContent(uid).trim(), exdates: [] });
    }
  }
  const out: ReadAnswer = { errno: errnos.find((n) => !Number.isNaN(n)), errnos, messages, components };
  if (errnos.some((n) => Number.isNaN(n))) out.unparsable = 'X-NSCP-WCAP-ERRNO is not a number';
  return out;
}

/** text/json (docs/json-format.md): the errnos of the `iCal` objects and their events' and todos' UIDs. */
function readJson(body: string): ReadAnswer {
  type Node = Record<string, Array<Record<string, unknown>> | string>;
  const root = JSON.parse(body) as { iCalendar: { iCal: Node[] } };
  const out: ReadAnswer = { errno: undefined, errnos: [], messages: [], components: [] };
  const values = (node: Node, name: string) => (Array.isArray(node[name]) ? node[name] : []).map((p) => String(p.value));
  for (const ical of root.iCalendar.iCal) {
    out.errnos.push(...values(ical, 'X-NSCP-WCAP-ERRNO').map((v) => Number.parseInt(v, 10)));
    out.messages.push(...values(ical, 'X-NSCP-WCAP-ERRNO-MESSAGE'));
    for (const name of ['EVENT', 'TODO'] as const) {
      for (const item of (Array.isArray(ical[name]) ? ical[name] : []) as Node[]) {
        const uid = values(item, 'UID')[0];
        if (uid !== undefined) out.components.push({ type: name === 'EVENT' ? 'VEVENT' : 'VTODO', uid, exdates: [] });
      }
    }
  }
  out.errno = out.errnos.find((n) => !Number.isNaN(n));
  if (out.errnos.length === 0 || out.errnos.some((n) => Number.isNaN(n))) out.unparsable = 'X-NSCP-WCAP-ERRNO missing or not a number';
  return out;
}

/** text/js: the page's script run in a bare context; its `data[]` blocks read in their own format. */
function readJsPage(body: string): ReadAnswer {
  const script = /^<html><head><script>\n([\s\S]*)\n<\/script><\/head><\/html>\n$/.exec(body)?.[1];
  if (script === undefined || script.includes('<')) throw new Error('not a text/js page, or a "<" inside its script');
  const context = vm.createContext({ window: { name: '' } });
  vm.runInContext(script, context, { timeout: 1000 });
  const data = vm.runInContext('data', context) as string[];
  const blocks = Array.from(data, (text) => (text.startsWith('<?xml') ? readXml(text) : readCalendar(text)));
  const errno = Number(vm.runInContext('errno[0]', context));
  const out: ReadAnswer = {
    errno,
    errnos: blocks.flatMap((b) => b.errnos),
    messages: blocks.flatMap((b) => b.messages),
    components: blocks.flatMap((b) => b.components),
  };
  if (out.errnos[0] !== errno) out.unparsable = `errno[0] ${errno} differs from the first block's errno`;
  return out;
}

/** Text a client must never see: an internal error, a stack frame, a file position of the code. */
export function internalErrorIn(answer: ReadAnswer, body: string, command: string): string | undefined {
  const message = answer.messages.find((m) => /internal error/i.test(m));
  if (message) return `message ${JSON.stringify(message)}`;
  // −1 is logout's success; WCAP 7.0 reuses it for "unknown internal server error" everywhere else.
  if (command !== 'logout' && answer.errnos.includes(-1)) return 'errno -1 (unknown internal error)';
  const trace = /\n\s+at \S.*\(.*\)|node:internal|\/src\/\S+\.ts:\d+/.exec(body);
  if (trace) return `stack trace text ${JSON.stringify(trace[0].slice(0, 80))}`;
  return undefined;
}
