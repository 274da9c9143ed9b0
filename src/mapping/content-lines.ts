/**
 * Reading iCalendar text line by line, without building components: enough to learn what an
 * object holds (component types, UIDs, dates) at a fraction of a full parse's cost. Full parsing
 * is ical.js's job.
 */

/** One content line `NAME;PARAMS:VALUE` (RFC 5545 §3.1). */
export interface ContentLine {
  /** Upper-case property name. */
  name: string;
  /** The raw parameter part without the leading `;` ('' when none). */
  params: string;
  /** The raw value (still escaped for TEXT). */
  value: string;
}

/** A component directly inside the (first) VCALENDAR and its own properties (not its subcomponents'). */
export interface TopComponent {
  /** Upper-case component name, e.g. VEVENT. */
  name: string;
  lines: ContentLine[];
}

/** Content lines with folding (CRLF or LF followed by a space or tab) undone. */
export function unfoldLines(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n|\r/);
}

/** Splits a content line at the first colon outside quoted parameter values. */
export function parseContentLine(line: string): ContentLine | undefined {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) {
      const head = line.slice(0, i);
      const semi = head.indexOf(';');
      return {
        name: (semi === -1 ? head : head.slice(0, semi)).toUpperCase(),
        params: semi === -1 ? '' : head.slice(semi + 1),
        value: line.slice(i + 1),
      };
    }
  }
  return undefined;
}

/** RFC 5545 §3.3.11 TEXT unescaping. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_m, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}

/** The components directly inside the (first) VCALENDAR, in order, with their own properties. */
export function topComponents(ical: string): TopComponent[] {
  const found: TopComponent[] = [];
  const stack: string[] = [];
  for (const text of unfoldLines(ical)) {
    const line = parseContentLine(text);
    if (!line) continue;
    if (line.name === 'BEGIN') {
      stack.push(line.value.trim().toUpperCase());
      if (stack.length === 2 && stack[0] === 'VCALENDAR') found.push({ name: stack[1]!, lines: [] });
    } else if (line.name === 'END') {
      stack.pop();
    } else if (stack.length === 2 && stack[0] === 'VCALENDAR') {
      found.at(-1)?.lines.push(line);
    }
  }
  return found;
}

/** The first value of property `name` of a component, if any. */
export function firstValue(component: TopComponent, name: string): string | undefined {
  return component.lines.find((line) => line.name === name)?.value;
}
