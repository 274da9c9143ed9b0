import type { ItemChanges, OrganizerInput } from '../model/item-changes.js';
import { isCalendarAddress, parseAttendees } from './attendee-param.js';
import { decoded, p, type ParamSpec, type ParamsOf } from './params.js';
import type { RawParams } from './raw-params.js';
import { Errno } from './errno.js';
import { WcapError } from './wcap-error.js';
import { alarmsOf } from './store-alarm-params.js';
import { checkedRules } from './store-rule-params.js';
import { notifyParams } from './notify-params.js';

/** WCAP status integers (docs/lightning.md#store-request-layout, parameter `status`). */
const STATUS_BY_NUMBER = ['CONFIRMED', 'CANCELLED', 'TENTATIVE', 'NEEDS-ACTION', 'COMPLETED', 'IN-PROCESS', 'DRAFT', 'FINAL'];


/** Parameters shared by storeevents and storetodos (docs/wcap-protocol.md#storeevents-parameters). */
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
  // Output shaping of fetch=1 (stores accept tzidout with fetch=1,
  // docs/wcap-protocol.md#time-zone-parameters).
  tzidout: p.string(),
  relativealarm: p.flag(true),
  excludedtstart: p.flag(false),
  // Scheduling mail on servers that do not schedule (wcap/notify-params.ts).
  ...notifyParams,
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
  // Lightning sends categories unencoded: a `%` that starts no escape is a percent sign ("100%").
  categories: p.quotedList({ lenient: true }),
  resources: p.quotedList(),
  attachments: p.quotedList(),
  // X-S1CS-ATTACH-ID values of inline attachments to remove (docs/wcap-protocol.md#attachments).
  deleteattach: p.list(),
  relatedTos: p.quotedList(),
  contacts: p.quotedList(),
  geo: p.text(),
  seq: p.optionalInt({ min: 0, max: 2_147_483_647 }),
  language: p.text(),
  attendees: p.raw(),
  orgCalid: p.text(),
  orgEmail: p.text(),
  orgUID: p.text(),
  orgCN: p.text(),
  rrules: p.quotedList({ unquotedIsOneItem: true }),
  exrules: p.quotedList({ unquotedIsOneItem: true }),
  rdates: p.dates(),
  exdates: p.dates(),
  alarmStart: p.raw(),
  alarmEmails: p.raw(),
  alarmPopup: p.raw(),
  alarmAudio: p.raw(),
  alarmFlashing: p.raw(),
  alarmDescription: p.text(),
  alarms: p.raw(),
  xProperties: xPropertiesParam(),
};

export type StoreParams = ParamsOf<typeof storeParams>;

/**
 * Parameter names that are WCAP's own, or the gateway's bookkeeping on stored objects
 * (X-WCAP-GATEWAY-…, calendars/split-intent.ts): never X-property pass-through.
 */
const RESERVED_X = /^X-(NSCP-WCAP|WCAP-GATEWAY)-/i;

