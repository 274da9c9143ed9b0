/**
 * Splits an iCalendar stream (RFC 5545 §3.4: one or more VCALENDARs) into its top-level
 * components without parsing the whole: each VEVENT, VTODO, VTIMEZONE … comes out as its own text
 * as soon as its END line has been read, so an import of any size holds one component at a time.
 * Only the structure is checked here (BEGIN/END nesting); the components are parsed one by one
 * by the caller.
 */

/** One top-level component of a VCALENDAR. */
export type SplitComponent =
  | {
      kind: 'component';
      /** Upper-case component name (VEVENT, VTODO, VTIMEZONE …). */
      name: string;
      /** Its lines, BEGIN to END, as written (folded lines kept), joined by CRLF. */
      text: string;
    }
  | {
      /** A component larger than the limit: only its name and, when seen, its UID are kept. */
      kind: 'oversized';
      name: string;
      uid: string | undefined;
    };

export interface SplitLimits {
  /** Most characters of one component's text. */
  maxComponentChars: number;
}

/** The text is not iCalendar, or its BEGIN/END lines do not nest. */
export class IcalStructureError extends Error {}

const BEGIN = /^BEGIN:([A-Za-z0-9-]+)[ \t]*$/i;
const END = /^END:([A-Za-z0-9-]+)[ \t]*$/i;
const UID_LINE = /^UID(?:;[^:]*)?:(.*)$/i;

/** The top-level components of `text` (decoded chunks, split anywhere), in order. */
export async function* splitIcalendar(text: AsyncIterable<string>, limits: SplitLimits): AsyncGenerator<SplitComponent> {
  const stack: string[] = [];
  let lines: string[] = [];
  let size = 0;
  let oversized = false;
  let uid: string | undefined;
  let sawCalendar = false;

  function* line(raw: string): Generator<SplitComponent> {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (stack.length >= 2) {
      // Inside a component: a folded line (leading blank) continues the previous one.
      if (!oversized) {
        size += content.length + 2;
        if (size > limits.maxComponentChars) {
          oversized = true;
          lines = [];
        } else lines.push(content);
      }
      const uidMatch = stack.length === 2 && uid === undefined ? UID_LINE.exec(content) : null;
      if (uidMatch) uid = uidMatch[1]!.trim();
    }
    if (content === '' || content.startsWith(' ') || content.startsWith('\t')) {
      if (stack.length === 0 && content.trim() !== '') throw new IcalStructureError('The data does not start with BEGIN:VCALENDAR');
      return;
    }
    const begin = BEGIN.exec(content);
    if (begin) {
      const name = begin[1]!.toUpperCase();
      if (stack.length === 0 && name !== 'VCALENDAR') throw new IcalStructureError('The data does not start with BEGIN:VCALENDAR');
      if (stack.length === 1) {
        lines = [content];
        size = content.length + 2;
        oversized = false;
        uid = undefined;
      }
      if (stack.length >= 16) throw new IcalStructureError('Components are nested too deeply');
      stack.push(name);
      sawCalendar = true;
      return;
    }
    const end = END.exec(content);
    if (end) {
      const name = end[1]!.toUpperCase();
      if (stack[stack.length - 1] !== name) throw new IcalStructureError(`END:${name} does not close BEGIN:${stack[stack.length - 1] ?? '(nothing)'}`);
      stack.pop();
      if (stack.length === 1) {
        yield oversized ? { kind: 'oversized', name, uid } : { kind: 'component', name, text: lines.join('\r\n') };
        lines = [];
      }
      return;
    }
    if (stack.length === 0) throw new IcalStructureError('The data does not start with BEGIN:VCALENDAR');
  }

  let pending = '';
  // A line longer than any component may be is not kept whole: only its start is looked at.
  let skipping = false;
  for await (const chunk of text) {
    let start = 0;
    for (let eol = chunk.indexOf('\n'); eol >= 0; eol = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, eol);
      start = eol + 1;
      if (skipping) {
        skipping = false;
        pending = '';
        continue;
      }
      const whole = pending + piece;
      pending = '';
      yield* line(whole);
    }
    if (!skipping) pending += chunk.slice(start);
    if (pending.length > limits.maxComponentChars) {
      if (stack.length < 2) throw new IcalStructureError('A line outside any component is too long');
      yield* line(pending.slice(0, 80));
      markOversized();
      pending = '';
      skipping = true;
    }
  }
  if (!skipping && pending !== '') yield* line(pending);
  if (!sawCalendar) throw new IcalStructureError('The data holds no VCALENDAR');
  if (stack.length > 0) throw new IcalStructureError(`The data ends inside ${stack[stack.length - 1]}`);

  function markOversized(): void {
    oversized = true;
    lines = [];
  }
}
