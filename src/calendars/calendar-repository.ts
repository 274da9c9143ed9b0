import type { Logger } from 'pino';
import type { CalendarBackend, UserHome } from '../backend/calendar-backend.js';
import { parseCalid, type CalendarAddress } from '../mapping/calid.js';
import { calidOfCalendar } from '../mapping/calendar-search.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import type { Directory } from '../mapping/directory.js';
import type { CalendarInfo } from '../model/calendar.js';
import { GatewayError, isGatewayError } from '../model/errors.js';
import type { BackendCredentials, Session } from '../model/session.js';
import { Calendar } from './calendar.js';
import type { CalendarContext } from './calendar-context.js';
import { subscribe, subscribedCalids, unsubscribe, type SubscriptionHost, type SubscriptionOutcome } from './subscriptions.js';
import type { TtlCache } from './ttl-cache.js';
import { UserSettings } from './user-settings.js';
import { visibleCalendars, type VisibleLimits } from './visible-calendars.js';

/** A calendar of the user's home as get_userprefs and search_calprops list them. */
export interface ListedCalendar {
  /** `user` for the default calendar, `user:name` for the others. */
  calid: string;
  info: CalendarInfo;
  isDefault: boolean;
}

/** Properties of a calendar created by {@link CalendarRepository.createCalendarIfMissing}. */
export interface NewCalendarProperties {
  displayName?: string;
  description?: string;
  /** IANA TZID; the server's default zone is left alone for any other value. */
  timezone?: string;
}

/** What the repositories of all sessions share (built once by CalendarService). */
export interface RepositoryContext extends Omit<CalendarContext, 'credentials' | 'log' | 'recentProperties'> {
  backend: CalendarBackend;
  directory: Directory;
  defaultCalendar: string;
  /** Calendar properties per user and URL, reused briefly (see `resolve`). */
  properties: TtlCache<CalendarInfo>;
}

/**
 * The calendars of one session's user: the one place above backend/ that knows calendar URLs,
 * credentials and caches. Commands resolve a calid to a {@link Calendar} and work on its items.
 */
export class CalendarRepository {
  readonly user: string;
  private readonly credentials: BackendCredentials;
  private readonly home: UserHome;

  constructor(
    session: Session,
    private readonly ctx: RepositoryContext,
    private readonly log: Logger,
  ) {
    this.user = session.user;
    this.credentials = { user: session.user, password: session.password };
    this.home = { principalUrl: session.principalUrl, calendarHomeUrl: session.calendarHomeUrl };
  }

  /**
   * The calendar a calid names (absent or blank: the user's default calendar). No request: whether
   * it exists and may be read is decided by the server on the Calendar's first request. Throws
   * GatewayError 'no-calendar' when the calid cannot name a calendar.
   */
  async resolve(calid?: string): Promise<Calendar> {
    const { requested, address, url } = this.locate(calid);
    const key = propertiesKey(this.user, url);
    const context: CalendarContext = {
      ...this.ctx,
      credentials: this.credentials,
      log: this.log.child({ calid: requested }),
      forget: (gone) => {
        this.ctx.properties.delete(key);
        this.ctx.forget(gone);
      },
      recentProperties: {
        get: () => this.ctx.properties.get(key),
        set: (info) => rememberProperties(this.ctx.properties, this.user, url, info),
      },
    };
    return new Calendar(requested, url, address.owner, address.owner === this.user, context);
  }

  /**
   * Makes sure the user's calendar `calid` exists, creating it with `properties` when it does not
   * (one PROPFIND, plus one MKCALENDAR when missing). An existing calendar is left exactly as it is,
   * and a calendar created in parallel by another client counts as existing. `created` says which.
   * Throws GatewayError 'no-calendar' for a calid that cannot name a calendar, 'forbidden' for a
   * calendar of another user.
   */
  async createCalendarIfMissing(calid: string, properties: NewCalendarProperties = {}): Promise<{ calendar: Calendar; created: boolean }> {
    const { address, url } = this.locate(calid);
    if (address.owner !== this.user) throw new GatewayError('forbidden', 'Only calendars of the logged-in user can be created');
    const calendar = await this.resolve(calid);
    if (await this.ctx.backend.getCalendar(this.credentials, url)) return { calendar, created: false };
    const { timezone, ...names } = properties;
    const props = { ...names, ...(timezone !== undefined && isKnownTimezone(timezone) ? { timezone } : {}) };
    try {
      await this.ctx.backend.createCalendar(this.credentials, url, props);
    } catch (err) {
      if (!isGatewayError(err, 'exists') || !(await this.ctx.backend.getCalendar(this.credentials, url))) throw err;
      return { calendar, created: false };
    }
    return { calendar, created: true };
  }

