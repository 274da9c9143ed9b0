import { itemComponents } from '../mapping/calendar-object.js';
import type { ExpansionLimits } from '../mapping/expand.js';
import { scanObject } from '../mapping/object-scan.js';
import { boundsOverlap, itemsOverlap } from '../mapping/time-span.js';
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
}

/** Objects handled between two turns of the event loop (a slice costs a few milliseconds at most). */
const SLICE = 200;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Decisions remembered per object version (Lightning polls a few ranges: the visible month, its neighbours). */
const DECISIONS_PER_OBJECT = 8;

/**
 * Per-process memo of object summaries, keyed by URL and version (an ETag names the content), so
 * that a range query over a cached calendar parses only the objects it may return, and a repeated
 * query none at all. Summaries come from a scan of the text (mapping/object-scan.ts), not a parse:
 * building them for a whole calendar costs little. Bounded by entry count: summaries not used
 * for a while are dropped.
 */
export class ObjectSummaries {
  /** Two generations instead of a strict LRU: a hit costs one lookup, not a re-insertion. */
  private current = new Map<string, Summary>();
  private previous = new Map<string, Summary>();
  /** Per snapshot contents (immutable Maps), `type\nuid` → object URL. */
  private readonly uidIndexes = new WeakMap<ReadonlyMap<string, SnapshotObject>, Map<string, string>>();

  constructor(private readonly maxEntries = 200_000) {}

  /**
   * URLs of `objects` holding an item of `types` that overlaps `range` (RFC 4791 §9.9), in order.
   * Yields to the event loop between slices: summarising a large calendar for the first time must
   * not hold up every other request (nor make their Redis replies time out meanwhile).
   */
  async select(
    objects: ReadonlyMap<string, SnapshotObject>,
    range: TimeRange,
    types: readonly ComponentType[],
    options: { floatingZone: string | undefined; limits: ExpansionLimits },
  ): Promise<string[]> {
    const key = `${range.start?.getTime() ?? ''}/${range.end?.getTime() ?? ''}/${types.join(',')}/${options.floatingZone ?? ''}`;
    const selected: string[] = [];
    let work = 0;
    for (const [url, object] of objects) {
      if (++work % SLICE === 0) await nextTurn();
      const summary = this.summaryOf(url, object);
      if (!types.some((t) => summary.uids.has(t))) continue;
      if (!boundsOverlap(summary.bounds, range)) continue;
      let decision = summary.decisions.get(key);
      if (decision === undefined) {
        decision = decide(object.ical, range, types, options);
        if (summary.decisions.size >= DECISIONS_PER_OBJECT) summary.decisions.delete(summary.decisions.keys().next().value!);
        summary.decisions.set(key, decision);
      }
      if (decision) selected.push(url);
    }
    return selected;
  }

  /** The URL of the object holding `uid` as an item of `type`, if any. */
  async find(objects: ReadonlyMap<string, SnapshotObject>, uid: string, type: ComponentType): Promise<string | undefined> {
    let index = this.uidIndexes.get(objects);
    if (!index) {
      index = new Map();
      let work = 0;
      for (const [url, object] of objects) {
        if (++work % SLICE === 0) await nextTurn();
        for (const [kind, uids] of this.summaryOf(url, object).uids) for (const each of uids) index.set(`${kind}\n${each}`, url);
      }
      this.uidIndexes.set(objects, index);
    }
    return index.get(`${type}\n${uid}`);
  }

  /** URLs of objects holding an item of one of `types`. */
  async holding(objects: ReadonlyMap<string, SnapshotObject>, types: readonly ComponentType[]): Promise<string[]> {
    const found: string[] = [];
    let work = 0;
    for (const [url, object] of objects) {
      if (++work % SLICE === 0) await nextTurn();
      const summary = this.summaryOf(url, object);
      if (types.some((t) => summary.uids.has(t))) found.push(url);
    }
    return found;
  }

  private summaryOf(url: string, object: SnapshotObject): Summary {
    const key = `${url}\n${object.version || object.ical}`;
    const known = this.current.get(key);
    if (known) return known;
    const summary = this.previous.get(key) ?? summarise(object.ical);
    this.current.set(key, summary);
    if (this.current.size >= this.maxEntries / 2) {
      this.previous = this.current;
      this.current = new Map();
    }
    return summary;
  }
}

function summarise(ical: string): Summary {
  const scan = scanObject(ical);
  return { uids: scan.uids, bounds: scan.bounds, decisions: new Map() };
}

/** The exact decision on the parsed object; an object that cannot be parsed is left out. */
function decide(ical: string, range: TimeRange, types: readonly ComponentType[], options: { floatingZone: string | undefined; limits: ExpansionLimits }): boolean {
  try {
    const items = itemComponents(parseObject(ical)).filter((c) => types.includes(c.name.toUpperCase() as ComponentType));
    return itemsOverlap(items, range, options.floatingZone, options.limits);
  } catch {
    return false;
  }
}
