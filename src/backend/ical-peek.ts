/**
 * Just enough reading of iCalendar text for the backend's own decisions (exact UID match after a
 * substring REPORT, component types of an object, the TZID of a calendar-timezone). Full parsing
 * belongs to mapping/ with ical.js; this only walks unfolded lines.
 */

/** A component directly inside VCALENDAR. */
export interface TopComponent {
  /** Upper-case component name, e.g. VEVENT. */
  name: string;
  /** UID property value (text unescaped), if present. */
  uid?: string;
  /** TZID property value, if present (VTIMEZONE). */
  tzid?: string;
}

/** Content lines with folding (CRLF or LF followed by a space or tab) undone. */
export function unfoldLines(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n|\r/);
}

/** Value part of a content line `NAME;PARAMS:VALUE` (parameters may contain quoted colons). */
function splitLine(line: string): { name: string; value: string } | undefined {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) {
      const head = line.slice(0, i);
      const semi = head.indexOf(';');
      return { name: (semi === -1 ? head : head.slice(0, semi)).toUpperCase(), value: line.slice(i + 1) };
    }
  }
  return undefined;
}

/** RFC 5545 §3.3.11 TEXT unescaping. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_m, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}

/** The components directly inside the (first) VCALENDAR, in order. */
export function topComponents(ical: string): TopComponent[] {
  const found: TopComponent[] = [];
  const stack: string[] = [];
  for (const line of unfoldLines(ical)) {
    const parsed = splitLine(line);
    if (!parsed) continue;
    const { name, value } = parsed;
    if (name === 'BEGIN') {
      stack.push(value.trim().toUpperCase());
      if (stack.length === 2 && stack[0] === 'VCALENDAR') found.push({ name: stack[1]! });
    } else if (name === 'END') {
      stack.pop();
    } else if (stack.length === 2 && stack[0] === 'VCALENDAR') {
      const current = found.at(-1);
      if (current && name === 'UID' && current.uid === undefined) current.uid = unescapeText(value);
      if (current && name === 'TZID' && current.tzid === undefined) current.tzid = value;
    }
  }
  return found;
}

/** True when the object holds a component with exactly this UID (case-sensitive, RFC 5545). */
export function hasUid(ical: string, uid: string): boolean {
  return topComponents(ical).some((c) => c.uid === uid);
}

/** True when the object holds at least one component of one of `types`. */
export function hasComponentOf(ical: string, types: readonly string[]): boolean {
  return topComponents(ical).some((c) => types.includes(c.name));
}

/** TZID of the first VTIMEZONE in a calendar-timezone property value. */
export function timezoneIdOf(vcalendar: string): string | undefined {
  return topComponents(vcalendar).find((c) => c.name === 'VTIMEZONE' && c.tzid !== undefined)?.tzid;
}
