import type { ItemChanges, OrganizerInput } from '../../model/item-changes.js';
import { isCalendarAddress, parseAttendees } from '../../wcap/attendee-param.js';
import { parseWcapDate } from '../../wcap/datetime.js';
import { decoded, decodedList, p, type ParamsOf } from '../../wcap/params.js';
import type { RawParams } from '../../wcap/raw-params.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { alarmsOf } from './store-alarm-params.js';
import { parseRules } from './store-rule-params.js';

/** WCAP status integers (lightning-client.md §6.2 table 17). */
const STATUS_BY_NUMBER = ['CONFIRMED', 'CANCELLED', 'TENTATIVE', 'NEEDS-ACTION', 'COMPLETED', 'IN-PROCESS', 'DRAFT', 'FINAL'];

const BAD_ORG_ARGUMENTS = 67;
const BAD_ARGUMENTS = 60;

/** Parameters shared by storeevents and storetodos (seed 004 table plus the clients' extras). */
export const storeParams = {
  calid: p.string(),
  uid: p.string(),
  rid: p.date(),
  mod: p.int({ min: 1, max: 4 }),
  storetype: p.int({ min: 0, max: 2, fallback: 0 }),
  method: p.oneOf(['1', '2', '4', '8', '256'] as const, { fallback: '1' }),
  fetch: p.flag(false),
  replace: p.flag(false),
  emailorcalid: p.flag(false),
  // Output shaping of fetch=1 (seed 003: stores accept tzidout with fetch=1).
  tzidout: p.string(),
  relativealarm: p.flag(true),
  excludedtstart: p.flag(false),
  // Accepted for compatibility; mail is the business of CalDAV scheduling, not of this gateway.
  smtp: p.flag(true),
  smtpNotify: p.flag(false),
  notify: p.flag(false),
  rchange: p.flag(false),
  tzid: p.string(),
  dtstart: p.date(),
  dtend: p.date(),
  due: p.date(),
  duration: p.text(),
  isAllDay: p.raw(),
  summary: p.text(),
  desc: p.text(),
  location: p.text(),
  icsUrl: p.text(),
  priority: p.optionalInt({ min: 0, max: 9 }),
  icsClass: p.oneOf(['PUBLIC', 'PRIVATE', 'CONFIDENTIAL'] as const),
  status: p.optionalInt({ min: 0, max: 7 }),
  transparent: p.raw(),
  percent: p.optionalInt({ min: 0, max: 100 }),
  completed: p.date(),
  categories: p.raw(),
  resources: p.raw(),
  attachments: p.raw(),
  relatedTos: p.raw(),
  contacts: p.raw(),
  geo: p.text(),
  seq: p.optionalInt({ min: 0, max: 2_147_483_647 }),
  language: p.text(),
  attendees: p.raw(),
  orgCalid: p.text(),
  orgEmail: p.text(),
  orgUID: p.text(),
  orgCN: p.text(),
  rrules: p.raw(),
  exrules: p.raw(),
  rdates: p.raw(),
  exdates: p.raw(),
  alarmStart: p.raw(),
  alarmEmails: p.raw(),
  alarmPopup: p.raw(),
  alarmAudio: p.raw(),
  alarmFlashing: p.raw(),
  alarmDescription: p.text(),
  alarms: p.raw(),
};

export type StoreParams = ParamsOf<typeof storeParams>;

/** Parameter names that are WCAP's own, never X-property pass-through. */
const RESERVED_X = /^X-NSCP-WCAP-/i;

