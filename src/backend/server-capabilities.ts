import type { BackendCredentials } from '../model/session.js';
import { readMultistatus } from './dav-answers.js';
import { XML_CONTENT_TYPE, propfindBody } from './dav-bodies.js';
import { statusError } from './dav-errors.js';
import { pathOf, type DavTransport } from './dav-transport.js';
import { DAV_NS, clark } from './multistatus.js';
import type { XmlElement } from './xml-reader.js';
import type { RecurrenceEvidence } from './recurring-masters.js';

/** What the gateway has learnt about one CalDAV server (undefined: not known yet). */
export interface CapabilitySnapshot {
  /** calendar-query time-range matches a series by its later occurrences (RFC 4791 §9.9). */
  timeRangeExpandsRecurrences?: boolean;
  /** RFC 6578 sync-collection is offered (false only once a refusal was explained by supported-report-set). */
  syncCollection?: boolean;
  /** sync-collection answers carry calendar-data for changed members. */
  syncCarriesData?: boolean;
  /** The server delivers invitations itself (RFC 6638 `calendar-auto-schedule` DAV class). */
  autoSchedule?: boolean;
  /** The server keeps files apart from objects (RFC 8607 `calendar-managed-attachments` DAV class). */
  managedAttachments?: boolean;
}

/** How long a calendar without recurring masters is not asked for them again while undecided. */
const MASTERLESS_MS = 60_000;
/** Most calendars remembered as without masters (the oldest is dropped first). */
const MAX_MASTERLESS = 1000;

/** Most DAV classes read from one header: a server's list is short, this bounds a hostile one. */
const MAX_CLASSES = 40;

/**
 * Capabilities of the one server a CalDavBackend talks to, learnt from that server's own answers
 * (never from its name) and kept for the life of the process. Recurrence handling is decided by
 * range queries (calendar-reports.ts) with read-only REPORTs; sync data by sync answers; the two
 * explicit questions (OPTIONS for scheduling, supported-report-set after a refused sync) are asked
 * once. docs/caldav-servers.md#capability-detection lists what each answer decides and costs.
 */
export class ServerCapabilities {
  private readonly known: CapabilitySnapshot = {};
  private davClasses: Promise<string[]> | undefined;
  /** `type calendarUrl` → until when (ms) it is taken to hold no recurring master of the type. */
  private readonly withoutMasters = new Map<string, number>();

  constructor(
    private readonly http: DavTransport,
    private readonly now: () => number = Date.now,
  ) {}

  snapshot(): CapabilitySnapshot {
    return { ...this.known };
  }

  /**
   * How a bounded range query of `type` in `calendarUrl` treats recurring masters:
   * - 'none': the server expands recurrences (shown), or, while that is undecided, this calendar
   *   had no recurring master of the type a moment ago (see noteMasters);
   * - 'after': undecided: ask for them once the time-range query has answered (a failing calendar
   *   costs no second query), and let the answers decide;
   * - 'alongside': the server ignores RRULE (shown): ask for them in parallel, always.
   */
  recurringMasters(calendarUrl: string, type: string): 'none' | 'after' | 'alongside' {
    const expands = this.known.timeRangeExpandsRecurrences;
    if (expands !== undefined) return expands ? 'none' : 'alongside';
    const key = `${type} ${calendarUrl}`;
    const until = this.withoutMasters.get(key);
    if (until !== undefined && until > this.now()) return 'none';
    this.withoutMasters.delete(key);
    return 'after';
  }

  /**
   * While undecided, a calendar whose RRULE query found no master of `type` is not asked again for
   * MASTERLESS_MS: a calendar with no series cannot show anything, and asking on every query doubled
   * the load on Radicale. The gateway's own writes to the calendar end the pause (forgetCalendar);
   * another client's series waits at most MASTERLESS_MS, and only until the server is decided.
   */
  noteMasters(calendarUrl: string, type: string, count: number): void {
    const key = `${type} ${calendarUrl}`;
    this.withoutMasters.delete(key);
    if (count > 0 || this.known.timeRangeExpandsRecurrences !== undefined) return;
    if (this.withoutMasters.size >= MAX_MASTERLESS) {
      const oldest = this.withoutMasters.keys().next();
      if (!oldest.done) this.withoutMasters.delete(oldest.value);
    }
    this.withoutMasters.set(key, this.now() + MASTERLESS_MS);
  }

