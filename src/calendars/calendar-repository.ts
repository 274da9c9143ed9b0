import type { Logger } from 'pino';
import type { CalendarBackend, UserHome } from '../backend/calendar-backend.js';
import { parseCalid, type CalendarAddress } from '../mapping/calid.js';
import { calidOfCalendar } from '../mapping/calendar-search.js';
import { isKnownTimezone } from '../mapping/timezones.js';
import type { Directory } from '../mapping/directory.js';
import type { AccessEntry, CalendarChanges, CalendarInfo, CalendarSettings } from '../model/calendar.js';
import { GatewayError, isGatewayError, messageOf } from '../model/errors.js';
import type { BackendCredentials, Session } from '../model/session.js';
import { Outbox, type SchedulingSetup } from '../scheduling/outbox.js';
import { fixedScheduling } from '../scheduling/server-scheduling.js';

export type { Outbox } from '../scheduling/outbox.js';
import { Calendar } from './calendar.js';
import type { CalendarContext } from './calendar-context.js';
import { dropFromList, subscribe, subscribedCalids, unsubscribe, type SubscriptionHost, type SubscriptionOutcome } from './subscriptions.js';
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
  /** The gateway's own properties, written in the same MKCALENDAR. */
  settings?: CalendarSettings;
}

/** What the repositories of all sessions share (built once by CalendarService). */
export interface RepositoryContext extends Omit<CalendarContext, 'credentials' | 'log' | 'recentProperties'> {
  backend: CalendarBackend;
  directory: Directory;
  defaultCalendar: string;
  /** Calendar properties per user and URL, reused briefly (see `resolve`). */
  properties: TtlCache<CalendarInfo>;
  /** Scheduling mail (scheduling/outbox.ts); absent: no mail. */
  scheduling?: SchedulingSetup | undefined;
}

/**
 * The calendars of one session's user: the one place above backend/ that knows calendar URLs,
 * credentials and caches. Commands resolve a calid to a {@link Calendar} and work on its items.
 */
export class CalendarRepository {
  readonly user: string;
  private readonly credentials: BackendCredentials;
  private readonly home: UserHome;
  /** The user's default calendar, as settled at login. */
  private readonly defaultUrl: string;
  /** Its collection name: also the name of other users' default calendars (one server, one convention). */
  private readonly defaultName: string;

  constructor(
    session: Session,
    private readonly ctx: RepositoryContext,
    private readonly log: Logger,
  ) {
    this.user = session.user;
    this.credentials = { user: session.user, password: session.password };
    this.home = { principalUrl: session.principalUrl, calendarHomeUrl: session.calendarHomeUrl, user: session.user };
    this.defaultUrl = session.defaultCalendarUrl ?? ctx.backend.calendarUrl(this.home, session.user, ctx.defaultCalendar);
    this.defaultName = lastSegment(this.defaultUrl) ?? ctx.defaultCalendar;
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

  /**
   * The scheduling messages of one write request to `calendar` (scheduling/outbox.ts): the command
   * notes its changes and, after its writes, delivers. `wanted`: the request asked for mail.
   */
  outbox(calendar: Calendar, wanted: boolean): Outbox {
    const setup = this.ctx.scheduling ?? { sender: undefined, senderAddress: '', server: fixedScheduling(false), directory: this.ctx.directory, clock: this.ctx.clock, maxRecipients: 0 };
    return new Outbox(setup, calendar, this.user, this.credentials, this.log, wanted);
  }

  /** The calendar a calid names and its URL; throws GatewayError 'no-calendar' for one it cannot name. */
  private locate(calid: string | undefined): { requested: string; address: CalendarAddress; url: string } {
    const requested = calid === undefined || calid.trim() === '' ? this.user : calid;
    const address = parseCalid(requested, this.ctx.directory, this.defaultName);
    if (!address) throw new GatewayError('no-calendar', 'The calendar does not exist');
    const isDefault = address.owner === this.user && address.name === this.defaultName;
    return { requested, address, url: isDefault ? this.defaultUrl : this.ctx.backend.calendarUrl(this.home, address.owner, address.name) };
  }

  /** Whether a calid names the user's own default calendar (no request). */
  isDefault(calid: string | undefined): boolean {
    const { address } = this.locate(calid);
    return address.owner === this.user && address.name === this.defaultName;
  }

  /**
   * Changes a calendar's properties (one PROPPATCH, applied whole or not at all) and drops this
   * process's memo of them. Other replicas read them afresh: get_calprops always does, other
   * answers within the memo's minute. Throws GatewayError 'no-calendar', 'forbidden', 'invalid'.
   */
  async updateCalendar(calid: string, changes: CalendarChanges): Promise<void> {
    const { url } = this.locate(calid);
    try {
      await this.ctx.backend.updateCalendar(this.credentials, url, changes);
    } finally {
      this.ctx.properties.delete(propertiesKey(this.user, url));
    }
  }

  /**
   * Replaces a calendar's access-control list where the CalDAV server takes one (WebDAV ACL):
   * 'applied'; 'unsupported' when the server keeps rights elsewhere, and nothing changed.
   */
  setCalendarAccess(calid: string, entries: readonly AccessEntry[]): Promise<'applied' | 'unsupported'> {
    const { url } = this.locate(calid);
    return this.ctx.backend.setCalendarAcl(this.credentials, this.home, url, entries);
  }

  /**
   * Deletes one of the user's calendars with everything in it (one DELETE) and drops what the
   * gateway cached about it: its snapshot (here and, with Redis, for every replica) and its memoed
   * properties. Throws GatewayError 'forbidden' for another user's calendar, 'no-calendar' when
   * there is none.
   */
  async deleteCalendar(calid: string): Promise<void> {
    const { address, url } = this.locate(calid);
    if (address.owner !== this.user) throw new GatewayError('forbidden', 'Only calendars of the logged-in user can be deleted');
    try {
      await this.ctx.backend.deleteCalendar(this.credentials, url);
    } finally {
      this.ctx.properties.delete(propertiesKey(this.user, url));
      // Awaited, so that the answer comes after the replicas' shared snapshot is gone; a Redis
      // failure here only leaves a snapshot the next validation finds stale (404).
      await this.ctx.cache.forget(url).catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'calendar cache: forgetting a deleted calendar failed'));
    }
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

  /** Takes a deleted calendar off the user's subscription list (see dropFromList). */
  forgetSubscription(calid: string): Promise<void> {
    return dropFromList(this.subscriptionHost(), calid);
  }

  /** `owner` or `owner:name` for any calid form; undefined when it cannot name a calendar. */
  canonicalCalid(calid: string): string | undefined {
    const address = parseCalid(calid, this.ctx.directory, this.defaultName);
    if (!address) return undefined;
    return address.name === this.defaultName ? address.owner : `${address.owner}:${address.name}`;
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
        calidOf: (info) => calidOfCalendar(info, this.defaultName),
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
        const isDefault = samePath(info.url, this.defaultUrl);
        // Every calendar of the own home is the user's, whatever the URL's layout says.
        return { calid: isDefault ? this.user : `${this.user}:${info.name}`, info: { ...info, owner: this.user }, isDefault };
      })
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.calid.localeCompare(b.calid));
  }
}

/** The decoded last path segment of a URL. */
function lastSegment(url: string): string | undefined {
  const segment = new URL(url).pathname.split('/').filter((s) => s !== '').at(-1);
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function samePath(a: string, b: string): boolean {
  const path = (url: string) => new URL(url).pathname.replace(/\/?$/, '/');
  return path(a) === path(b);
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
