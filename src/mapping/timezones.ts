import { createRequire } from 'node:module';
import ICAL from 'ical.js';

/**
 * The gateway's time zone set: IANA zones as VTIMEZONEs from @touch4it/ical-timezones, with TZID =
 * the IANA name (the ids Lightning itself uses, docs/lightning.md#time-zone-list).
 *
 * Nothing here touches ical.js's process-wide `TimezoneService`. ical.js resolves a property's
 * TZID from the VTIMEZONEs of the component tree it belongs to first, and only then from that
 * global registry (ical.js `Time.fromDateTimeString`). So zones are resolved per object: every
 * parsed object gets the definitions of the zones it uses attached to its own tree
 * ({@link attachZones}), and two objects using the same custom TZID with different rules each keep
 * their own. The memo below only caches the canonical definitions, which never change.
 */
const require = createRequire(import.meta.url);
const zoneFiles = require('@touch4it/ical-timezones/zones.js') as Record<string, string>;
const { getVtimezoneComponent } = require('@touch4it/ical-timezones') as {
  getVtimezoneComponent(tzid: string): string | null;
};

/** IANA-style names (Area/Location), aliases included, plus UTC. */
const ZONE_SET = new Set([
  'UTC',
  ...Object.keys(zoneFiles).filter((id) => /^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(id)),
]);
let availableIds: readonly string[] | undefined;

/** Canonical definitions, parsed once per name. */
const components = new Map<string, ICAL.Component>();
const timezones = new Map<string, ICAL.Timezone>();

/** Every zone the gateway can serve, sorted (names whose definition file is missing are left out). */
export function allTimezoneIds(): readonly string[] {
  availableIds ??= Object.freeze([...ZONE_SET].filter((id) => loadZone(id) !== undefined).sort());
  return availableIds;
}

export function isKnownTimezone(tzid: string): boolean {
  return ZONE_SET.has(tzid);
}

/**
 * The VTIMEZONE for `tzid` with TZID set to exactly that name (aliases keep their own name), or
 * undefined for unknown zones. Returns a fresh copy each call: components are mutable.
 */
export function vtimezone(tzid: string): ICAL.Component | undefined {
  const cached = loadZone(tzid);
  return cached ? cloneComponent(cached) : undefined;
}

/** The ical.js Timezone of a known zone (UTC for `UTC` and `Z`); undefined if unknown. */
export function timezone(tzid: string): ICAL.Timezone | undefined {
  if (tzid === 'UTC' || tzid === 'Z') return ICAL.Timezone.utcTimezone;
  const known = timezones.get(tzid);
  if (known) return known;
  const component = loadZone(tzid);
  if (!component) return undefined;
  const zone = new ICAL.Timezone({ component: cloneComponent(component), tzid });
  timezones.set(tzid, zone);
  return zone;
}

function loadZone(tzid: string): ICAL.Component | undefined {
  if (!ZONE_SET.has(tzid)) return undefined;
  const cached = components.get(tzid);
  if (cached) return cached;
  const text = getVtimezoneComponent(tzid === 'UTC' ? 'Etc/UTC' : tzid);
  if (!text) {
    ZONE_SET.delete(tzid);
    return undefined;
  }
  const component = new ICAL.Component(ICAL.parse(text) as unknown[]);
  component.updatePropertyWithValue('tzid', tzid);
  // The tzurl.org links point to a third-party site; clients need only TZID and the rules.
  component.removeAllProperties('tzurl');
  components.set(tzid, component);
  return component;
}

/**
 * The gateway's definition for a TZID: the canonical zone for an IANA name, and for a
 * vendor-prefixed name ending in one (`/freeassociation.sourceforge.net/Europe/Berlin`, as libical
 * writes them) that zone's rules under the vendor name. Undefined for any other name.
 */
export function canonicalZone(tzid: string): ICAL.Component | undefined {
  if (tzid === 'UTC' || tzid === 'Z') return undefined;
  const direct = vtimezone(tzid);
  if (direct) return direct;
  if (!tzid.includes('/')) return undefined;
  const iana = [...ZONE_SET].find((id) => tzid.endsWith(`/${id}`));
  const definition = iana ? vtimezone(iana) : undefined;
  definition?.updatePropertyWithValue('tzid', tzid);
  return definition;
}

/**
 * Makes the VCALENDAR `tree` hold a definition for each of `tzids` before any time in it is read
 * (ical.js resolves a TZID once, when a value is first decoded, and reads an unknown one as
 * floating — docs/caldav-servers.md#register-time-zones-first): the canonical definition where the
 * gateway has one (it replaces a stored VTIMEZONE of that name), else the tree's own VTIMEZONE,
 * else nothing (the times stay floating). VTIMEZONEs are inserted before the other components.
 */
export function attachZones(tree: ICAL.Component, tzids: Iterable<string>): void {
  const own = new Map(tree.getAllSubcomponents('vtimezone').map((z) => [String(z.getFirstPropertyValue('tzid')), z]));
  const others = tree.getAllSubcomponents().filter((c) => c.name !== 'vtimezone');
  let changed = false;
  for (const tzid of new Set(tzids)) {
    const canonical = canonicalZone(tzid);
    if (!canonical) continue;
    own.set(tzid, canonical);
    changed = true;
  }
  if (!changed) return;
  for (const component of [...tree.getAllSubcomponents()]) tree.removeSubcomponent(component);
  for (const zone of own.values()) tree.addSubcomponent(zone);
  for (const component of others) tree.addSubcomponent(component);
}

/**
 * A deep copy of `component` that resolves its TZIDs exactly as the original does: the copy points
 * to the original's parent (without being one of its subcomponents), so ical.js finds the same
 * VTIMEZONEs. Use it for scratch copies that read times; add the copy to a tree to keep it.
 */
export function cloneInTree(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(structuredClone(component.jCal), component.parent ?? undefined);
}

function cloneComponent(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(structuredClone(component.jCal));
}
