import type ICAL from 'ical.js';
import { Errno } from '../wcap/errno.js';
import { LegacyServerError, errnoOf, propertyOf, type LegacySession } from './legacy-client.js';

/**
 * What the migration reads from the old server about a user's calendars
 * (docs/wcap-protocol.md#get_userprefs, #get_calprops, #missing-commands for export).
 */

export interface LegacyCalendarList {
  /** The user's default calid (`icsCalendar`). */
  defaultCalid: string;
  /** Calendars the user owns, default first: these are migrated. */
  owned: Array<{ calid: string; name: string }>;
  /** Every subscribed calendar, own ones included, in the old server's order (`icsSubscribed`). */
  subscribed: Array<{ calid: string; name: string }>;
}

export interface LegacyCalendarProperties {
  name?: string;
  description?: string;
  timezone?: string;
}

/** From a get_userprefs answer: icsCalendar, icsCalendarOwned and icsSubscribed (`calid$name` entries, comma-separated). */
export function calendarList(answer: readonly ICAL.Component[], user: string): LegacyCalendarList {
  const defaultCalid = propertyOf(answer, 'x-nscp-wcap-pref-icscalendar')?.trim() || user;
  const owned = entries(propertyOf(answer, 'x-nscp-wcap-pref-icscalendarowned'));
  if (!owned.some((c) => c.calid === defaultCalid)) owned.unshift({ calid: defaultCalid, name: '' });
  owned.sort((a, b) => Number(b.calid === defaultCalid) - Number(a.calid === defaultCalid));
  return { defaultCalid, owned, subscribed: entries(propertyOf(answer, 'x-nscp-wcap-pref-icssubscribed')) };
}

function entries(value: string | undefined): Array<{ calid: string; name: string }> {
  const seen = new Set<string>();
  const list: Array<{ calid: string; name: string }> = [];
  for (const entry of (value ?? '').split(',')) {
    const dollar = entry.indexOf('$');
    const calid = (dollar < 0 ? entry : entry.slice(0, dollar)).trim();
    if (calid === '' || seen.has(calid)) continue;
    seen.add(calid);
    list.push({ calid, name: dollar < 0 ? '' : entry.slice(dollar + 1).trim() });
  }
  return list;
}

/** get_calprops of one calendar: its name, description and zone. Throws LegacyServerError (errno 28, 29 …). */
export async function calendarProperties(session: LegacySession, calid: string): Promise<LegacyCalendarProperties> {
  const answer = await session.call('get_calprops', { calid });
  const properties: LegacyCalendarProperties = {};
  const name = propertyOf(answer, 'x-nscp-calprops-name');
  const description = propertyOf(answer, 'x-nscp-calprops-description');
  const timezone = propertyOf(answer, 'x-nscp-calprops-tzid');
  if (name) properties.name = name;
  if (description) properties.description = description;
  if (timezone) properties.timezone = timezone;
  return properties;
}

export interface ExportedCalendar {
  /** The VCALENDARs of the answer (items and the VTIMEZONEs they use). */
  calendars: ICAL.Component[];
  /** Which command delivered them. */
  via: 'export' | 'fetchcomponents_by_range';
}

/**
 * The whole calendar in iCalendar: `export.wcap` where the server has it, else (errno 52, unknown
 * command) `fetchcomponents_by_range` over the open range with `recurring=1`, which answers
 * masters plus their stored exceptions — `recurring=0` would answer expanded instances
 * (docs/wcap-protocol.md#recurring-and-compressed). `emailorcalid=1` keeps attendees as `mailto:`
 * addresses and `tzidout=X-S1CS-TZNATIVE` keeps times in the zones they were created in.
 */
export async function exportCalendar(session: LegacySession, calid: string): Promise<ExportedCalendar> {
  const exported = await session.call('export', { calid, 'content-out': 'text/calendar', dtstart: '0', dtend: '0' }, { acceptErrnos: [Errno.BAD_COMMAND] });
  if (errnoOf(exported) !== Errno.BAD_COMMAND) return { calendars: exported, via: 'export' };
  const fetched = await session.call('fetchcomponents_by_range', {
    calid,
    dtstart: '0',
    dtend: '0',
    'component-type': 'all',
    recurring: '1',
    emailorcalid: '1',
    relativealarm: '1',
    tzidout: 'X-S1CS-TZNATIVE',
  });
  // A per-calendar failure comes in the calendar's own block; the first errno is the request's.
  for (const block of fetched) {
    const errno = errnoOf([block]);
    if (errno !== undefined && errno !== Errno.OK) {
      throw new LegacyServerError(`fetchcomponents_by_range: the old server answered errno ${errno} for ${calid}`, errno);
    }
  }
  return { calendars: fetched, via: 'fetchcomponents_by_range' };
}
