import type { CalendarBackend } from '../backend/calendar-backend.js';
import type { Clock } from '../model/clock.js';
import { GatewayError } from '../model/errors.js';

export interface QueryBreakerOptions {
  /** Time-outs in a row that open the breaker of a calendar. */
  failures: number;
  /** How long an open breaker refuses before letting one query try again; doubles while it fails. */
  coolDownMs: number;
  /** The longest cool-down. */
  maxCoolDownMs: number;
  clock: Clock;
}

interface Breaker {
  timeouts: number;
  /** Until when queries are refused; 0 while closed. */
  openUntil: number;
  coolDownMs: number;
  /** A query is trying after a cool-down: the others are still refused until it ends. */
  probing: boolean;
}

/** Breakers kept at most; beyond it the oldest closed ones are forgotten. */
const MAX_BREAKERS = 10_000;

/**
 * A breaker per calendar for the queries that make a CalDAV server work through a whole calendar
 * (time-range and UID REPORTs). A series another client stored with an instance every second
 * makes Radicale expand it for minutes on every time-range query; each such query times out
 * (WCAP_CALDAV_TIMEOUT_MS) while tying up the server for everyone. After `failures` time-outs in a
 * row on one calendar, its queries are refused at once for a cool-down (errno 11001 for that
 * calendar alone: other calendars in the same request still answer), then one query tries again.
 * Only time-outs count: a refused connection is quick and harms nobody.
 */
export class QueryBreaker {
  private readonly breakers = new Map<string, Breaker>();

  constructor(private readonly options: QueryBreakerOptions) {}

  async run<T>(calendarUrl: string, query: () => Promise<T>): Promise<T> {
    const breaker = this.breakers.get(calendarUrl);
    const now = this.options.clock.now();
    if (breaker && breaker.openUntil > 0) {
      if (now < breaker.openUntil || breaker.probing) {
        const seconds = Math.max(1, Math.ceil((breaker.openUntil - now) / 1000));
        throw new GatewayError('unavailable', `The CalDAV server kept timing out on this calendar; it is not asked again for ${seconds} s`, { source: 'query-breaker' });
      }
      breaker.probing = true;
    }
    try {
      const result = await query();
      this.breakers.delete(calendarUrl);
      return result;
    } catch (err) {
      if (timedOut(err)) this.recordTimeout(calendarUrl);
      else if (breaker) breaker.probing = false;
      throw err;
    }
  }

  private recordTimeout(calendarUrl: string): void {
    const breaker = this.breakers.get(calendarUrl) ?? { timeouts: 0, openUntil: 0, coolDownMs: 0, probing: false };
    breaker.timeouts++;
    const wasProbing = breaker.probing;
    breaker.probing = false;
    if (breaker.timeouts >= this.options.failures || wasProbing) {
      breaker.coolDownMs = breaker.coolDownMs === 0 ? this.options.coolDownMs : Math.min(breaker.coolDownMs * 2, this.options.maxCoolDownMs);
      breaker.openUntil = this.options.clock.now() + breaker.coolDownMs;
    }
    this.breakers.delete(calendarUrl);
    this.breakers.set(calendarUrl, breaker);
    if (this.breakers.size > MAX_BREAKERS) this.breakers.delete(this.breakers.keys().next().value!);
  }
}

function timedOut(err: unknown): boolean {
  return err instanceof GatewayError && err.kind === 'unavailable' && err.cause instanceof Error && err.cause.name === 'TimeoutError';
}

/** `backend` with its whole-calendar queries behind `breaker`; everything else passes through. */
export function withQueryBreaker(backend: CalendarBackend, breaker: QueryBreaker): CalendarBackend {
  return {
    discoverHome: (...args) => backend.discoverHome(...args),
    calendarUrl: (...args) => backend.calendarUrl(...args),
    getCalendar: (...args) => backend.getCalendar(...args),
    listCalendars: (...args) => backend.listCalendars(...args),
    createCalendar: (...args) => backend.createCalendar(...args),
    updateCalendar: (...args) => backend.updateCalendar(...args),
    deleteCalendar: (...args) => backend.deleteCalendar(...args),
    setCalendarAcl: (...args) => backend.setCalendarAcl(...args),
    queryRange: (credentials, calendarUrl, types, range) => breaker.run(calendarUrl, () => backend.queryRange(credentials, calendarUrl, types, range)),
    findByUid: (credentials, calendarUrl, uid, types) => breaker.run(calendarUrl, () => backend.findByUid(credentials, calendarUrl, uid, types)),
    objectUrlFor: (...args) => backend.objectUrlFor(...args),
    getObject: (...args) => backend.getObject(...args),
    createObject: (...args) => backend.createObject(...args),
    updateObject: (...args) => backend.updateObject(...args),
    deleteObject: (...args) => backend.deleteObject(...args),
    fetchObjects: (...args) => backend.fetchObjects(...args),
    syncChanges: (...args) => backend.syncChanges(...args),
    listOtherHomes: (...args) => backend.listOtherHomes(...args),
    readGatewayProperties: (...args) => backend.readGatewayProperties(...args),
    writeGatewayProperties: (...args) => backend.writeGatewayProperties(...args),
    schedulesInvitations: (...args) => backend.schedulesInvitations(...args),
    managesAttachments: (...args) => backend.managesAttachments(...args),
    addManagedAttachment: (...args) => backend.addManagedAttachment(...args),
    readManagedAttachment: (...args) => backend.readManagedAttachment(...args),
  };
}
