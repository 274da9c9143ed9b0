import type { CalendarInfo } from '../model/calendar.js';
import { rightsOf, settingsOf } from './calendar-settings.js';
import { timezoneIdOf } from './ical-peek.js';
import { CALDAV_NS, CALSERVER_NS, DAV_NS, clark, propText, type DavResponse } from './multistatus.js';
import { childOf, childrenOf } from './xml-reader.js';
import { ownerAndName, resolveHref, withSlash } from './object-urls.js';

/** True when the response describes a calendar collection (resourcetype holds C:calendar). */
export function isCalendarCollection(response: DavResponse): boolean {
  return childOf(response.props.get(clark(DAV_NS, 'resourcetype')), CALDAV_NS, 'calendar') !== undefined;
}

/**
 * CalendarInfo from a PROPFIND response asked with CALENDAR_PROPS. `base` is the URL the PROPFIND
 * was sent to (hrefs are resolved against it). `identity`, for a Depth 0 PROPFIND of one
 * collection, is the URL asked for: it stays the calendar's URL, owner and name even when a
 * redirect led elsewhere (Cyrus answers for another user's calendar from the requester's view).
 */
export function toCalendarInfo(response: DavResponse, base: string, identity?: string): CalendarInfo {
  const url = withSlash(identity ?? resolveHref(response.href || base, base));
  const info: CalendarInfo = { url, ...ownerAndName(url), componentTypes: componentTypesOf(response) };
  const displayName = propText(response, DAV_NS, 'displayname');
  if (displayName !== undefined) info.displayName = displayName;
  const description = propText(response, CALDAV_NS, 'calendar-description');
  if (description !== undefined) info.description = description;
  const timezoneCalendar = propText(response, CALDAV_NS, 'calendar-timezone');
  const timezone = timezoneCalendar === undefined ? undefined : timezoneIdOf(timezoneCalendar);
  if (timezone !== undefined) info.timezone = timezone;
  const settings = settingsOf(response);
  if (settings) info.settings = settings;
  const rights = rightsOf(response);
  if (rights) info.rights = rights;
  const contentTag = contentTagOf(response);
  if (contentTag !== undefined) info.contentTag = contentTag;
  return info;
}

/**
 * The collection's content version: getctag, else the sync-token, prefixed by its kind so that a
 * server switching between them can never make two different states compare equal.
 */
export function contentTagOf(response: DavResponse): string | undefined {
  const ctag = propText(response, CALSERVER_NS, 'getctag');
  if (ctag !== undefined) return `ctag:${ctag.trim()}`;
  const token = propText(response, DAV_NS, 'sync-token');
  return token === undefined ? undefined : `sync:${token.trim()}`;
}

function componentTypesOf(response: DavResponse): string[] {
  const set = response.props.get(clark(CALDAV_NS, 'supported-calendar-component-set'));
  return childrenOf(set, CALDAV_NS, 'comp')
    .map((comp) => comp.attrs.name?.toUpperCase())
    .filter((name): name is string => name !== undefined && name !== '');
}
