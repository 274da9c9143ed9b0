import type ICAL from 'ical.js';
import type { CalendarInfo, ComponentType, StoredObject, TimeRange } from '../model/calendar.js';
import type { DeletedItem, Tombstone } from '../model/deletion.js';
import { GatewayError, isGatewayError, messageOf } from '../model/errors.js';
import type { CalendarSnapshot } from '../state/snapshot-store.js';
import type { ManagedBytes, ManagedFile } from '../backend/managed-attachments.js';
import type { CalendarContext } from './calendar-context.js';
import type { CacheRead } from './content-cache.js';
import { componentsOf, itemsOf, type Item } from './item.js';
import { lookUpItem } from './item-lookup.js';
import type { ConflictRetry } from './merge-retry.js';
import { parseObject, serializeObject } from './object-codec.js';
import { completePendingSplits, splitStoreOf, writeSplit, type PlannedSplit } from './series-split.js';
import { mayHoldSplitIntent } from './split-intent.js';
import { zonesUsedIn } from '../mapping/export-zones.js';

/**
 * One calendar of the session's user: its properties and the items in it. Every method talks to
 * the CalDAV server with the user's own credentials (so the server decides access on each
 * request) and throws GatewayError ('no-calendar' when the calendar has gone, 'forbidden', …).
 */
export class Calendar {
  /** Properties read during this request (by a validated read or `properties`). */
  private loaded: CalendarInfo | undefined;

  constructor(
    /** The calid exactly as the client sent it. */
    readonly calid: string,
    /** The collection's URL (opaque above calendars/). */
    private readonly url: string,
    /** The user the calid names as owner. */
    readonly owner: string,
    /** true when the session's user owns the calendar (may write it). */
    readonly owned: boolean,
    private readonly ctx: CalendarContext,
  ) {}

  /**
   * The calendar's properties (name, description, zone). Read with this request's validation when
   * there was one; otherwise from a one-minute per-process memo — every other method is a request
   * of its own in which the server decides access again — or, `fresh`, always with one PROPFIND.
   * Throws GatewayError 'no-calendar' when the calendar does not exist, 'forbidden' when the user
   * may not see it.
   */
  async properties(options: { fresh?: boolean } = {}): Promise<CalendarInfo> {
    if (this.loaded && !options.fresh) return this.loaded;
    const recent = options.fresh ? undefined : this.ctx.recentProperties.get();
    if (recent) return (this.loaded = recent);
    const info = await this.ctx.backend.getCalendar(this.ctx.credentials, this.url);
    if (!info) {
      this.ctx.forget(this.url);
      throw new GatewayError('no-calendar', 'The calendar does not exist');
    }
    return this.remember(info);
  }

  /**
   * The items with a component of `types` overlapping `range` (RFC 4791 §9.9, recurrence-aware; an
   * open range: every item), one per UID and type, each holding only components of that type.
   * Served from the validated snapshot when there is one; otherwise one REPORT per type.
   */
  async query(range: TimeRange, types: readonly ComponentType[]): Promise<Item[]> {
    const items = await this.queryAsStored(range, types);
    return (await this.completedSplits(items)) ? this.queryAsStored(range, types) : items;
  }

  private async queryAsStored(range: TimeRange, types: readonly ComponentType[]): Promise<Item[]> {
    const { objects, fromSnapshot } = await this.objectsIn(range, types);
    // A snapshot object that cannot be parsed is left out; a fresh answer's is the server's fault.
    return objects.flatMap((object) => (fromSnapshot ? [...this.tolerantItems([object], types)] : itemsOf(parseObject(object.ical), object, types)));
  }

  /** The stored objects `query` reads its items from: the validated snapshot's, else one REPORT per type. */
  private async objectsIn(range: TimeRange, types: readonly ComponentType[]): Promise<{ objects: StoredObject[]; fromSnapshot: boolean }> {
    const snapshot = await this.validated(false);
    if (!snapshot) {
      // The properties (for the answer's calendar block) in parallel with the query, not after it.
      const [objects] = await Promise.all([
        this.guard(() => this.ctx.backend.queryRange(this.ctx.credentials, this.url, [...types], range)),
        this.properties(),
      ]);
      return { objects: byUrl(objects), fromSnapshot: false };
    }
    const { timezone } = await this.properties();
    const urls = await this.ctx.summaries.select(snapshot.objects, range, types, { floatingZone: timezone, limits: this.ctx.limits });
    return { objects: urls.map((url): StoredObject => ({ url, ...snapshot.objects.get(url)! })), fromSnapshot: true };
  }

