import type { ComponentType } from '../model/calendar.js';
import { topComponents, unescapeText, type TopComponent } from './content-lines.js';

/**
 * What a stored object holds, read from its text without parsing it into components: the UIDs of
 * its items per type and conservative bounds of the time they can occupy. The calendar cache
 * keeps this per object version so that a range query parses only objects that may overlap the
 * range (the exact decision is time-span.ts's, on the parsed object).
 */
export interface ObjectScan {
  uids: Map<ComponentType, Set<string>>;
  /** Epoch ms; every overlap the exact test finds lies within [from, to]. ±Infinity when open. */
  bounds: { from: number; to: number };
}

const DAY_MS = 86_400_000;
/** Times without `Z` are local somewhere (or floating): no zone is further than 14 h from UTC. */
const LOCAL_SLACK_MS = 2 * DAY_MS;
const FREQ_MS: Record<string, number> = {
  SECONDLY: 1000,
  MINUTELY: 60_000,
  HOURLY: 3_600_000,
  DAILY: DAY_MS,
  WEEKLY: 7 * DAY_MS,
  MONTHLY: 31 * DAY_MS,
  YEARLY: 366 * DAY_MS,
};
const DATE_TOKEN = /(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?/g;

export function scanObject(ical: string): ObjectScan {
  const uids = new Map<ComponentType, Set<string>>();
  let from = Infinity;
  let to = -Infinity;
  for (const component of topComponents(ical)) {
    if (component.name !== 'VEVENT' && component.name !== 'VTODO') continue;
    const type = component.name;
    const uid = component.lines.find((line) => line.name === 'UID')?.value;
    if (uid !== undefined) uids.set(type, (uids.get(type) ?? new Set()).add(unescapeText(uid)));
    const span = spanOf(component);
    from = Math.min(from, span.from);
    to = Math.max(to, span.to);
  }
  return { uids, bounds: { from, to } };
}

/** Conservative time span of one VEVENT or VTODO (with its whole recurrence set). */
function spanOf(component: TopComponent): { from: number; to: number } {
  const values = (name: string) => component.lines.filter((line) => line.name === name).flatMap((line) => instants(line.value));
  const dates = ['DTSTART', 'DTEND', 'DUE', 'RECURRENCE-ID', 'COMPLETED', 'CREATED', 'RDATE'].flatMap(values);
  if (dates.length === 0) return { from: -Infinity, to: Infinity };
  const starts = values('DTSTART');
  const durationLine = component.lines.find((line) => line.name === 'DURATION');
  const duration = durationLine ? Math.max(0, durationMs(durationLine.value)) : 0;
  // One instance lasts at most this long (a day at least, for DATE values and open ends).
  const instance = Math.max(DAY_MS, duration, ...['DTEND', 'DUE'].flatMap(values).map((end) => end.latest - (starts[0]?.earliest ?? end.latest)));
  let from = Math.min(...dates.map((d) => d.earliest));
  let to = Math.max(...dates.map((d) => d.latest)) + instance;
  const rules = component.lines.filter((line) => line.name === 'RRULE');
  for (const rule of rules) to = Math.max(to, ruleEnd(rule.value, starts[0]?.latest) + instance);
  // A task with no start, due or completion date matches every range ending after its creation.
  const dated = ['DTSTART', 'DUE', 'COMPLETED'].some((name) => values(name).length > 0);
  if (component.name === 'VTODO' && !dated) to = Infinity;
  if (!Number.isFinite(from)) from = -Infinity;
  return { from, to };
}

/** The latest instance start a rule can produce (epoch ms), Infinity when it cannot be bounded cheaply. */
function ruleEnd(rule: string, start: number | undefined): number {
  const parts = new Map(
    rule.split(';').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).toUpperCase(), part.slice(eq + 1)] as const;
    }),
  );
  const until = parts.get('UNTIL');
  if (until !== undefined) return Math.max(...instants(until).map((d) => d.latest), -Infinity);
  const count = Number(parts.get('COUNT'));
  const step = FREQ_MS[(parts.get('FREQ') ?? '').toUpperCase()];
  // BY… parts can skip periods (only February days, the 5th Monday…): no cheap bound then.
  const filtered = [...parts.keys()].some((key) => key.startsWith('BY'));
  if (!Number.isInteger(count) || count <= 0 || step === undefined || filtered || start === undefined) return Infinity;
  const interval = Math.max(1, Number(parts.get('INTERVAL') ?? '1') || 1);
  return start + count * interval * step;
}

/** Every date or date-time in a value (lists and periods included) as a range of possible instants. */
function instants(value: string): Array<{ earliest: number; latest: number }> {
  const found: Array<{ earliest: number; latest: number }> = [];
  for (const m of value.matchAll(DATE_TOKEN)) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(year, month - 1, day, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
    if (Number.isNaN(ms)) continue;
    const slack = m[7] === 'Z' ? 0 : LOCAL_SLACK_MS;
    found.push({ earliest: ms - slack, latest: ms + slack });
  }
  return found;
}

/** An RFC 5545 duration in ms (negative ones too); 0 when unreadable. */
function durationMs(value: string): number {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim().toUpperCase());
  if (!m) return 0;
  const [weeks, days, hours, minutes, seconds] = [m[2], m[3], m[4], m[5], m[6]].map((n) => Number(n ?? 0));
  const ms = (((weeks! * 7 + days!) * 24 + hours!) * 60 + minutes!) * 60_000 + seconds! * 1000;
  return m[1] === '-' ? -ms : ms;
}
