import type { UserHome } from '../../backend/calendar-backend.js';
import { parseCalid, type CalendarAddress } from '../../mapping/calid.js';
import type { CalendarInfo } from '../../model/calendar.js';
import { isGatewayError } from '../../model/errors.js';
import type { BackendCredentials, Session } from '../../model/session.js';
import type { CommandContext, GatewayDeps } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { WcapError } from '../../wcap/wcap-error.js';

export const ACCESS_DENIED_TO_CALENDAR = 28;
export const CALENDAR_DOES_NOT_EXIST = 29;

export function credentialsOf(session: Session): BackendCredentials {
  return { user: session.user, password: session.password };
}

export function homeOf(session: Session): UserHome {
  return { principalUrl: session.principalUrl, calendarHomeUrl: session.calendarHomeUrl };
}

export interface ResolvedCalendar {
  address: CalendarAddress;
  info: CalendarInfo;
  /** true when the session's user owns the calendar (may write it). */
  owned: boolean;
}

/**
 * Resolves a calid (missing → the user's default calendar) to a calendar the user may see.
 * Throws WcapError 29 when it does not exist and 28 when the back end refuses access.
 */
export async function resolveCalendar(ctx: CommandContext<unknown>, calid: string | undefined): Promise<ResolvedCalendar> {
  const session = sessionOf(ctx);
  const { config, directory, backend } = ctx.deps;
  const requested = calid === undefined || calid.trim() === '' ? session.user : calid;
  const address = parseCalid(requested, directory, config.defaultCalendar);
  if (!address) throw new WcapError(CALENDAR_DOES_NOT_EXIST, 'Calendar does not exist');
  const url = backend.calendarUrl(homeOf(session), address.owner, address.name);
  const cacheKey = calendarCacheKey(session.user, url);
  let info: CalendarInfo | null | undefined = ctx.deps.calendarCache.get(cacheKey);
  if (info) return { address, info, owned: address.owner === session.user };
  try {
    info = await backend.getCalendar(credentialsOf(session), url);
  } catch (err) {
    if (isGatewayError(err, 'forbidden')) throw new WcapError(ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
    throw err;
  }
  if (!info) {
    if (address.owner === session.user && address.name === config.defaultCalendar) {
      info = await ensureDefaultCalendar(ctx.deps, credentialsOf(session), homeOf(session));
    } else {
      throw new WcapError(CALENDAR_DOES_NOT_EXIST, 'Calendar does not exist');
    }
  }
  ctx.deps.calendarCache.set(cacheKey, info);
  return { address, info, owned: address.owner === session.user };
}

export function calendarCacheKey(user: string, url: string): string {
  return `${user}\n${url}`;
}

/**
 * The user's default calendar, created when missing (architecture.md §4). One PROPFIND when it
 * exists, plus one MKCALENDAR the first time.
 */
export async function ensureDefaultCalendar(
  deps: GatewayDeps,
  credentials: BackendCredentials,
  home: UserHome,
): Promise<CalendarInfo> {
  const url = deps.backend.calendarUrl(home, credentials.user, deps.config.defaultCalendar);
  const existing = await deps.backend.getCalendar(credentials, url);
  if (existing) return existing;
  try {
    return await deps.backend.createCalendar(credentials, url, { displayName: credentials.user });
  } catch (err) {
    // Two parallel first logins race to create it; the loser reads the winner's calendar.
    if (isGatewayError(err, 'exists')) {
      const created = await deps.backend.getCalendar(credentials, url);
      if (created) return created;
    }
    throw err;
  }
}

/** Splits a `calid` parameter value (already split into a list) into distinct calids, in order. */
export function calidsOf(list: string[] | undefined, session: Session): string[] {
  const calids = (list ?? []).map((c) => c.trim()).filter((c) => c !== '');
  return calids.length > 0 ? [...new Set(calids)] : [session.user];
}