  /**
   * The items of {@link query}, each object parsed only when the caller gets to it (export): the
   * stored text of the range is held, never every parsed object at once. Objects that cannot be
   * parsed are left out with a warning. `zones`: the VTIMEZONEs the items use (export-zones.ts).
   */
  async queryLazily(range: TimeRange, types: readonly ComponentType[]): Promise<{ items: Iterable<Item>; zones: ICAL.Component[] }> {
    const { objects } = await this.objectsIn(range, types);
    const zones = zonesUsedIn(objects.map((object) => object.ical));
    if (this.owned && objects.some((object) => mayHoldSplitIntent(object.ical))) return { items: await this.query(range, types), zones };
    return { items: this.tolerantItems(objects, types), zones };
  }

  private *tolerantItems(objects: readonly StoredObject[], types: readonly ComponentType[]): Generator<Item> {
    for (const object of objects) {
      try {
        yield* itemsOf(parseObject(object.ical), object, types);
      } catch {
        this.ctx.log.warn({ calid: this.calid }, 'skipping a stored object that cannot be parsed');
      }
    }
  }

  /**
   * Every item of `types`, for change logs. Objects that cannot be parsed are left out with a
   * warning: one unreadable object must not block every later sync of the calendar.
   */
  async all(types: readonly ComponentType[]): Promise<Item[]> {
    const items = await this.allAsStored(types);
    return (await this.completedSplits(items)) ? this.allAsStored(types) : items;
  }

  private async allAsStored(types: readonly ComponentType[]): Promise<Item[]> {
    const snapshot = await this.validated(true);
    const objects = snapshot
      ? (await this.ctx.summaries.holding(snapshot.objects, types)).map((url): StoredObject => ({ url, ...snapshot.objects.get(url)! }))
      : byUrl(await this.guard(() => this.ctx.backend.queryRange(this.ctx.credentials, this.url, [...types], {})));
    return [...this.tolerantItems(objects, types)];
  }

  /**
   * The item `uid` of `type`, read fresh from the server (one GET when the gateway knows or can
   * guess its URL), or null. See item-lookup.ts for the order in which it looks.
   */
  async find(uid: string, type: ComponentType): Promise<Item | null> {
    const item = await this.lookup(uid, type);
    return item && (await this.completedSplits([item])) ? this.lookup(uid, type) : item;
  }

  /** How often a store redoes a write that lost an If-Match race (merge-retry.ts). */
  get conflictRetry(): ConflictRetry {
    return this.ctx.retry;
  }

  /** Writes a mod=2 / mod=3 split so that the next access completes an interrupted one (series-split.ts). */
  split(planned: PlannedSplit): Promise<void> {
    return writeSplit(splitStoreOf(this, (uid, type) => this.lookup(uid, type), this.ctx), planned);
  }

  private lookup(uid: string, type: ComponentType): Promise<Item | null> {
    return lookUpItem(this.ctx, this.url, uid, type, (call) => this.guard(call));
  }

  /** Completes interrupted splits among `items` (true: the caller reads again); only the owner writes. */
  private async completedSplits(items: Item[]): Promise<boolean> {
    return this.owned && completePendingSplits(splitStoreOf(this, (uid, type) => this.lookup(uid, type), this.ctx), items);
  }

  /** Several items at once (duplicates asked once), by UID. */
  async findMany(uids: readonly string[], type: ComponentType): Promise<Map<string, Item | null>> {
    const distinct = [...new Set(uids)];
    const found = await Promise.all(distinct.map((uid) => this.find(uid, type)));
    return new Map(distinct.map((uid, i) => [uid, found[i] ?? null]));
  }

  /**
   * Stores a new object holding the item `uid` (If-None-Match: the server refuses it when the
   * resource or the UID exists: GatewayError 'exists'). Returns the stored item.
   */
  async create(uid: string, type: ComponentType, vcalendar: ICAL.Component): Promise<Item> {
    const ical = serializeObject(vcalendar);
    const stored = await this.guard(() => this.ctx.backend.createObject(this.ctx.credentials, this.url, uid, ical));
    await this.ctx.guids.set(this.url, uid, stored.url).catch(() => undefined);
    await this.noteWrite([stored], []);
    return { uid, type, vcalendar, components: componentsOf(vcalendar, uid, type), stored };
  }

  /**
   * Writes an item back after its `vcalendar` was changed (If-Match: the version it was read at, so
   * a concurrent change makes this throw GatewayError 'changed' instead of overwriting it).
   * `deletedInstances` are recorded in the delete log once the write has happened.
   */
  async save(item: Item, deletedInstances: DeletedItem[] = []): Promise<Item> {
    const ical = serializeObject(item.vcalendar);
    const stored = await this.guard(() => this.ctx.backend.updateObject(this.ctx.credentials, item.stored, ical));
    await this.noteWrite([stored], []);
    await this.ctx.deletions.recordOwn(this.url, deletedInstances, this.ctx.log);
    return { ...item, components: componentsOf(item.vcalendar, item.uid, item.type), stored };
  }

