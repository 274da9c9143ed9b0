import type { AccessRight, CalendarSettings, CalendarSettingsChange } from '../model/calendar.js';
import { CALDAV_NS, DAV_NS, GATEWAY_NS, clark, propText, type DavResponse } from './multistatus.js';
import { childrenOf } from './xml-reader.js';

/*
 * The gateway's own dead properties of a calendar collection (RFC 4918 §4.2: a server stores
 * properties it does not know as given and returns them in PROPFIND). One property per setting, in
 * the gateway's namespace (GATEWAY_NS); lists are JSON arrays of strings, flags `0`/`1`, the rest
 * plain text.
 */

type SettingKind = 'list' | 'flag' | 'text';

/** Setting → local name of its dead property and how its value is written. */
const SETTINGS: { [K in keyof Required<CalendarSettings>]: { name: string; kind: SettingKind } } = {
  categories: { name: 'categories', kind: 'list' },
  owners: { name: 'owners', kind: 'list' },
  doubleBooking: { name: 'allow-double-booking', kind: 'flag' },
  freeBusyInclude: { name: 'freebusy-include', kind: 'flag' },
  language: { name: 'language', kind: 'text' },
  charset: { name: 'charset', kind: 'text' },
  calmaster: { name: 'calmaster', kind: 'text' },
};

/** Prefixed names (`W:…`) of every setting property, for PROPFIND bodies. */
export const SETTING_PROPS = Object.values(SETTINGS).map(({ name }) => `W:${name}`);

/** Property name and text of each setting in `change`; null text = remove the property. */
export function settingProperties(change: CalendarSettingsChange): Array<{ prop: string; text: string | null }> {
  const out: Array<{ prop: string; text: string | null }> = [];
  for (const [key, spec] of Object.entries(SETTINGS) as Array<[keyof CalendarSettings, { name: string; kind: SettingKind }]>) {
    const value = change[key];
    if (value === undefined) continue;
    out.push({ prop: `W:${spec.name}`, text: value === null ? null : encode(value) });
  }
  return out;
}

function encode(value: string | string[] | boolean): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return value;
}

/**
 * The settings a PROPFIND answer carries. A value that is not what the gateway writes (another
 * client changed it by hand) is left out rather than guessed at.
 */
export function settingsOf(response: DavResponse): CalendarSettings | undefined {
  const settings: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const text = propText(response, GATEWAY_NS, spec.name);
    if (text === undefined) continue;
    const value = decode(text, spec.kind);
    if (value !== undefined) settings[key] = value;
  }
  return Object.keys(settings).length > 0 ? (settings as CalendarSettings) : undefined;
}

function decode(text: string, kind: SettingKind): string | string[] | boolean | undefined {
  if (kind === 'text') return text;
  if (kind === 'flag') return text.trim() === '1' ? true : text.trim() === '0' ? false : undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 3744 privileges (and RFC 4791 / RFC 6638 ones) → the rights they give. */
const PRIVILEGE_RIGHTS: Record<string, AccessRight[]> = {
  [clark(DAV_NS, 'all')]: ['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer'],
  [clark(DAV_NS, 'read')]: ['read', 'free-busy'],
  [clark(DAV_NS, 'write')]: ['write', 'delete', 'write-properties'],
  [clark(DAV_NS, 'write-content')]: ['write'],
  [clark(DAV_NS, 'bind')]: ['write'],
  [clark(DAV_NS, 'unbind')]: ['delete'],
  [clark(DAV_NS, 'write-properties')]: ['write-properties'],
  [clark(DAV_NS, 'write-acl')]: ['administer'],
  [clark(CALDAV_NS, 'read-free-busy')]: ['free-busy'],
  [clark(CALDAV_NS, 'schedule-deliver')]: ['schedule'],
  [clark(CALDAV_NS, 'schedule-send')]: ['schedule'],
};

const RIGHT_ORDER: readonly AccessRight[] = ['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer'];

/**
 * The rights in a current-user-privilege-set (RFC 3744 §5.4), or undefined when the server did not
 * report one. Aggregate privileges (all, write) count as everything they contain.
 */
export function rightsOf(response: DavResponse): AccessRight[] | undefined {
  const set = response.props.get(clark(DAV_NS, 'current-user-privilege-set'));
  if (!set) return undefined;
  const rights = new Set<AccessRight>();
  for (const privilege of childrenOf(set, DAV_NS, 'privilege')) {
    for (const child of privilege.children) {
      for (const right of PRIVILEGE_RIGHTS[clark(child.ns, child.name)] ?? []) rights.add(right);
    }
  }
  return RIGHT_ORDER.filter((right) => rights.has(right));
}
