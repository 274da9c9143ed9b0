import type { CalendarSettingsChange, ComponentType, TimeRange } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import { SETTING_PROPS, settingProperties } from './calendar-settings.js';
import { CALDAV_NS, CALSERVER_NS, DAV_NS, GATEWAY_NS } from './multistatus.js';
import { renderXml, type XmlNode } from './xml-writer.js';

/** Request bodies for PROPFIND, REPORT and MKCALENDAR. */

const NAMESPACES = { D: DAV_NS, C: CALDAV_NS, CS: CALSERVER_NS, W: GATEWAY_NS };

const el = (name: string, children?: Array<XmlNode | string>, attrs?: Record<string, string>): XmlNode => ({
  name,
  ...(children ? { children } : {}),
  ...(attrs ? { attrs } : {}),
});

/** Properties read for a calendar collection. */
/** Content type of every XML request body. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

export const CALENDAR_PROPS = [
  'D:resourcetype',
  'D:displayname',
  'C:calendar-description',
  'C:calendar-timezone',
  'C:supported-calendar-component-set',
  // What the reading user may do (RFC 3744 §5.4): get_calprops reports it as ACE strings.
  'D:current-user-privilege-set',
  ...SETTING_PROPS,
];

/** The property that versions a collection's contents: CalendarServer's getctag or RFC 6578's sync-token. */
export type ContentTagProperty = 'CS:getctag' | 'D:sync-token';

/** PROPFIND asking for the given prefixed property names (`D:` = DAV:, `C:` = CalDAV, `CS:` = CalendarServer, `W:` = the gateway's). */
export function propfindBody(props: string[]): string {
  return renderXml(el('D:propfind', [el('D:prop', props.map((p) => el(p)))]), NAMESPACES);
}

/**
 * `YYYYMMDDTHHMMSSZ` in UTC, as RFC 4791 §9.9 requires for time-range. The format has no
 * milliseconds: `round` 'up' (for end bounds) keeps a range from shrinking. Throws 'invalid' for
 * dates that have no such form (invalid, or outside years 0000-9999).
 */
export function utcStamp(date: Date, round: 'down' | 'up' = 'down'): string {
  const ms = round === 'up' ? Math.ceil(date.getTime() / 1000) * 1000 : date.getTime();
  const iso = Number.isNaN(ms) ? '' : new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new GatewayError('invalid', 'time range bound is not a representable date');
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/**
 * calendar-query REPORT returning ETag and data of the objects whose `type` component matches.
 * `type` undefined = any object (only the VCALENDAR comp-filter). A time-range may have either
 * bound open (RFC 4791 §9.9); with both open it is left out. The UID filter is a text-match,
 * which RFC 4791 defines as a substring test (callers compare exactly afterwards).
 */
export function calendarQueryBody(type: ComponentType | undefined, filter: { range?: TimeRange; uid?: string; recurring?: boolean }): string {
  const inner: XmlNode[] = [];
  const { range, uid } = filter;
  // Every master with an RRULE (RFC 4791 §9.7.2 prop-filter, no test: the property is present).
  if (filter.recurring) inner.push(el('C:prop-filter', undefined, { name: 'RRULE' }));
  if (range && (range.start || range.end)) {
    const attrs: Record<string, string> = {};
    if (range.start) attrs.start = utcStamp(range.start);
    if (range.end) attrs.end = utcStamp(range.end, 'up');
    // Must be the first child: Radicale 3.1.8 evaluates the comp-filter's first child as the
    // time-range (radicale/item/filter.py comp_match uses filter_[0]).
    inner.push(el('C:time-range', undefined, attrs));
  }
  if (uid !== undefined) {
    inner.push(
      el('C:prop-filter', [el('C:text-match', [uid], { collation: 'i;octet' })], { name: 'UID' }),
    );
  }
  const typeFilter = type ? [el('C:comp-filter', inner, { name: type })] : [];
  return renderXml(
    el('C:calendar-query', [
      el('D:prop', [el('D:getetag'), el('C:calendar-data')]),
      el('C:filter', [el('C:comp-filter', typeFilter, { name: 'VCALENDAR' })]),
    ]),
    NAMESPACES,
  );
}

/**
 * MKCALENDAR setting the given properties, the gateway's own settings among them (so a new calendar
 * is complete in one request); component types are always VEVENT and VTODO.
 */
export function mkcalendarBody(props: {
  displayName?: string;
  description?: string;
  timezoneCalendar?: string;
  settings?: CalendarSettingsChange;
}): string {
  const set: XmlNode[] = settingProperties(props.settings ?? {}).flatMap(({ prop, text }) => (text === null ? [] : [el(prop, [text])]));
  if (props.displayName !== undefined) set.push(el('D:displayname', [props.displayName]));
  if (props.description !== undefined) set.push(el('C:calendar-description', [props.description]));
  if (props.timezoneCalendar !== undefined) set.push(el('C:calendar-timezone', [props.timezoneCalendar]));
  set.push(
    el('C:supported-calendar-component-set', [
      el('C:comp', undefined, { name: 'VEVENT' }),
      el('C:comp', undefined, { name: 'VTODO' }),
    ]),
  );
  return renderXml(el('C:mkcalendar', [el('D:set', [el('D:prop', set)])]), NAMESPACES);
}

/**
 * calendar-multiget REPORT (RFC 4791 §7.9) for ETag and data of the given object paths. Hrefs are
 * sent as absolute paths, as servers expect them.
 */
export function multigetBody(paths: readonly string[]): string {
  return renderXml(
    el('C:calendar-multiget', [el('D:prop', [el('D:getetag'), el('C:calendar-data')]), ...paths.map((path) => el('D:href', [path]))]),
    NAMESPACES,
  );
}

/**
 * PROPPATCH (RFC 4918 §9.2) setting the properties given as text and removing those given as null.
 * Prefixed names as in propfindBody. The server applies all or none of them (RFC 4918 §9.2).
 */
export function proppatchBody(changes: Array<{ prop: string; text: string | null }>): string {
  const set = changes.filter((c) => c.text !== null).map((c) => el(c.prop, [c.text!]));
  const remove = changes.filter((c) => c.text === null).map((c) => el(c.prop));
  const parts = [...(set.length > 0 ? [el('D:set', [el('D:prop', set)])] : []), ...(remove.length > 0 ? [el('D:remove', [el('D:prop', remove)])] : [])];
  return renderXml(el('D:propertyupdate', parts), NAMESPACES);
}
