import ICAL from 'ical.js';
import type { TimeRange } from '../model/calendar.js';
import type { WcapDate } from '../model/wcap-date.js';
import { matchesCompstate, type CompStateFilter } from './compstate.js';
import type { Directory } from './directory.js';
import {
  groupsOf,
  instantIn,
  isRecurringGroup,
  occurrencesIn,
  occurrencesOf,
  zoneOf,
  type ExpansionLimits,
  type ItemGroup,
  type Occurrence,
} from './expand.js';
import { toIcalTime } from './ical-time.js';
import { instanceComponents } from './instance-output.js';

/** What a fetch returns of the stored items, from its parameters (fetch-params.ts). */
export interface FetchSelection {
  /** true: masters and exceptions as stored (recurring=1); false: expanded instances. */
  masters: boolean;
  /** Expanded mode only: instances keep RRULE/RDATE/EXRULE/EXDATE (compressed=1). */
  compressed: boolean;
  compstate: CompStateFilter;
  /** The session's user, whose scheduling state compstate tests. */
  user: string;
  directory: Directory;
  limits: ExpansionLimits;
  /** The calendar's zone, for DATEs and floating times. */
  floatingZone?: string;
}

/**
 * The components a range fetch returns from the items of each stored object (one array per
 * object), in the backend's order. Masters mode: every item group (master plus overrides) with at
 * least one component in a requested compstate. Expanded mode: items that do not recur as stored
 * (the server already matched them to the range), recurring ones as their instances overlapping
 * the range, each instance filtered by its own compstate. `maxResults` > 0 caps item groups in
 * masters mode (a master is never split from its exceptions) and components in expanded mode.
 */
export function selectInRange(objects: ICAL.Component[][], range: TimeRange, selection: FetchSelection, maxResults: number): ICAL.Component[] {
  const groups = objects.flatMap((items) => groupsOf(items));
  const cap = <T>(list: T[]) => (maxResults > 0 ? list.slice(0, maxResults) : list);
  if (selection.masters) return cap(groups.filter((g) => groupMatches(g, selection))).flatMap(componentsOfGroup);
  const used = { total: 0 };
  const options = { limits: selection.limits, floatingZone: selection.floatingZone, used };
  const parts = groups.map((group) => {
    if (!isRecurringGroup(group)) return group.master && matches(group.master, selection) ? [group.master] : [];
    const occurrences = occurrencesIn(componentsOfGroup(group), range.start, range.end, options);
    return instanceComponents(occurrences.filter((o) => matches(o.item, selection)), selection);
  });
  return cap(parts.flat());
}

/** WCAP `mod` for *_by_id: 1 this instance, 2 this and future, 3 this and prior, 4 all. */
export type InstanceMod = 1 | 2 | 3 | 4;

/**
 * The components fetched by id from the items of one UID. Masters mode: master plus exceptions
 * (rid and mod do not apply: Lightning's getItem wants the whole series,
 * docs/lightning.md#lookup-by-uid).
 * Expanded mode: without `rid` every instance (capped per series); with it the instances `mod`
 * selects relative to the instance at `rid` (`rid` is UTC, a DATE, or floating read in `tzid`,
 * else in the series' own zone).
 */
export function selectById(items: ICAL.Component[], target: { rid?: WcapDate; tzid?: string; mod: InstanceMod }, selection: FetchSelection): ICAL.Component[] {
  const groups = groupsOf(items);
  if (selection.masters) return groups.filter((g) => groupMatches(g, selection)).flatMap(componentsOfGroup);
  const zone = zoneOf(selection.floatingZone);
  const chosen: Occurrence[] = [];
  const singles: ICAL.Component[] = [];
  for (const group of groups) {
    if (!target.rid && !isRecurringGroup(group)) {
      if (group.master && matches(group.master, selection)) singles.push(group.master);
      continue;
    }
    const at = target.rid ? ridTime(target.rid, target.tzid, group) : undefined;
    let kept = 0;
    for (const occurrence of occurrencesOf(group, selection.limits, zone)) {
      const position = at ? compareInstance(occurrence.recurrenceId ?? occurrence.startTime, at, zone) : 0;
      if (position > 0 && (target.mod === 1 || target.mod === 3)) break;
      const wanted = !at || target.mod === 4 || (target.mod === 1 && position === 0) || (target.mod === 2 && position >= 0) || (target.mod === 3 && position <= 0);
      if (wanted && matches(occurrence.item, selection)) {
        chosen.push(occurrence);
        if (++kept >= selection.limits.maxPerSeries) break;
      }
      if (at && target.mod === 1 && position === 0) break;
    }
  }
  return [...singles, ...instanceComponents(chosen, selection)];
}

function componentsOfGroup(group: ItemGroup): ICAL.Component[] {
  return group.master ? [group.master, ...group.overrides] : group.overrides;
}

function matches(item: ICAL.Component, selection: FetchSelection): boolean {
  return matchesCompstate(item, selection.compstate, selection.user, selection.directory);
}

function groupMatches(group: ItemGroup, selection: FetchSelection): boolean {
  return componentsOfGroup(group).some((c) => matches(c, selection));
}

/** The requested rid as an ical.js time: floating values in tzid, else in the master's zone. */
function ridTime(rid: WcapDate, tzid: string | undefined, group: ItemGroup): ICAL.Time {
  if (rid.kind !== 'floating' || tzid) return toIcalTime(rid, tzid);
  const start = group.master?.getFirstPropertyValue('dtstart') as ICAL.Time | null | undefined;
  const zone = start && !start.isDate && start.zone ? start.zone : ICAL.Timezone.utcTimezone;
  return ICAL.Time.fromData({ year: rid.year, month: rid.month, day: rid.day, hour: rid.hour, minute: rid.minute, second: rid.second }, zone);
}

/** Instance order: the same day when either side is a DATE, else the same instant. */
function compareInstance(instance: ICAL.Time | undefined, at: ICAL.Time, zone: ICAL.Timezone | undefined): number {
  if (!instance) return -1;
  if (instance.isDate || at.isDate) {
    const day = (t: ICAL.Time) => t.year * 10_000 + t.month * 100 + t.day;
    return Math.sign(day(instance) - day(at));
  }
  return Math.sign(instantIn(instance, zone).getTime() - instantIn(at, zone).getTime());
}
