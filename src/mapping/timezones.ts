import { createRequire } from 'node:module';
import ICAL from 'ical.js';

/**
 * The gateway's time zone set: IANA zones as VTIMEZONEs from @touch4it/ical-timezones, each
 * registered with ical.js under its IANA name (TZID = the name clients use: Lightning's own zones
 * use exactly those ids, lightning-client.md §4.5c). ical.js's TimezoneService is process-global,
 * so the canonical definitions are registered here and client-supplied VTIMEZONEs are never
 * registered (backends.md §4.1: same TZID, different rules would overwrite each other).
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

const components = new Map<string, ICAL.Component>();

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
  return cached ? new ICAL.Component(structuredClone(cached.jCal)) : undefined;
}

/** The ical.js Timezone for `tzid`, registered with the global TimezoneService; undefined if unknown. */
export function timezone(tzid: string): ICAL.Timezone | undefined {
  if (tzid === 'UTC' || tzid === 'Z') return ICAL.Timezone.utcTimezone;
  if (!loadZone(tzid)) return undefined;
  return ICAL.TimezoneService.get(tzid) ?? undefined;
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
  if (tzid !== 'UTC') ICAL.TimezoneService.register(new ICAL.Timezone(component), tzid);
  return component;
}

/**
 * Makes every TZID the object's items use known to ical.js before any of their times is read:
 * ical.js resolves a TZID once, when a value is first decoded, and reads an unknown one as floating
 * (backends.md §4.1). Known IANA names get the canonical definition; a vendor-prefixed name ending
 * in one (`/freeassociation.sourceforge.net/Europe/Berlin`) gets that zone's rules under its own
 * name; any other name gets the object's own VTIMEZONE (unique names cannot clash).
 */
export function registerObjectTimezones(vcalendar: ICAL.Component, tzids: Iterable<string>): void {
  for (const tzid of tzids) {
    if (timezone(tzid) || ICAL.TimezoneService.has(tzid)) continue;
    const iana = [...ZONE_SET].find((id) => tzid.endsWith(`/${id}`));
    const canonical = iana ? loadZone(iana) : undefined;
    const own = vcalendar.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === tzid);
    const definition = canonical ? new ICAL.Component(structuredClone(canonical.jCal)) : own;
    if (!definition) continue;
    definition.updatePropertyWithValue('tzid', tzid);
    ICAL.TimezoneService.register(new ICAL.Timezone(definition), tzid);
  }
}
