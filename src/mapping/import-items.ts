import ICAL from 'ical.js';
import type { ComponentType, TimeRange } from '../model/calendar.js';
import { newCalendarObject, uidOf, usedTimezoneIds } from './calendar-object.js';
import { DEFAULT_LIMITS } from './expand.js';
import type { SplitComponent } from './ical-splitter.js';
import { attachZones, isKnownTimezone } from './timezones.js';
import { itemsOverlap } from './time-span.js';

/**
 * The items of an import file, one calendar object each (docs/wcap-protocol.md#import): the
 * components of one UID and type that follow each other (master and overrides), with the
 * VTIMEZONEs they use. What cannot become an object is reported with its UID and the reason.
 */
export type ImportEntry =
  | { kind: 'item'; type: ComponentType; uid: string; vcalendar: ICAL.Component }
  | { kind: 'failed'; name: string; uid: string | undefined; reason: string }
  /** Outside the import's dtstart/dtend: left out on purpose, only counted. */
  | { kind: 'skipped'; uid: string };

export interface ImportItemOptions {
  /** VTIMEZONEs of the file by TZID (the first definition of each). */
  zones: ReadonlyMap<string, ICAL.Component>;
  /** Only items overlapping this range are imported (dtstart/dtend; open: all). */
  range: TimeRange;
  /** Most components of one item (master plus overrides). */
  maxComponentsPerItem: number;
}

const ITEM_TYPES: ReadonlySet<string> = new Set(['VEVENT', 'VTODO']);

// Properties only the gateway writes (docs/architecture.md#series-splits); a file cannot set them.
const RESERVED_PREFIX = 'x-wcap-gateway-';

/** A top-level component parsed on its own, or why it cannot be. */
export function parseComponent(text: string): ICAL.Component | string {
  try {
    const component = new ICAL.Component(ICAL.parse(text) as unknown[]);
    return component;
  } catch (err) {
    return `It cannot be parsed as iCalendar: ${String((err as Error).message).slice(0, 200)}`;
  }
}

/** The file's items in order, grouped and checked; nothing is written here. */
export async function* importEntries(components: AsyncIterable<SplitComponent>, options: ImportItemOptions): AsyncGenerator<ImportEntry> {
  let group: { type: ComponentType; uid: string; members: ICAL.Component[] } | undefined;
  let groupFailed = false;
  const flush = function* (): Generator<ImportEntry> {
    if (group && !groupFailed) yield entryOf(group.type, group.uid, group.members, options);
    group = undefined;
    groupFailed = false;
  };
  for await (const split of components) {
    if (split.name === 'VTIMEZONE') continue;
    if (split.kind === 'oversized') {
      yield* flush();
      yield { kind: 'failed', name: split.name, uid: split.uid, reason: 'The component is larger than WCAP_MAX_IMPORT_COMPONENT_BYTES' };
      continue;
    }
    if (!ITEM_TYPES.has(split.name)) {
      yield* flush();
      yield { kind: 'failed', name: split.name, uid: uidInText(split.text), reason: `Only events and tasks are imported, not ${split.name}` };
      continue;
    }
    const parsed = parseComponent(split.text);
    if (typeof parsed === 'string') {
      yield* flush();
      yield { kind: 'failed', name: split.name, uid: uidInText(split.text), reason: parsed };
      continue;
    }
    const uid = uidOf(parsed);
    if (uid === undefined) {
      yield* flush();
      yield { kind: 'failed', name: split.name, uid: undefined, reason: 'The component has no UID' };
      continue;
    }
    const type = split.name as ComponentType;
    if (group && group.type === type && group.uid === uid) {
      if (group.members.length >= options.maxComponentsPerItem) {
        if (!groupFailed) yield { kind: 'failed', name: type, uid, reason: `The item has more than ${options.maxComponentsPerItem} components` };
        groupFailed = true;
      } else group.members.push(parsed);
      continue;
    }
    yield* flush();
    group = { type, uid, members: [parsed] };
  }
  yield* flush();
}

/** One object for a group, or why it cannot be stored. */
function entryOf(type: ComponentType, uid: string, members: ICAL.Component[], options: ImportItemOptions): ImportEntry {
  const fail = (reason: string): ImportEntry => ({ kind: 'failed', name: type, uid, reason });
  const masters = members.filter((c) => !c.hasProperty('recurrence-id'));
  if (masters.length > 1) return fail('The item has more than one component without RECURRENCE-ID');
  const vcalendar = newCalendarObject(members[0]!);
  for (const member of members.slice(1)) vcalendar.addSubcomponent(member);
  for (const member of members) removeReserved(member);
  for (const tzid of usedTimezoneIds(members)) {
    if (isKnownTimezone(tzid)) continue;
    const zone = options.zones.get(tzid);
    if (!zone) return fail(`It uses the time zone ${JSON.stringify(tzid.slice(0, 100))}, which the file does not define`);
    vcalendar.addSubcomponent(new ICAL.Component(zone.toJSON() as unknown[]));
  }
  attachZones(vcalendar, usedTimezoneIds(members));
  if ((options.range.start || options.range.end) && !itemsOverlap(members, options.range, undefined, DEFAULT_LIMITS)) {
    return { kind: 'skipped', uid };
  }
  return { kind: 'item', type, uid, vcalendar };
}

function removeReserved(component: ICAL.Component): void {
  for (const property of [...component.getAllProperties()]) {
    if (property.name.startsWith(RESERVED_PREFIX)) component.removeProperty(property);
  }
  for (const child of component.getAllSubcomponents()) removeReserved(child);
}

/** The UID of a component that could not be parsed, found by a plain look at its lines. */
function uidInText(text: string): string | undefined {
  return /^UID(?:;[^:\r\n]*)?:([^\r\n]*)/im.exec(text)?.[1]?.trim();
}

/** The VTIMEZONE of a component text, for the file's zone table; undefined when unusable. */
export function zoneOf(text: string): { tzid: string; zone: ICAL.Component } | undefined {
  const parsed = parseComponent(text);
  if (typeof parsed === 'string' || parsed.name !== 'vtimezone') return undefined;
  const tzid = parsed.getFirstPropertyValue('tzid');
  return typeof tzid === 'string' && tzid !== '' ? { tzid, zone: parsed } : undefined;
}
