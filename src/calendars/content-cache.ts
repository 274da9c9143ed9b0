import type { CalendarBackend, SyncChanges } from '../backend/calendar-backend.js';
import { ITEM_TYPES, type CalendarInfo, type StoredObject } from '../model/calendar.js';
import type { Tombstone } from '../model/deletion.js';
import { GatewayError, isGatewayError } from '../model/errors.js';
import type { BackendCredentials } from '../model/session.js';
import { appliedObjects, type CalendarSnapshot, type SnapshotChange, type SnapshotObject, type SnapshotStore } from '../state/snapshot-store.js';
import type { BackgroundBuilds } from './background-builds.js';
import { GroupCommit } from './group-commit.js';

/** Objects the gateway held for a URL the CalDAV server now reports as gone. */
export type GoneObjects = Array<{ url: string; object: SnapshotObject }>;

export interface ContentCacheOptions {
  backend: CalendarBackend;
  /** This process's snapshots (always present). */
  local: SnapshotStore;
  /** Snapshots shared by every replica (Redis), when configured. */
  shared?: SnapshotStore;
  /**
   * Told about objects deleted on the server by someone else, as soon as a refresh finds them;
   * returns what it recorded for them.
   */
  onGone: (calendarUrl: string, gone: GoneObjects) => Promise<Tombstone[]>;
  /** Where snapshots that no request is waiting for are built (see `read`). */
  builds: BackgroundBuilds;
  /** false: the first read of a collection already asks for a snapshot (default: the second does). */
  buildOnFirstRead?: boolean;
}

/** The outcome of a read: the calendar's fresh properties and, when the cache can serve it, its contents. */
export interface CacheRead {
  info: CalendarInfo;
  /** The validated snapshot; null when the request must query the server (cold, or no tag support). */
  snapshot: CalendarSnapshot | null;
  /** Deletions by other clients that the refresh serving this read found (and recorded). */
  found: Tombstone[];
  /** true when the snapshot had to be caught up with the server for this read. */
  refreshed: boolean;
}

interface Refreshed {
  snapshot: CalendarSnapshot;
  found: Tombstone[];
}

/**
 * The validated cache of calendar contents (docs/architecture.md#calendar-cache): one snapshot per
 * collection, in this process and — with Redis — shared by the replicas.
 *
 * Every read validates first: one Depth 0 PROPFIND with the user's own credentials returns the
 * collection's properties and content tag, so the CalDAV server decides access each time, and a
 * snapshot is served only when its tag equals the one just read. A changed tag is caught up with
 * an incremental sync-collection (RFC 6578) from the snapshot's token; a refused token, or a server
 * without sync, gets a full listing. A server that offers no content tag is never cached.
 * Concurrent reads of one collection by one user share a validation that started after each of
 * them asked (GroupCommit), so a burst of polls costs the server at most two validations.
 *
 * A read of a collection no snapshot exists for is left to a plain query (its cost is one REPORT,
 * as without the cache). From the second such read on, a snapshot is built in the background
 * (BackgroundBuilds), so no user waits for a whole calendar to be listed: a calendar read once is
 * not worth listing, one read twice will be read again. Reads that need the whole calendar anyway
 * build it at once.
 */
export class ContentCache {
  private readonly backend: CalendarBackend;
  private readonly local: SnapshotStore;
  private readonly shared: SnapshotStore | undefined;
  private readonly onGone: ContentCacheOptions['onGone'];
  private readonly validations = new GroupCommit<CalendarInfo | null>();
  private readonly refreshes = new GroupCommit<Refreshed>();
  private readonly builds: BackgroundBuilds;
  /** Collections read once without a snapshot (insertion-ordered, bounded). */
  private readonly metOnce = new Map<string, true>();
  /** Collections that cannot be cached (no content tag, or larger than the local store): plain queries. */
  private readonly uncacheable = new Map<string, true>();
  private readonly buildOnFirstRead: boolean;

  constructor(options: ContentCacheOptions) {
    this.backend = options.backend;
    this.local = options.local;
    this.shared = options.shared;
    this.onGone = options.onGone;
    this.builds = options.builds;
    this.buildOnFirstRead = options.buildOnFirstRead ?? false;
  }

  /**
   * Validates `calendarUrl` for `credentials` and returns its properties and, when possible, its
   * validated snapshot (`build`: create one now if there is none). 'cold': there is no snapshot
   * (yet); query the server. Throws GatewayError 'no-calendar' when the calendar is gone, and what
   * the backend throws ('forbidden' …).
   */
  async read(credentials: BackendCredentials, calendarUrl: string, build: boolean): Promise<CacheRead | 'cold'> {
    if (!build) {
      if (this.uncacheable.has(calendarUrl)) return 'cold';
      if (!(await this.hasSnapshot(calendarUrl))) {
        if (!this.firstMeeting(calendarUrl)) this.builds.schedule(calendarUrl, () => this.read(credentials, calendarUrl, true).then(() => undefined));
        return 'cold';
      }
    }
    const info = await this.validations.run(`${credentials.user}\n${calendarUrl}`, () =>
      this.backend.getCalendar(credentials, calendarUrl, { contentTag: true }),
    );
    if (!info) throw new GatewayError('no-calendar', 'The calendar does not exist');
    const tag = info.contentTag;
    remember(this.uncacheable, calendarUrl, tag === undefined);
    if (tag === undefined) return { info, snapshot: null, found: [], refreshed: false };
    const local = await this.local.get(calendarUrl);
    if (local?.tag === tag) return { info, snapshot: local, found: [], refreshed: false };
    const shared = this.shared && (local === null || (await this.shared.tag(calendarUrl)) === tag) ? await this.shared.get(calendarUrl) : null;
    if (shared?.tag === tag) {
      await this.local.apply(calendarUrl, { ...shared, complete: true, set: shared.objects, remove: [] }, null);
      return { info, snapshot: shared, found: [], refreshed: false };
    }
    const base = local ?? shared;
    const refreshed = await this.refreshes.run(`${calendarUrl}\n${tag}`, () => this.refresh(credentials, calendarUrl, tag, base, base === shared));
    return { info, ...refreshed, refreshed: true };
  }

