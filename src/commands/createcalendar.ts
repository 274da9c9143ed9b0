import { randomBytes } from 'node:crypto';
import type { CalendarRepository, NewCalendarProperties } from '../calendars/calendar-repository.js';
import { messageOf } from '../model/errors.js';
import { calendarChangesOf, calpropsParams, type CalpropsRequest } from '../wcap/calprops-params.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';
import { WcapError } from '../wcap/wcap-error.js';
import { RIGHTS_ON_SERVER } from './set_calprops.js';

/** A new calendar's name: one URL segment every CalDAV server takes (Radicale hides names starting with a dot). */
const NEW_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/**
 * Creates a calendar of the logged-in user (docs/wcap-protocol.md#createcalendar).
 * - 6.x: `calid` is the new calendar's name (or `user:name`); the answer's calid is `user:name`.
 * - 7.0: only `name`; the gateway derives the calid from it (another suffix when it is taken) and
 *   returns it.
 * `name`, `desc`, `fbinclude`, `allowdoublebook` and `acl` always apply; with `set_calprops=1` every
 * set_calprops parameter does. All are validated first and written with the calendar in one
 * MKCALENDAR (after a Depth 0 PROPFIND that finds an existing one: 25). `acl` then needs WebDAV
 * ACL: OPTIONS and ACL, and where the server does not take one the new calendar is deleted again
 * and the answer is errno 10. `subscribe=1` then adds it to the user's subscription list (a
 * dead property of the home, calendars/subscriptions.ts). Errnos: 30 illegal calid, 38 neither calid nor name, 25 exists, 10 otherwise.
 */
export default defineCommand({
  name: 'createcalendar',
  needsSession: true,
  failsWith: Errno.CREATECALENDAR_FAILED,
  params: { calid: p.string(), set_calprops: p.flag(false), subscribe: p.flag(false), allowdoublebook: p.int({ min: 0, max: 1 }), ...calpropsParams },
  async run({ params, calendars }) {
    const user = calendars.user;
    const given = params.calid?.trim();
    const displayName = params.name?.trim();
    let names: string[];
    if (given) {
      const [owner, name] = given.includes(':') ? [given.slice(0, given.indexOf(':')), given.slice(given.indexOf(':') + 1)] : [user, given];
      if (owner !== user) throw new WcapError(Errno.ILLEGAL_CALID_NAME, 'A new calendar can only be created for the logged-in user (calid user:name or name)');
      if (!NEW_NAME.test(name)) throw new WcapError(Errno.ILLEGAL_CALID_NAME, 'Illegal calid: a new calendar name is 1 to 64 letters, digits, "-", "_" or "." and does not start with "."');
      names = [name];
    } else if (displayName) {
      const base = slugOf(displayName);
      names = [base, `${base.slice(0, 56)}-${randomBytes(3).toString('hex')}`];
    } else {
      throw new WcapError(Errno.CALID_NOT_SPECIFIED, 'Parameter calid (WCAP 6) or name (WCAP 7) is required');
    }
    const request = creationRequest(params);
    const properties = newProperties(request);
    let calid: string | undefined;
    for (const name of names) {
      const { created } = await calendars.createCalendarIfMissing(`${user}:${name}`, properties);
      if (created) {
        calid = `${user}:${name}`;
        break;
      }
    }
    if (!calid) throw new WcapError(Errno.CREATECALENDAR_ALREADY_EXISTS_FAILED, 'A calendar with this calid already exists');
    if (request.acl && (await calendars.setCalendarAccess(calid, request.acl)) === 'unsupported') {
      await calendars.deleteCalendar(calid);
      throw new WcapError(Errno.CREATECALENDAR_FAILED, RIGHTS_ON_SERVER);
    }
    if (params.subscribe) await subscribeCreated(calendars, calid);
    return perCalendar(calendars, [calid], Errno.CREATECALENDAR_FAILED, async () => ({ components: [] }), { full: true });
  },
});

type CreateParams = Parameters<typeof calendarChangesOf>[0] & { set_calprops: boolean; allowdoublebook: number | undefined };

/** The properties a create applies: all set_calprops ones with set_calprops=1, else those documented for createcalendar. */
function creationRequest(params: CreateParams): CalpropsRequest {
  const { name, desc, fbinclude, acl } = params;
  const applied = params.set_calprops ? { ...params } : { name, desc, fbinclude, acl };
  const request = calendarChangesOf(applied, Errno.CREATECALENDAR_FAILED);
  if (params.allowdoublebook !== undefined && params.doublebooking === undefined) {
    request.changes.settings = { ...request.changes.settings, doubleBooking: params.allowdoublebook === 1 };
  }
  return request;
}

/** MKCALENDAR properties of a request (a removal means nothing on a calendar that does not exist yet). */
function newProperties({ changes }: CalpropsRequest): NewCalendarProperties {
  const settings = Object.fromEntries(Object.entries(changes.settings ?? {}).filter(([, value]) => value !== null && value !== undefined));
  return {
    ...(changes.displayName ? { displayName: changes.displayName } : {}),
    ...(changes.description ? { description: changes.description } : {}),
    ...(changes.timezone ? { timezone: changes.timezone } : {}),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
  };
}

/** A calid name from a display name: lower-case letters and digits joined by "-" (else "calendar-<random>"). */
function slugOf(displayName: string): string {
  const slug = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug === '' ? `calendar-${randomBytes(3).toString('hex')}` : slug;
}

/** Adds the new calendar to the subscription list; a failure says that the calendar itself exists. */
async function subscribeCreated(calendars: CalendarRepository, calid: string): Promise<void> {
  try {
    const [outcome] = await calendars.subscribe([calid]);
    if (outcome && outcome.result !== 'changed' && outcome.result !== 'unchanged') throw new Error(outcome.result);
  } catch (err) {
    throw new WcapError(Errno.CREATECALENDAR_FAILED, `Calendar ${calid} was created, but it could not be added to the subscription list (${messageOf(err)})`);
  }
}
