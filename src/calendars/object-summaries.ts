import { itemComponents, uidOf } from '../mapping/calendar-object.js';
import type { ExpansionLimits } from '../mapping/expand.js';
import { boundsOverlap, itemsOverlap, objectBounds } from '../mapping/time-span.js';
import type { ComponentType, TimeRange } from '../model/calendar.js';
import type { SnapshotObject } from '../state/snapshot-store.js';
import { parseObject } from './object-codec.js';

/** What a range query needs to know of one stored object version without parsing it again. */
interface Summary {
  /** UIDs per component type held by the object. */
  uids: Map<ComponentType, Set<string>>;
  bounds: { from: number; to: number };
  /** Memo of exact range decisions (a client polls the same few ranges over and over). */
  decisions: Map<string, boolean>;
  /** Set when the object cannot be parsed: it is left out of every answer. */
  unreadable?: true;
}

/** Decisions remembered per object version (Lightning polls a few ranges: the visible month, its neighbours). */
const DECISIONS_PER_OBJECT = 8;

/**
 * Per-process memo of object summaries, keyed by URL and version (an ETag names the content), so
 * that a range query over a cached calendar parses only the objects it may return, and a repeated
 * query none at all. Bounded by entry count, least recently used dropped.
 */
export class ObjectSummaries {
  private readonly entries = new Map<string, Summary>();

  constructor(private readonly maxEntries = 200_000) {}

  /** URLs of `objects` holding an item of `types` that overlaps `range` (RFC 4791 §9.9), in order. */
  select(
    objects: ReadonlyMap<string, SnapshotObject>,
    range: TimeRange,
    types: readonly ComponentType[],
    options: { floatingZone: string | undefined; limits: ExpansionLimits },
  ): string[] {
    const key = `${range.start?.getTime() ?? ''}/${range.end?.getTime() ?? ''}/${types.join(',')}/${options.floatingZone ?? ''}`;
    const selected: string[] = [];
    for (const [url, object] of objects) {
      const summary = this.summaryOf(url, object);
      if (summary.unreadable || !types.some((t) => summary.uids.has(t))) continue;
      if (!boundsOverlap(summary.bounds, range)) continue;
      let decision = summary.decisions.get(key);
      if (decision === undefined) {
        const items = itemComponents(parseObject(object.ical)).filter((c) => types.includes(c.name.toUpperCase() as ComponentType));
        decision = itemsOverlap(items, range, options.floatingZone, options.limits);
        if (summary.decisions.size >= DECISIONS_PER_OBJECT) summary.decisions.delete(summary.decisions.keys().next().value!);
        summary.decisions.set(key, decision);
      }
      if (decision) selected.push(url);
    }
    return selected;
  }

  /** The URL of the object holding `uid` as an item of `type`, if any. */
  find(objects: ReadonlyMap<string, SnapshotObject>, uid: string, type: ComponentType): string | undefined {
    for (const [url, object] of objects) {
      if (this.summaryOf(url, object).uids.get(type)?.has(uid)) return url;
    }
    return undefined;
  }

  /** URLs of objects holding an item of one of `types` (readable ones only). */
  holding(objects: ReadonlyMap<string, SnapshotObject>, types: readonly ComponentType[]): string[] {
    return [...objects]
      .filter(([url, object]) => {
        const summary = this.summaryOf(url, object);
        return !summary.unreadable && types.some((t) => summary.uids.has(t));
      })
      .map(([url]) => url);
  }

  private summaryOf(url: string, object: SnapshotObject): Summary {
    const key = `${url}\n${object.version || object.ical}`;
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const summary = summarise(object.ical);
    this.entries.set(key, summary);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return summary;
  }
}

function summarise(ical: string): Summary {
  try {
    const items = itemComponents(parseObject(ical));
    const uids = new Map<ComponentType, Set<string>>();
    for (const item of items) {
      const uid = uidOf(item);
      if (!uid) continue;
      const type = item.name.toUpperCase() as ComponentType;
      uids.set(type, (uids.get(type) ?? new Set()).add(uid));
    }
    return { uids, bounds: objectBounds(items), decisions: new Map() };
  } catch {
    return { uids: new Map(), bounds: { from: 0, to: 0 }, decisions: new Map(), unreadable: true };
  }
}
