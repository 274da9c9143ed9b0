import { getVtimezone } from '@touch4it/ical-timezones';
import type { CalendarChanges } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { settingProperties } from './calendar-settings.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { proppatch, type PropertyChange } from './proppatch.js';
import { withSlash } from './object-urls.js';

/**
 * One PROPPATCH with every change: displayname, calendar-description and calendar-timezone
 * (RFC 4791 §5.2.2, a VCALENDAR holding the zone's VTIMEZONE) where CalDAV has them, the gateway's
 * dead properties for the rest (calendar-settings.ts); read as proppatch.ts says.
 */
export async function changeCalendar(http: DavTransport, credentials: BackendCredentials, url: string, changes: CalendarChanges): Promise<void> {
  const props: PropertyChange[] = [];
  if (changes.displayName !== undefined) props.push({ prop: 'D:displayname', text: changes.displayName });
  if (changes.description !== undefined) props.push({ prop: 'C:calendar-description', text: changes.description });
  if (changes.timezone !== undefined) {
    const zone = changes.timezone === null ? null : (getVtimezone(changes.timezone) ?? undefined);
    if (zone === undefined) throw new GatewayError('invalid', `unknown time zone ${String(changes.timezone)}`);
    props.push({ prop: 'C:calendar-timezone', text: zone });
  }
  props.push(...settingProperties(changes.settings ?? {}));
  await proppatch(http, credentials, withSlash(url), props, { what: 'calendar property', missing: 'no-calendar' });
}

/**
 * One DELETE of the collection (RFC 4918 §9.6.1: its members go with it), at its own URL only: a
 * redirect is not followed but refused ('forbidden'). Cyrus redirects another user's calendar to the
 * requester's view of it, where a DELETE answers 204 and removes only that view, never the calendar.
 */
export async function removeCalendar(http: DavTransport, credentials: BackendCredentials, url: string): Promise<void> {
  const target = withSlash(url);
  const answer = await http.request(credentials, 'DELETE', target, { follow: false });
  if (answer.status === 200 || answer.status === 204) return;
  if (answer.status >= 300 && answer.status < 400) {
    throw new GatewayError('forbidden', `CalDAV DELETE ${pathOf(target)} was redirected elsewhere; only the calendar itself is deleted, not followed`, {
      status: answer.status,
      exchange: answer.exchange,
    });
  }
  if (answer.status === 404 || answer.status === 410) throw new GatewayError('no-calendar', 'The calendar does not exist', { status: answer.status });
  throw statusError(answer, `DELETE ${pathOf(target)}`, credentials);
}
