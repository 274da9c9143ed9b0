import { itemComponents } from '../mapping/calendar-object.js';
import type { ExpansionLimits } from '../mapping/expand.js';
import { scanObject } from '../mapping/object-scan.js';
import { boundsOverlap, itemsOverlap } from '../mapping/time-span.js';
import type { ComponentType, TimeRange } from '../model/calendar.js';
import type { SnapshotObject } from '../state/snapshot-store.js';
import { parseObject } from './object-codec.js';

/** What a range query needs to know of one stored object version without parsing it again. */
interface Summary {
  /** The items the object holds, as [type, UID] (one for a well-formed object). */
  held: ReadonlyArray<readonly [ComponentType, string]>;
  from: number;
  to: number;
  /** Memo of exact range decisions (a client polls the same few ranges over and over); made on first use. */
  decisions?: Map<string, boolean>;
}

/** Objects handled between two turns of the event loop (a slice costs a few milliseconds at most). */
const SLICE = 200;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Decisions remembered per object version (Lightning polls a few ranges: the visible month, its neighbours). */
const DECISIONS_PER_OBJECT = 8;

/**
 * Per-process memo of object summaries, so that a range query over a cached calendar parses only
 * the objects it may return, and a repeated query none at all. Summaries come from a scan of the
 * text (mapping/object-scan.ts), not a parse: building them for a whole calendar costs little.
 * A summary belongs to the snapshot object it describes (a WeakMap keyed by the object, which
 * snapshots share between versions as long as the object is unchanged), so it lives exactly as long
 * as a snapshot holds the object, and the snapshot store's bound bounds the summaries too.
 */
export class ObjectSummaries {
  private readonly summaries = new WeakMap<SnapshotObject, Summary>();
  /** Per snapshot contents (immutable Maps), `type\nuid` → object URL. */
  private readonly uidIndexes = new WeakMap<ReadonlyMap<string, SnapshotObject>, Map<string, string>>();

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
      const summary = this.summaryOf(object);
      if (!holds(summary, types)) continue;
      if (!boundsOverlap(summary, range)) continue;
      const decisions = (summary.decisions ??= new Map());
      let decision = decisions.get(key);
      if (decision === undefined) {
        decision = decide(object.ical, range, types, options);
        if (decisions.size >= DECISIONS_PER_OBJECT) decisions.delete(decisions.keys().next().value!);
        decisions.set(key, decision);
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
        for (const [kind, uid] of this.summaryOf(object).held) index.set(`${kind}\n${uid}`, url);
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
      if (holds(this.summaryOf(object), types)) found.push(url);
    }
    return found;
  }

  private summaryOf(object: SnapshotObject): Summary {
    let summary = this.summaries.get(object);
    if (!summary) {
      const scan = scanObject(object.ical);
      const held = [...scan.uids].flatMap(([type, uids]) => [...uids].map((uid) => [type, detached(uid)] as const));
      summary = { held, from: scan.bounds.from, to: scan.bounds.to };
      this.summaries.set(object, summary);
    }
    return summary;
  }
}

/**
 * A copy of `text` that keeps nothing else alive. A UID read from an object is a slice of the
 * object's unfolded text, and V8 keeps the whole text for as long as the slice lives: held in a
 * summary, it would double the memory of every cached object. Concatenating and slicing again
 * leaves a slice of a fresh string one character longer than the UID.
 */
function detached(text: string): string {
  return (' ' + text).slice(1);
}

function holds(summary: Summary, types: readonly ComponentType[]): boolean {
  return summary.held.some(([type]) => types.includes(type));
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