  /** The gateway wrote to `calendarUrl`: it may hold a series now. */
  forgetCalendar(calendarUrl: string): void {
    if (this.withoutMasters.size === 0) return;
    for (const key of [...this.withoutMasters.keys()]) if (key.endsWith(` ${calendarUrl}`)) this.withoutMasters.delete(key);
  }

  isRecurrenceDecided(): boolean {
    return this.known.timeRangeExpandsRecurrences !== undefined;
  }

  /** The first decisive evidence wins; later answers of a server do not change what it is. */
  learnRecurrence(evidence: RecurrenceEvidence): void {
    if (evidence === undefined || this.known.timeRangeExpandsRecurrences !== undefined) return;
    this.known.timeRangeExpandsRecurrences = evidence === 'expands';
    this.withoutMasters.clear();
  }

  /** Whether to ask sync-collection for calendar-data (no, once the server has shown it never sends it). */
  syncAsksForData(): boolean {
    return this.known.syncCarriesData !== false;
  }

  learnSyncData(carried: boolean): void {
    this.known.syncCarriesData ??= carried;
  }

  learnSyncSupport(supported: boolean): void {
    this.known.syncCollection = supported;
  }

  /**
   * Whether the server offers sync-collection on `calendarUrl`, from its supported-report-set (RFC
   * 3253 §3.1.5, RFC 6578 §3.1); asked only to explain a refused sync. undefined when it does not say.
   */
  async offersSync(credentials: BackendCredentials, calendarUrl: string): Promise<boolean | undefined> {
    if (this.known.syncCollection !== undefined) return this.known.syncCollection;
    const answer = await this.http.request(credentials, 'PROPFIND', calendarUrl, {
      headers: { Depth: '0', 'Content-Type': XML_CONTENT_TYPE },
      body: propfindBody(['D:supported-report-set']),
    });
    if (answer.status !== 207) return undefined;
    const responses = readMultistatus(answer, `PROPFIND ${pathOf(calendarUrl)}`, credentials);
    const sets = responses.flatMap((r) => r.props.get(clark(DAV_NS, 'supported-report-set')) ?? []);
    if (sets.length === 0) return undefined;
    // <supported-report-set><supported-report><report><sync-collection/></report>… (RFC 3253 §3.1.5);
    // some servers leave out the <report> level.
    const offered = sets.some((set) => containsElement(set, DAV_NS, 'sync-collection'));
    this.known.syncCollection = offered;
    return offered;
  }

  /**
   * Whether the server schedules (RFC 6638 §2: it lists `calendar-auto-schedule` in the DAV header of
   * an OPTIONS answer for a calendar or home of the user's). One OPTIONS per process; a failed
   * answer is not remembered. Xandikos 0.2.8 lists `calendar-auto-scheduling`, which is not the RFC's
   * class, and indeed delivers nothing.
   */
  async autoSchedules(credentials: BackendCredentials, url: string): Promise<boolean> {
    if (this.known.autoSchedule !== undefined) return this.known.autoSchedule;
    this.davClasses ??= this.askClasses(credentials, url).catch((err: unknown) => {
      this.davClasses = undefined;
      throw err;
    });
    const classes = await this.davClasses;
    this.known.autoSchedule = classes.includes('calendar-auto-schedule');
    return this.known.autoSchedule;
  }

  /** Whether the server lists RFC 8607 §3.1's `calendar-managed-attachments`; the same one OPTIONS as autoSchedules. */
  async managesAttachments(credentials: BackendCredentials, url: string): Promise<boolean> {
    if (this.known.managedAttachments !== undefined) return this.known.managedAttachments;
    this.davClasses ??= this.askClasses(credentials, url).catch((err: unknown) => {
      this.davClasses = undefined;
      throw err;
    });
    this.known.managedAttachments = (await this.davClasses).includes('calendar-managed-attachments');
    return this.known.managedAttachments;
  }

  private async askClasses(credentials: BackendCredentials, url: string): Promise<string[]> {
    const answer = await this.http.request(credentials, 'OPTIONS', url);
    if (answer.status < 200 || answer.status >= 300) throw statusError(answer, `OPTIONS ${pathOf(url)}`, credentials);
    return (answer.headers.get('dav') ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== '')
      .slice(0, MAX_CLASSES);
  }
}

function containsElement(element: XmlElement, ns: string, name: string): boolean {
  return element.children.some((child) => (child.ns === ns && child.name === name) || containsElement(child, ns, name));
}
