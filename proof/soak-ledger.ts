import type { DirectObject } from './radicale-objects.js';

/**
 * What one soak client acknowledged: the expected final state of its own calendar. Kept simple
 * enough to be exact: every item is a single event or a daily series in UTC; a series is the list
 * of its instances (as UTC `YYYYMMDDTHHMMSSZ`), the RECURRENCE-IDs it overrides and its EXDATEs.
 */

export interface SeriesEntry {
  uid: string;
  instances: string[];
  overrides: Set<string>;
  exdates: Set<string>;
}

export class Ledger {
  readonly singles = new Set<string>();
  readonly series = new Map<string, SeriesEntry>();

  uids(): string[] {
    return [...this.singles, ...this.series.keys()];
  }

  /** Instances of a series still there (not excluded). */
  liveInstances(entry: SeriesEntry): string[] {
    return entry.instances.filter((rid) => !entry.exdates.has(rid));
  }

  /**
   * Differences between the ledger and the calendar as Radicale holds it: lost items, items there
   * that should not be, UIDs stored twice, series whose instances, overrides or EXDATEs differ.
   */
  compare(objects: DirectObject[]): { lost: string[]; unexpected: string[]; duplicated: string[]; seriesMismatch: string[] } {
    const byUid = new Map<string, DirectObject[]>();
    for (const object of objects) byUid.set(object.uid, [...(byUid.get(object.uid) ?? []), object]);
    const expected = new Set(this.uids());
    const lost = [...expected].filter((uid) => !byUid.has(uid));
    const unexpected = [...byUid.keys()].filter((uid) => !expected.has(uid));
    const duplicated = [...byUid].filter(([, list]) => list.length > 1 || list[0]!.components.filter((c) => !c.rid).length > 1).map(([uid]) => uid);
    const seriesMismatch: string[] = [];
    for (const uid of this.singles) {
      const object = byUid.get(uid)?.[0];
      if (object && object.components.some((c) => c.rrule || c.rid)) seriesMismatch.push(`${uid}: a single event became recurring`);
    }
    for (const [uid, entry] of this.series) {
      const object = byUid.get(uid)?.[0];
      if (!object) continue;
      const master = object.components.find((c) => !c.rid);
      const problems: string[] = [];
      if (!master?.rrule || !master.dtstart) problems.push('no master with RRULE and DTSTART');
      else {
        const instances = expandDaily(master.dtstart, master.rrule);
        if (instances === undefined) problems.push(`unexpected RRULE ${master.rrule}`);
        else if (instances.join() !== entry.instances.join()) problems.push(`instances ${instances.join(',')} ≠ expected ${entry.instances.join(',')}`);
      }
      const exdates = new Set(master?.exdates.map(utc) ?? []);
      if ([...exdates].sort().join() !== [...entry.exdates].sort().join()) problems.push(`EXDATEs ${[...exdates].sort().join(',')} ≠ expected ${[...entry.exdates].sort().join(',')}`);
      const overrides = object.components.filter((c) => c.rid).map((c) => utc(c.rid!));
      if (overrides.sort().join() !== [...entry.overrides].sort().join()) problems.push(`overrides ${overrides.join(',')} ≠ expected ${[...entry.overrides].sort().join(',')}`);
      if (problems.length > 0) seriesMismatch.push(`${uid}: ${problems.join('; ')}`);
    }
    return { lost, unexpected, duplicated, seriesMismatch };
  }
}

/** `YYYYMMDDTHHMMSSZ` from a UTC value, with or without a VALUE parameter prefix (`…:` stripped). */
function utc(value: string): string {
  return value.split(':').pop()!.trim();
}

/**
 * Instances of a daily rule (FREQ=DAILY with COUNT or UNTIL, INTERVAL 1) from a UTC DTSTART.
 * Undefined for any other rule: the soak only creates these, so anything else is unexpected.
 */
export function expandDaily(dtstart: string, rrule: string): string[] | undefined {
  const parts = Object.fromEntries(rrule.split(';').map((part) => part.split('=') as [string, string]));
  const known = Object.keys(parts).every((name) => ['FREQ', 'COUNT', 'UNTIL', 'INTERVAL'].includes(name));
  if (!known || parts.FREQ !== 'DAILY' || (parts.INTERVAL ?? '1') !== '1' || (!parts.COUNT && !parts.UNTIL)) return undefined;
  const start = parseUtc(utc(dtstart));
  const until = parts.UNTIL ? parseUtc(parts.UNTIL.length === 8 ? `${parts.UNTIL}T235959Z` : parts.UNTIL) : undefined;
  if (start === undefined || (parts.UNTIL && until === undefined)) return undefined;
  const count = parts.COUNT ? Number(parts.COUNT) : 10_000;
  const out: string[] = [];
  for (let i = 0; i < count && out.length < 1_000; i++) {
    const at = start + i * 86_400_000;
    if (until !== undefined && at > until) break;
    out.push(formatUtc(at));
  }
  return out;
}

export function parseUtc(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}
