import type { AlarmInput, ItemChanges } from '../../model/item-changes.js';
import { isCalendarAddress, parseAttendees } from '../../wcap/attendee-param.js';
import { parseWcapDate } from '../../wcap/datetime.js';
import { decoded, decodedList, p, type ParamsOf } from '../../wcap/params.js';
import { WcapError } from '../../wcap/wcap-error.js';

/** WCAP status integers (lightning-client.md §6.2 table 17). */
const STATUS_BY_NUMBER = ['CONFIRMED', 'CANCELLED', 'TENTATIVE', 'NEEDS-ACTION', 'COMPLETED', 'IN-PROCESS', 'DRAFT', 'FINAL'];

const BAD_ORG_ARGUMENTS = 67;
const BAD_ARGUMENTS = 60;

/** Parameters shared by storeevents and storetodos. */
export const storeParams = {
  calid: p.string(),
  uid: p.string(),
  rid: p.string(),
  mod: p.int({ min: 0, max: 4 }),
  storetype: p.int({ min: 0, max: 2, fallback: 0 }),
  fetch: p.flag(false),
  replace: p.flag(false),
  emailorcalid: p.flag(false),
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
  attendees: p.raw(),
  orgCalid: p.text(),
  orgEmail: p.text(),
  orgUID: p.text(),
  orgCN: p.text(),
  alarmStart: p.raw(),
  alarmEmails: p.raw(),
  alarmPopup: p.raw(),
  alarmDescription: p.text(),
};

export type StoreParams = ParamsOf<typeof storeParams>;

/** Turns the parsed parameters into the changes to apply (model/item-changes.ts). */
export function changesFromParams(params: StoreParams, failsWith: number): ItemChanges {
  const list = (name: string, raw: StoreParams['categories']) =>
    raw === undefined ? undefined : raw.text === '' ? null : decodedList(raw, name, failsWith);
  const flag = (name: string, raw: StoreParams['transparent']) => {
    if (raw === undefined || raw.text.trim() === '') return undefined;
    const text = decoded(raw, name, failsWith).trim();
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
    replace: params.replace,
  };
  if (params.attendees !== undefined) changes.attendees = parseAttendees(params.attendees, 'attendees', failsWith);
  const organizer = organizerOf(params);
  if (organizer) changes.organizer = organizer;
  const alarm = alarmOf(params, failsWith);
  if (alarm !== undefined) changes.alarm = alarm;
  return changes;
}

function organizerOf(params: StoreParams): ItemChanges['organizer'] {
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

/**
 * alarmStart (duration or date) with alarmEmails / alarmPopup. Lightning clears alarms with
 * `alarmStart=&alarmPopup=&alarmEmails=` (lightning-client.md §6.6): empty start → null.
 */
function alarmOf(params: StoreParams, failsWith: number): AlarmInput | null | undefined {
  if (params.alarmStart === undefined) return undefined;
  const start = decoded(params.alarmStart, 'alarmStart', failsWith).trim();
  if (start === '') return null;
  const emails = params.alarmEmails ? decodedList(params.alarmEmails, 'alarmEmails', failsWith).filter((e) => e.trim()) : [];
  const popup = params.alarmPopup !== undefined && decoded(params.alarmPopup, 'alarmPopup', failsWith).trim() !== '';
  let trigger: AlarmInput['trigger'];
  if (/^[+-]?P/i.test(start)) trigger = { duration: start };
  else {
    const date = parseWcapDate(start);
    if (!date) throw new WcapError(failsWith, 'Invalid value for parameter alarmStart: expected a duration or a date');
    trigger = { date };
  }
  if (emails.length === 0 && !popup) return null;
  return { trigger, emails, popup, ...(params.alarmDescription ? { description: params.alarmDescription } : {}) };
}
