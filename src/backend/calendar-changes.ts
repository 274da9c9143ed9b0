import { getVtimezone } from '@touch4it/ical-timezones';
import type { CalendarChanges } from '../model/calendar.js';
import { GatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { settingProperties } from './calendar-settings.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE, proppatchBody } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { withSlash } from './object-urls.js';

/**
 * One PROPPATCH with every change: displayname, calendar-description and calendar-timezone
 * (RFC 4791 §5.2.2, a VCALENDAR holding the zone's VTIMEZONE) where CalDAV has them, the gateway's
 * dead properties for the rest (calendar-settings.ts). RFC 4918 §9.2 makes the server apply all of
 * them or none; a property refused in the 207 answer therefore means nothing was changed.
 */
export async function changeCalendar(http: DavTransport, credentials: BackendCredentials, url: string, changes: CalendarChanges): Promise<void> {
  const target = withSlash(url);
  const props: Array<{ prop: string; text: string | null }> = [];
  if (changes.displayName !== undefined) props.push({ prop: 'D:displayname', text: changes.displayName });
  if (changes.description !== undefined) props.push({ prop: 'C:calendar-description', text: changes.description });
  if (changes.timezone !== undefined) {
    const zone = changes.timezone === null ? null : (getVtimezone(changes.timezone) ?? undefined);
    if (zone === undefined) throw new GatewayError('invalid', `unknown time zone ${String(changes.timezone)}`);
    props.push({ prop: 'C:calendar-timezone', text: zone });
  }
  props.push(...settingProperties(changes.settings ?? {}));
  if (props.length === 0) return;
  const action = `PROPPATCH ${pathOf(target)}`;
  const answer = await http.request(credentials, 'PROPPATCH', target, {
    headers: { 'Content-Type': XML_CONTENT_TYPE },
    body: proppatchBody(props),
  });
  if (answer.status === 404 || answer.status === 410) throw new GatewayError('no-calendar', 'The calendar does not exist', { status: answer.status });
  if (answer.status !== 207) throw statusError(answer, action, credentials, { 409: 'invalid', 400: 'invalid' });
  for (const response of readMultistatus(answer, action, credentials)) {
    // 424 (failed dependency) marks the properties not applied because another one was refused.
    const refused = [...response.failedProps.entries()].find(([, status]) => status !== 424);
    if (refused) {
      const [prop, status] = refused;
      if (status === 401 || status === 403) throw statusError({ status, body: '' }, action, credentials);
      // Xandikos 0.2.8 refuses dead properties it does not know (docs/caldav-servers.md#xandikos-028)
      // and, against RFC 4918 §9.2, still applies the others of the same PROPPATCH: say so.
      const name = prop.slice(prop.indexOf('}') + 1);
      const applied = response.props.size > 0 ? `; the server applied the others anyway (${[...response.props.keys()].map((p) => p.slice(p.indexOf('}') + 1)).join(', ')})` : '; nothing was changed';
      throw new GatewayError('invalid', `The CalDAV server does not store the calendar property ${name} (HTTP ${status})${applied}`, { status });
    }
    if (response.status !== undefined && (response.status < 200 || response.status >= 300)) {
      throw statusError({ status: response.status, body: '' }, action, credentials, { 409: 'invalid', 404: 'no-calendar' });
    }
  }
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