  /** Whether the server keeps files of this calendar's items as RFC 8607 managed attachments. */
  managesAttachments(): Promise<boolean> {
    return this.guard(() => this.ctx.backend.managesAttachments(this.ctx.credentials, this.url));
  }

  /** Hands `file` to the server as a managed attachment of the item; returns its MANAGED-ID and the item now. */
  async attachManaged(item: Item, file: ManagedFile): Promise<{ managedId: string; item: Item }> {
    const added = await this.guard(() => this.ctx.backend.addManagedAttachment(this.ctx.credentials, item.stored, file));
    await this.noteWrite([added.object], []);
    const vcalendar = parseObject(added.object.ical);
    return { managedId: added.managedId, item: { ...item, vcalendar, components: componentsOf(vcalendar, item.uid, item.type), stored: added.object } };
  }

  /** The bytes of a managed attachment of the item (same origin only, up to `maxBytes`), or null. */
  readManaged(item: Item, url: string, maxBytes: number): Promise<ManagedBytes | null> {
    return this.guard(() => this.ctx.backend.readManagedAttachment(this.ctx.credentials, item.stored, url, maxBytes));
  }

  /**
   * Deletes the whole object holding the item (If-Match) and records `deletion` in the delete log
   * (none: undoing the gateway's own half-done write, which no client has seen). An object already
   * gone counts as deleted.
   */
  async remove(item: Item, deletion?: DeletedItem): Promise<void> {
    await this.guard(() => this.ctx.backend.deleteObject(this.ctx.credentials, item.stored)).catch((err: unknown) => {
      if (!isGatewayError(err, 'not-found')) throw err;
    });
    await this.ctx.guids.delete(this.url, item.uid).catch(() => undefined);
    await this.noteWrite([], [item.stored.url]);
    if (deletion) await this.ctx.deletions.recordOwn(this.url, [deletion], this.ctx.log);
  }

  /**
   * The delete log of `window` (see DeletionLog.list). First brings the snapshot up to date, which
   * is how deletions made by other CalDAV clients are found.
   */
  async deletions(window: TimeRange): Promise<Tombstone[]> {
    const read = await this.read(true);
    return this.ctx.deletions.list(this.url, window, read === 'cold' ? [] : read.found);
  }

  /** Validates and returns the snapshot to serve, or null to query the server directly. */
  private async validated(build: boolean): Promise<CalendarSnapshot | null> {
    const read = await this.read(build);
    return read === 'cold' ? null : read.snapshot;
  }

  private async read(build: boolean): Promise<CacheRead | 'cold'> {
    const read = await this.guard(() => this.ctx.cache.read(this.ctx.credentials, this.url, build));
    if (read !== 'cold') this.remember(read.info);
    this.ctx.cacheObserver?.read(read === 'cold' || !read.snapshot ? 'miss' : read.refreshed ? 'refreshed' : 'hit');
    return read;
  }

  /**
   * Keeps the properties read, owned by the user the calid names: the backend can only guess the
   * owner from the URL's layout, which a server with one home for everyone (Xandikos 0.2.8:
   * `/user/calendars/`) does not carry (docs/caldav-servers.md#discovery).
   */
  private remember(info: CalendarInfo): CalendarInfo {
    this.loaded = this.ctx.recentProperties.set(info.owner === this.owner ? info : { ...info, owner: this.owner });
    return this.loaded;
  }

  private async noteWrite(set: StoredObject[], remove: string[]): Promise<void> {
    await this.ctx.cache.noteWrite(this.url, set, remove).catch((err: unknown) => {
      // The write itself succeeded; a snapshot that missed it is caught up by the next validation.
      this.ctx.log.warn({ err: messageOf(err) }, 'calendar cache not updated after a write');
    });
  }

  /** A calendar that vanished under a request is reported as such (errno 29), and forgotten. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isGatewayError(err, 'no-calendar')) this.ctx.forget(this.url);
      if (isGatewayError(err, 'not-found')) {
        if (await this.gone()) {
          this.ctx.forget(this.url);
          throw new GatewayError('no-calendar', 'The calendar does not exist');
        }
      }
      throw err;
    }
  }

  /** Whether the calendar itself no longer exists (rather than one object in it). */
  private async gone(): Promise<boolean> {
    try {
      return (await this.ctx.backend.getCalendar(this.ctx.credentials, this.url)) === null;
    } catch {
      return false;
    }
  }
}

/** Objects in URL order: the order snapshots keep, so an answer never depends on where it came from. */
function byUrl(objects: StoredObject[]): StoredObject[] {
  return [...objects].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