/** Turns the parsed parameters into the changes to apply (model/item-changes.ts). */
export function changesFromParams(
  params: StoreParams,
  failsWith: number,
  limits: { maxAttendees: number; recurrenceBound: number } = { maxAttendees: Number.POSITIVE_INFINITY, recurrenceBound: Number.POSITIVE_INFINITY },
): ItemChanges {
  // An empty list clears the field; absent leaves it.
  const list = (value: string[] | undefined) => (value === undefined ? undefined : value.length === 0 ? null : value);
  const flag = (name: string, value: StoreParams['transparent']) => {
    if (value === undefined || value.text.trim() === '') return undefined;
    const text = decoded(value, name, failsWith).trim();
    if (text !== '0' && text !== '1') throw new WcapError(failsWith, `Invalid value for parameter ${name}: expected 0 or 1`);
    return text === '1';
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
    url: params.icsUrl === undefined || params.icsUrl === null ? params.icsUrl : uriOf(params.icsUrl, 'icsUrl', failsWith),
    priority: params.priority,
    classification: params.icsClass,
    status: params.status === undefined ? undefined : params.status === null ? null : STATUS_BY_NUMBER[params.status],
    transparent: flag('transparent', params.transparent),
    percent: params.percent,
    completed: params.completed,
    categories: list(params.categories),
    resources: list(params.resources),
    attachments: list(params.attachments?.map((url) => uriOf(url, 'attachments', failsWith))),
    ...(params.deleteattach?.length ? { deleteAttachIds: params.deleteattach } : {}),
    relatedTos: list(params.relatedTos),
    contacts: list(params.contacts),
    geo: geoOf(params.geo, failsWith),
    sequence: params.seq,
    language: params.language,
    rrules: params.rrules === undefined ? undefined : checkedRules(params.rrules, 'rrules', failsWith, limits.recurrenceBound),
    exrules: params.exrules === undefined ? undefined : checkedRules(params.exrules, 'exrules', failsWith),
    rdates: params.rdates,
    exdates: params.exdates,
    excludeDtstart: params.excludedtstart,
    xProperties: params.xProperties,
    replace: params.replace,
  };
  if (params.attendees !== undefined) {
    changes.attendees = parseAttendees(params.attendees, 'attendees', failsWith);
    // Sun's servers clipped group expansion with errno 43; a list this long is refused whole,
    // so the stored meeting is never a silently shortened one.
    if (changes.attendees.length > limits.maxAttendees) {
      throw new WcapError(Errno.ATTENDEE_GROUP_EXPANSION_CLIPPED, `More than ${limits.maxAttendees} attendees (WCAP_MAX_ATTENDEES)`);
    }
  }
  const organizer = organizerOf(params);
  if (organizer) changes.organizer = organizer;
  const alarms = alarmsOf(params, failsWith);
  if (alarms !== undefined) changes.alarms = alarms;
  return changes;
}

/**
 * A URI value (URL, ATTACH): iCalendar writes it as is, without escapes (RFC 5545 §3.3.13), so a
 * line break in it would end the property and start one of the sender's choosing.
 */
function uriOf(text: string, name: string, failsWith: number): string {
  if (/[\r\n]/.test(text)) throw new WcapError(failsWith, `Invalid value for parameter ${name}: a URI cannot hold a line break`);
  return text;
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
  // One of orgCalid/orgEmail is mandatory when any org* parameter is given (errno 67,
  // docs/wcap-protocol.md#storeevents-parameters).
  if (!calid && !email) throw new WcapError(Errno.BAD_ORG_ARGUMENTS, 'orgUID or orgCN given without orgCalid or orgEmail');
  for (const address of [calid, email]) {
    if (address && !isCalendarAddress(address.trim())) {
      throw new WcapError(Errno.BAD_ARGUMENTS, 'The organizer has no valid calid or mail address');
    }
  }
  return { ...(calid ? { calid } : {}), ...(email ? { email } : {}), ...(cn ? { cn } : {}) };
}

/**
 * Every parameter named `X-…` (other than WCAP's own X-NSCP-WCAP-… and the gateway's X-WCAP-GATEWAY-…): stored as an X-property of the
 * item (docs/wcap-protocol.md#storeevents-parameters); an empty value removes it. Undefined when
 * none is sent.
 */
function xPropertiesParam(): ParamSpec<Record<string, string | null> | undefined> {
  return {
    shape: { kind: 'xProperties' },
    parse: () => undefined,
    parseAll(raw: RawParams, _name: string, failsWith: number) {
      const out: Record<string, string | null> = {};
      for (const name of raw.names()) {
        if (!/^X-[A-Za-z0-9-]+$/i.test(name) || RESERVED_X.test(name)) continue;
        const value = decoded(raw.get(name)!, name, failsWith);
        out[name.toUpperCase()] = value === '' ? null : value;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    },
  };
}
