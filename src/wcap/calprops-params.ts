import { AceError, parseAcl } from '../mapping/access-control.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import type { AccessEntry, CalendarChanges, CalendarSettingsChange } from '../model/calendar.js';
import { p } from './params.js';
import { WcapError } from './wcap-error.js';

/**
 * The calendar-property parameters of set_calprops, which createcalendar takes too with
 * `set_calprops=1` (docs/wcap-protocol.md#set_calprops). An absent parameter leaves its property
 * alone; an empty one removes it.
 */
export const calpropsParams = {
  name: p.string(),
  description: p.string(),
  /** WCAP 7.0 spelling of description (createcalendar). */
  desc: p.string(),
  tzid: p.string(),
  categories: p.list(),
  owners: p.list(),
  doublebooking: p.int({ min: 0, max: 1 }),
  fbinclude: p.int({ min: 0, max: 1 }),
  lang: p.string(),
  charset: p.string(),
  master: p.string(),
  acl: p.string(),
  // Accepted only to be refused with a reason (see calendarChangesOf).
  read: p.string(),
  write: p.string(),
  multiple: p.string(),
  cal: p.string(),
};

type CalpropsParams = { [K in keyof typeof calpropsParams]: ReturnType<(typeof calpropsParams)[K]['parse']> };

/** Bounds of the values (characters, items): far above what a person types, far below a flood. */
const MAX_NAME = 256;
const MAX_DESCRIPTION = 4096;
const MAX_ITEMS = 50;
const MAX_ITEM = 100;
const USER = /^[A-Za-z0-9._+-]+(@[A-Za-z0-9.-]+)?$/;
const LANGUAGE = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,7}$/;
const CHARSET = /^[A-Za-z0-9._:+-]{1,40}$/;
const MAIL = /^[^\s@;<>"]{1,64}@[^\s@;<>"]{1,189}$/;

/** What a set_calprops request asks for: property changes and, with `acl`, a new ACL. */
export interface CalpropsRequest {
  changes: CalendarChanges;
  acl?: AccessEntry[];
}

/**
 * Validates every parameter and builds the change, before anything is sent to the server; a bad
 * value throws WcapError `failsWith` naming the parameter.
 */
export function calendarChangesOf(params: Partial<CalpropsParams>, failsWith: number): CalpropsRequest {
  const bad = (message: string): never => {
    throw new WcapError(failsWith, message);
  };
  if (params.read !== undefined || params.write !== undefined) {
    bad('Parameters read and write (WCAP 3.x public/private) are not supported: rights are given with acl');
  }
  if (params.multiple !== undefined || params.cal !== undefined) bad('Parameters multiple and cal are not supported: set one calendar per request');
  const changes: CalendarChanges = {};
  const text = (value: string | undefined, name: string, max: number): string | null | undefined => {
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    if (trimmed.length > max) bad(`Parameter ${name} is longer than ${max} characters`);
    return trimmed === '' ? null : trimmed;
  };
  const name = text(params.name, 'name', MAX_NAME);
  if (name !== undefined) changes.displayName = name;
  const description = text(params.description ?? params.desc, params.description === undefined ? 'desc' : 'description', MAX_DESCRIPTION);
  if (description !== undefined) changes.description = description;
  const tzid = text(params.tzid, 'tzid', 100);
  if (tzid !== undefined) {
    if (tzid !== null && !isKnownTimezone(tzid)) bad('Invalid value for parameter tzid: expected a time zone of get_all_timezones');
    changes.timezone = tzid;
  }
  const settings: CalendarSettingsChange = {};
  const categories = list(params.categories, 'categories', bad, (item) => item.length <= MAX_ITEM);
  if (categories !== undefined) settings.categories = categories;
  const owners = list(params.owners, 'owners', bad, (item) => item.length <= MAX_ITEM && USER.test(item));
  if (owners !== undefined) settings.owners = owners;
  if (params.doublebooking !== undefined) settings.doubleBooking = params.doublebooking === 1;
  if (params.fbinclude !== undefined) settings.freeBusyInclude = params.fbinclude === 1;
  const lang = text(params.lang, 'lang', 35);
  if (lang !== undefined) settings.language = lang === null ? null : LANGUAGE.test(lang) ? lang : bad('Invalid value for parameter lang: expected a language tag such as en or de-CH');
  const charset = text(params.charset, 'charset', 40);
  if (charset !== undefined) settings.charset = charset === null ? null : CHARSET.test(charset) ? charset : bad('Invalid value for parameter charset: expected a character set name such as UTF-8');
  const master = text(params.master, 'master', 260);
  if (master !== undefined) {
    const address = master === null ? null : master.replace(/^mailto:/i, '');
    settings.calmaster = address === null ? null : MAIL.test(address) ? address : bad('Invalid value for parameter master: expected a mail address');
  }
  if (Object.keys(settings).length > 0) changes.settings = settings;
  const request: CalpropsRequest = { changes };
  const acl = params.acl?.trim();
  if (acl) {
    try {
      request.acl = parseAcl(acl);
    } catch (err) {
      if (err instanceof AceError) bad(`Invalid value for parameter acl: ${err.message}`);
      throw err;
    }
  }
  return request;
}

/** A `;` list of distinct trimmed items (empty: remove), each passing `ok`. */
function list(values: string[] | undefined, name: string, bad: (message: string) => never, ok: (item: string) => boolean): string[] | null | undefined {
  if (values === undefined) return undefined;
  const items = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  if (items.length > MAX_ITEMS) bad(`Parameter ${name} has more than ${MAX_ITEMS} items`);
  const wrong = items.findIndex((item) => !ok(item));
  if (wrong >= 0) bad(`Invalid value for parameter ${name}: item ${wrong + 1} is not allowed (too long, or not a user id for owners)`);
  return items.length === 0 ? null : items;
}

/** True when the request changes nothing at all. */
export function changesNothing(request: CalpropsRequest): boolean {
  const { changes } = request;
  return request.acl === undefined && Object.keys(changes).filter((k) => k !== 'settings').length === 0 && Object.keys(changes.settings ?? {}).length === 0;
}