  /** The calendar a calid names and its URL; throws GatewayError 'no-calendar' for one it cannot name. */
  private locate(calid: string | undefined): { requested: string; address: CalendarAddress; url: string } {
    const requested = calid === undefined || calid.trim() === '' ? this.user : calid;
    const address = parseCalid(requested, this.ctx.directory, this.ctx.defaultCalendar);
    if (!address) throw new GatewayError('no-calendar', 'The calendar does not exist');
    return { requested, address, url: this.ctx.backend.calendarUrl(this.home, address.owner, address.name) };
  }

  /** The user's subscriptions and preferences, kept on the CalDAV server (user-settings.ts). */
  get settings(): UserSettings {
    return new UserSettings(this.ctx.backend, this.credentials, this.home.calendarHomeUrl);
  }

  /**
   * The subscribed calids (`owner` or `owner:name`): the stored list, else the user's own calendars.
   * One PROPFIND of the home, plus the listing of the home when no list was ever stored.
   */
  subscriptions(): Promise<string[]> {
    return subscribedCalids(this.subscriptionHost());
  }

  /**
   * Adds calendars to the subscription list: each is checked first (one Depth 0 PROPFIND with the
   * user's credentials; missing → 'no-calendar', refused → 'forbidden'), then the list is read and
   * written back in one PROPPATCH of the home when it changed. createcalendar's `subscribe=1` uses
   * this with the new calid.
   */
  subscribe(calids: readonly string[]): Promise<SubscriptionOutcome[]> {
    return subscribe(this.subscriptionHost(), calids);
  }

  /**
   * Removes calendars from the subscription list (one PROPPATCH when it changed). Listed calids are
   * removed without a check, so deletecalendar can call this after the calendar is gone.
   */
  unsubscribe(calids: readonly string[]): Promise<SubscriptionOutcome[]> {
    return unsubscribe(this.subscriptionHost(), calids);
  }

  /** `owner` or `owner:name` for any calid form; undefined when it cannot name a calendar. */
  canonicalCalid(calid: string): string | undefined {
    const address = parseCalid(calid, this.ctx.directory, this.ctx.defaultCalendar);
    if (!address) return undefined;
    return address.name === this.ctx.defaultCalendar ? address.owner : `${address.owner}:${address.name}`;
  }

  /**
   * Every calendar the user may read that the server lets them find, for search_calprops: their own
   * home, the homes of other users the server shows them, and subscribed calendars elsewhere (a
   * calendar shared without its home). Bounded by `limits` (see visible-calendars.ts).
   */
  visibleCalendars(limits: VisibleLimits): Promise<ListedCalendar[]> {
    return visibleCalendars(
      {
        own: () => this.list(),
        otherHomes: (max) => this.ctx.backend.listOtherHomes(this.credentials, this.home, max),
        calendarsIn: (homeUrl) => this.ctx.backend.listCalendars(this.credentials, { principalUrl: homeUrl, calendarHomeUrl: homeUrl }),
        subscriptions: () => this.subscriptions(),
        calendar: async (calid) => {
          const { url } = this.locate(calid);
          return this.ctx.backend.getCalendar(this.credentials, url);
        },
        calidOf: (info) => calidOfCalendar(info, this.ctx.defaultCalendar),
      },
      limits,
    );
  }

  private subscriptionHost(): SubscriptionHost {
    return {
      settings: this.settings,
      ownCalids: async () => (await this.list()).map((c) => c.calid),
      canonical: (calid) => this.canonicalCalid(calid),
      readability: async (calid) => {
        try {
          const { url } = this.locate(calid);
          return (await this.ctx.backend.getCalendar(this.credentials, url)) ? 'readable' : 'no-calendar';
        } catch (err) {
          if (isGatewayError(err, 'forbidden')) return 'forbidden';
          if (isGatewayError(err, 'not-found') || isGatewayError(err, 'no-calendar') || isGatewayError(err, 'invalid')) return 'no-calendar';
          throw err;
        }
      },
    };
  }

  /** The calendars of the user's own home (one PROPFIND of the home), default calendar first. */
  async list(): Promise<ListedCalendar[]> {
    const calendars = await this.ctx.backend.listCalendars(this.credentials, this.home);
    return calendars
      .map((info) => {
        const isDefault = info.name === this.ctx.defaultCalendar;
        return { calid: isDefault ? this.user : `${this.user}:${info.name}`, info, isDefault };
      })
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.calid.localeCompare(b.calid));
  }
}

/** Key of a calendar's properties as `user` read them, in the shared properties cache. */
function propertiesKey(user: string, url: string): string {
  return `${user}\n${url}`;
}

/**
 * Keeps a calendar's properties as `user` just read them and returns what was kept: without the
 * content tag (the cache's business, never served from here), and under `url`, the URL the calid
 * names, which stays the calendar's identity whatever href the server answered with.
 */
export function rememberProperties(cache: TtlCache<CalendarInfo>, user: string, url: string, info: CalendarInfo): CalendarInfo {
  const { contentTag: _tag, ...properties } = info;
  const kept = { ...properties, url };
  cache.set(propertiesKey(user, url), kept);
  return kept;
}
