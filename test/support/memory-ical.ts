import { getVtimezone } from '@touch4it/ical-timezones';
import ICAL from 'ical.js';
import { GatewayError } from '../../src/model/errors.js';

/**
 * iCalendar logic of MemoryBackend: what Radicale 3.1.8 checks on PUT, and its calendar-query
 * time-range test (RFC 4791 §9.9), recomputed with ical.js.
 */

const SECOND = 1000;
const DAY = 86_400_000;

/** Radicale 3.1.8's checks on a PUT body (radicale/item/__init__.py check_and_sanitize_items). */
export function validate(ical: string): { uid: string; type: string } {
  const invalid = (why: string) => new GatewayError('invalid', `CalDAV PUT answered HTTP 400: ${why}`, { status: 400 });
  if (/\r(?!\n)/.test(ical)) throw invalid('bare CR in data');
  let root: ICAL.Component;
  try {
    root = ICAL.Component.fromString(ical);
  } catch {
    throw invalid('unparsable iCalendar');
  }
  if (root.name !== 'vcalendar') throw invalid('not a VCALENDAR');
  const main = root.getAllSubcomponents().filter((c) => c.name !== 'vtimezone');
  const types = new Set(main.map((c) => c.name.toUpperCase()));
  const uids = new Set(main.map((c) => String(c.getFirstPropertyValue('uid') ?? '')));
  if (types.size !== 1 || uids.size !== 1 || uids.has('')) throw invalid('one component type and one UID required');
  return { uid: [...uids][0]!, type: [...types][0]! };
}

export type Window = { start: number; end: number };
type Zones = Map<string, ICAL.Timezone>;

/** Whether any VEVENT/VTODO of the object overlaps the window (epoch ms, open ends = ±Infinity). */
export function objectInRange(o: { ical: string; type: string }, window: Window): boolean {
  if (window.start === -Infinity && window.end === Infinity) return true;
  const root = ICAL.Component.fromString(o.ical);
  const zones: Zones = new Map(
    root.getAllSubcomponents('vtimezone').map((z) => [String(z.getFirstPropertyValue('tzid')), new ICAL.Timezone(z)]),
  );
  const components = root.getAllSubcomponents(o.type.toLowerCase());
  // Like Radicale, instances replaced by a RECURRENCE-ID override are judged by the override only.
  const overridden = new Set(
    components.flatMap((c) => {
      const id = instantOf(c.getFirstProperty('recurrence-id'), zones);
      return id ? [id.ms] : [];
    }),
  );
  return components.some((c) => componentInRange(c, o.type, zones, window, overridden));
}

const MAX_INSTANCES = 100_000;

/**
 * RFC 4791 §9.9 as Radicale 3.1.8 implements it (radicale/item/filter.py visit_time_ranges):
 * each instance occupies a span derived from DTSTART/DTEND/DURATION (events) or
 * DTSTART/DUE/DURATION/COMPLETED/CREATED (todos); a span [s, e) matches if s < end and start < e.
 */
function componentInRange(c: ICAL.Component, type: string, zones: Zones, window: Window, overridden: Set<number>): boolean {
  const at = (name: string) => instantOf(c.getFirstProperty(name), zones);
  const overlaps = ([s, e]: [number, number]) => window.start < e && s < window.end;
  const start = at('dtstart');
  const duration = c.getFirstPropertyValue('duration') as ICAL.Duration | null;
  const ms = duration ? duration.toSeconds() * SECOND : undefined;
  let span: (ref: number) => [number, number];
  let reference = start;
  if (type === 'VEVENT') {
    if (!start) return false;
    const end = at('dtend');
    const length = end ? end.ms - start.ms : ms !== undefined ? (ms > 0 ? ms : SECOND) : start.isDate ? DAY : SECOND;
    span = (ref) => [ref, ref + length];
  } else {
    const due = at('due');
    const completed = at('completed');
    const created = at('created');
    reference = start ?? due ?? completed ?? created;
    if (!reference) return true;
    if (start && ms !== undefined) span = (ref) => [ref, ref + ms + SECOND];
    else if (start && due) span = (ref) => [ref, ref + Math.max(due.ms - start.ms, SECOND)];
    else if (start) span = (ref) => [ref, ref + SECOND];
    else if (due) span = (ref) => [ref - SECOND, ref];
    else if (completed) span = (ref) => [ref - SECOND, ref + SECOND];
    else span = (ref) => [ref, Infinity];
  }
  const recurring = !c.hasProperty('recurrence-id') && (c.hasProperty('rrule') || c.hasProperty('rdate'));
  const dtstart = c.getFirstProperty('dtstart');
  if (!recurring || !dtstart) return overlaps(span(reference!.ms));
  const zone = zoneOf(dtstart, zones);
  const expansion = new ICAL.RecurExpansion({ component: c, dtstart: dtstart.getFirstValue() as ICAL.Time });
  for (let i = 0; i < MAX_INSTANCES; i++) {
    const next = expansion.next();
    if (!next) return false;
    const ref = msOf(next, zone);
    if (overridden.has(ref)) continue;
    const instance = span(ref);
    if (overlaps(instance)) return true;
    if (instance[0] >= window.end) return false;
  }
  return true; // too many instances to decide: count as matching (a superset is safe)
}

/** Epoch ms of a DATE/DATE-TIME property; dates and floating times count as UTC (like Radicale). */
function instantOf(prop: ICAL.Property | null, zones: Zones): { ms: number; isDate: boolean } | undefined {
  const value = prop?.getFirstValue();
  if (!prop || !(value instanceof ICAL.Time)) return undefined;
  return { ms: msOf(value, zoneOf(prop, zones)), isDate: value.isDate };
}

/** The zone of a property's TZID: the object's own VTIMEZONE, else the IANA zone of that name. */
function zoneOf(prop: ICAL.Property, zones: Zones): ICAL.Timezone | undefined {
  const tzid = prop.getParameter('tzid');
  return typeof tzid === 'string' ? (zones.get(tzid) ?? ianaZone(tzid)) : undefined;
}

/**
 * Re-anchors the wall-clock fields in `zone` instead of registering zones in ical.js's
 * process-wide TimezoneService. UTC values keep their fields; dates are UTC midnight.
 */
function msOf(time: ICAL.Time, zone: ICAL.Timezone | undefined): number {
  const { year, month, day, hour, minute, second, isDate } = time;
  const anchored = ICAL.Time.fromData(
    { year, month, day, hour, minute, second, isDate: false },
    isDate || !zone ? ICAL.Timezone.utcTimezone : zone,
  );
  return anchored.toUnixTime() * SECOND;
}

const ianaZones = new Map<string, ICAL.Timezone | undefined>();

function ianaZone(tzid: string): ICAL.Timezone | undefined {
  if (!ianaZones.has(tzid)) {
    const text = getVtimezone(tzid);
    const component = text ? ICAL.Component.fromString(text).getFirstSubcomponent('vtimezone') : null;
    ianaZones.set(tzid, component ? new ICAL.Timezone(component) : undefined);
  }
  return ianaZones.get(tzid);
}