  /**
   * This process's snapshot of a calendar, NOT validated: only for hints that are checked against
   * the server anyway (where an object with a given UID lives).
   */
  peek(calendarUrl: string): Promise<CalendarSnapshot | null> {
    return this.local.get(calendarUrl);
  }

  /**
   * Records the gateway's own write: the objects are set or removed in every snapshot of the
   * calendar, and the snapshot is marked for a refresh (its tag can no longer be trusted).
   */
  async noteWrite(calendarUrl: string, set: StoredObject[], remove: string[]): Promise<void> {
    const objects = new Map(set.map((o) => [o.url, { version: o.version, ical: o.ical }]));
    await this.local.patch(calendarUrl, objects, remove);
    await this.shared?.patch(calendarUrl, objects, remove);
  }

  /** Forgets a calendar (it no longer exists). */
  async forget(calendarUrl: string): Promise<void> {
    this.metOnce.delete(calendarUrl);
    this.uncacheable.delete(calendarUrl);
    await this.local.delete(calendarUrl);
    await this.shared?.delete(calendarUrl);
  }

  private async hasSnapshot(calendarUrl: string): Promise<boolean> {
    if ((await this.local.tag(calendarUrl)) !== null) return true;
    return this.shared ? (await this.shared.tag(calendarUrl)) !== null : false;
  }

  /** True for a collection not met before (and remembers it); false from the next meeting on. */
  private firstMeeting(calendarUrl: string): boolean {
    if (this.buildOnFirstRead || this.metOnce.has(calendarUrl)) return false;
    remember(this.metOnce, calendarUrl, true);
    return true;
  }

  private async refresh(
    credentials: BackendCredentials,
    calendarUrl: string,
    tag: string,
    base: CalendarSnapshot | null,
    baseIsShared: boolean,
  ): Promise<Refreshed> {
    let change: SnapshotChange;
    let gone: GoneObjects;
    const delta = base?.syncToken ? await this.changesSince(credentials, calendarUrl, base.syncToken) : undefined;
    if (delta) {
      const set = new Map(delta.changed.map((o) => [o.url, { version: o.version, ical: o.ical }]));
      change = { tag, syncToken: delta.token, complete: false, set, remove: delta.deleted };
      gone = delta.deleted.flatMap((url) => {
        const object = base?.objects.get(url);
        return object ? [{ url, object }] : [];
      });
    } else {
      const listing = await this.listAll(credentials, calendarUrl);
      const set = new Map(listing.objects.map((o) => [o.url, { version: o.version, ical: o.ical }]));
      change = { tag, ...(listing.token ? { syncToken: listing.token } : {}), complete: true, set, remove: [] };
      gone = [...(base?.objects ?? [])].filter(([url]) => !set.has(url)).map(([url, object]) => ({ url, object }));
    }
    const next: CalendarSnapshot = {
      tag,
      ...(change.syncToken ? { syncToken: change.syncToken } : {}),
      objects: appliedObjects(base?.objects, change),
    };
    const complete: SnapshotChange = { ...change, complete: true, set: next.objects, remove: [] };
    if (this.shared) {
      // Incremental only onto the very state it was computed from; anything else is rewritten whole.
      const onShared = baseIsShared && !change.complete;
      await this.shared.apply(calendarUrl, onShared ? change : complete, onShared ? (base?.tag ?? null) : null);
    }
    await this.local.apply(calendarUrl, complete, null);
    remember(this.uncacheable, calendarUrl, (await this.local.tag(calendarUrl)) !== tag);
    const found = gone.length > 0 ? await this.onGone(calendarUrl, gone) : [];
    return { snapshot: next, found };
  }

  /** The changes since `token`, or undefined when the server refused the token (pruned, unknown). */
  private async changesSince(credentials: BackendCredentials, calendarUrl: string, token: string): Promise<SyncChanges | undefined> {
    try {
      return await this.backend.syncChanges(credentials, calendarUrl, token);
    } catch (err) {
      if (isGatewayError(err, 'changed')) return undefined;
      throw err;
    }
  }

  /**
   * Every object with data: an initial sync-collection (which also yields a token for the next
   * refresh), or a plain calendar-query on servers without sync-collection.
   */
  private async listAll(credentials: BackendCredentials, calendarUrl: string): Promise<{ objects: StoredObject[]; token?: string }> {
    try {
      const initial = await this.backend.syncChanges(credentials, calendarUrl, undefined);
      return { objects: initial.changed, token: initial.token };
    } catch (err) {
      if (!isGatewayError(err, 'backend')) throw err;
      return { objects: await this.backend.queryRange(credentials, calendarUrl, [...ITEM_TYPES], {}) };
    }
  }
}

/** Adds (or, with `keep` false, removes) a URL in a bounded insertion-ordered set. */
function remember(set: Map<string, true>, url: string, keep: boolean): void {
  if (!keep) {
    set.delete(url);
    return;
  }
  set.set(url, true);
  if (set.size > 100_000) set.delete(set.keys().next().value!);
}