/** Turns the parsed parameters into the changes to apply (model/item-changes.ts). */
export function changesFromParams(params: StoreParams, raw: RawParams, failsWith: number): ItemChanges {
  const list = (name: string, value: StoreParams['categories']) =>
    value === undefined ? undefined : value.text === '' ? null : decodedList(value, name, failsWith).map(unquote);
  const flag = (name: string, value: StoreParams['transparent']) => {
    if (value === undefined || value.text.trim() === '') return undefined;
    const text = decoded(value, name, failsWith).trim();
    if (text !== '0' && text !== '1') throw new WcapError(failsWith, `Invalid value for parameter ${name}: expected 0 or 1`);
    return text === '1';
  };
  const dates = (name: string, value: StoreParams['rdates']) => {
    if (value === undefined) return undefined;
    const texts = decodedList(value, name, failsWith).map((t) => t.trim()).filter((t) => t !== '' && t !== '0');
    if (texts.length === 0) return null;
    return texts.map((text) => {
      const date = parseWcapDate(text);
      if (!date) throw new WcapError(failsWith, `Invalid value for parameter ${name}: expected dates separated by ;`);
      return date;
    });
  };
  const changes: ItemChanges = {
    dtstart: params.dtstart,
    dtend: params.dtend,
    due: params.due,
    duration: params.duration,
    isAllDay: flag('isAllDay', params.isAllDay),
    tzid: params.tzid?.trim() || undefined,
    summary: params.summary,
    description: params.desc,
    location: params.location,
    url: params.icsUrl,
    priority: params.priority,
    classification: params.icsClass,
    status: params.status === undefined ? undefined : params.status === null ? null : STATUS_BY_NUMBER[params.status],
    transparent: flag('transparent', params.transparent),
    percent: params.percent,
    completed: params.completed,
    categories: list('categories', params.categories),
    resources: list('resources', params.resources),
    attachments: list('attachments', params.attachments),
    relatedTos: list('relatedTos', params.relatedTos),
    contacts: list('contacts', params.contacts),
    geo: geoOf(params.geo, failsWith),
    sequence: params.seq,
    language: params.language,
    rrules: params.rrules === undefined ? undefined : parseRules(params.rrules, 'rrules', failsWith),
    exrules: params.exrules === undefined ? undefined : parseRules(params.exrules, 'exrules', failsWith),
    rdates: dates('rdates', params.rdates),
    exdates: dates('exdates', params.exdates),
    excludeDtstart: params.excludedtstart,
    xProperties: xPropertiesOf(raw, failsWith),
    replace: params.replace,
  };
  if (params.attendees !== undefined) changes.attendees = parseAttendees(params.attendees, 'attendees', failsWith);
  const organizer = organizerOf(params);
  if (organizer) changes.organizer = organizer;
  const alarms = alarmsOf(params, failsWith);
  if (alarms !== undefined) changes.alarms = alarms;
  return changes;
}

/** relatedTos are "lists of quoted strings" (seed 004); quotes are optional here. */
function unquote(text: string): string {
  const trimmed = text.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function geoOf(text: string | null | undefined, failsWith: number): ItemChanges['geo'] {
  if (text === undefined || text === null) return text;
  const match = /^\s*([-+]?\d+(?:\.\d+)?)\s*[;,]\s*([-+]?\d+(?:\.\d+)?)\s*$/.exec(text);
  const [latitude, longitude] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
    throw new WcapError(failsWith, 'Invalid value for parameter geo: expected latitude;longitude');
  }
  return { latitude, longitude };
}

function organizerOf(params: StoreParams): OrganizerInput | undefined {
  const calid = params.orgCalid ?? undefined;
  const email = params.orgEmail ?? undefined;
  const cn = params.orgCN ?? undefined;
  const anyGiven = [params.orgCalid, params.orgEmail, params.orgUID, params.orgCN].some((v) => v);
  if (!anyGiven) return undefined;
  // S63: one of orgCalid/orgEmail is mandatory when any org* parameter is given (errno 67).
  if (!calid && !email) throw new WcapError(BAD_ORG_ARGUMENTS, 'orgUID or orgCN given without orgCalid or orgEmail');
  for (const address of [calid, email]) {
    if (address && !isCalendarAddress(address.trim())) {
      throw new WcapError(BAD_ARGUMENTS, 'The organizer has no valid calid or mail address');
    }
  }
  return { ...(calid ? { calid } : {}), ...(email ? { email } : {}), ...(cn ? { cn } : {}) };
}

/** Parameters named X-… are stored as X-properties of the item (seed 004, "X-property name"). */
function xPropertiesOf(raw: RawParams, failsWith: number): Record<string, string | null> | undefined {
  const out: Record<string, string | null> = {};
  for (const name of raw.names()) {
    if (!/^X-[A-Za-z0-9-]+$/i.test(name) || RESERVED_X.test(name)) continue;
    const value = decoded(raw.get(name)!, name, failsWith).replace(/\r\n?/g, '\n');
    out[name.toUpperCase()] = value === '' ? null : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
