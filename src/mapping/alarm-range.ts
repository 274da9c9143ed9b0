import ICAL from 'ical.js';
import type { TimeRange } from '../model/calendar.js';
import { anchored } from './alarm-output.js';
import { matchesCompstate } from './compstate.js';
import { groupsOf, occurrencesIn, occurrencesOf, zoneOf, type ItemGroup, type Occurrence } from './expand.js';
import type { FetchSelection } from './fetch-selection.js';
import { instanceComponents } from './instance-output.js';

/** Most repetitions of one alarm counted (REPEAT beyond this fires no more in the gateway's eyes). */
const MAX_REPEAT = 1000;
const DAY_MS = 86_400_000;

/** One VALARM's trigger: relative to the occurrence's start or end, or an absolute instant. */
type Trigger = { related: 'START' | 'END'; offset: ICAL.Duration; repeats: ICAL.Duration[] } | { at: Date; repeats: ICAL.Duration[] };

function triggersOf(component: ICAL.Component): Trigger[] {
  return component.getAllSubcomponents('valarm').flatMap((alarm): Trigger[] => {
    const property = alarm.getFirstProperty('trigger');
    const value = property?.getFirstValue();
    // RFC 5545 §3.8.6.2: REPEAT and DURATION come together; the alarm fires again DURATION apart.
    const count = Math.min(Number(alarm.getFirstPropertyValue('repeat') ?? 0) || 0, MAX_REPEAT);
    const step = alarm.getFirstPropertyValue('duration');
    const repeats = step instanceof ICAL.Duration ? Array.from({ length: count }, (_, i) => ICAL.Duration.fromSeconds(step.toSeconds() * (i + 1))) : [];
    if (value instanceof ICAL.Duration) {
      const related = String(property!.getParameter('related') ?? 'START').toUpperCase() === 'END' ? 'END' : 'START';
      return [{ related, offset: value, repeats }];
    }
    if (value instanceof ICAL.Time) return [{ at: new Date(value.toUnixTime() * 1000), repeats }];
    return [];
  });
}

/**
 * When the alarms of one occurrence fire: relative triggers from its own start or end
 * (`RELATED=END`; tasks: DUE), day parts added in local time as RFC 5545 §3.3.6 wants, DATEs and
 * floating times read in `floatingZone`; absolute triggers as they are; each repetition too.
 */
export function alarmInstants(component: ICAL.Component, start: ICAL.Time | undefined, end: ICAL.Time | undefined, floatingZone: string | undefined): Date[] {
  return [...relativeInstants(component, start, end, floatingZone), ...absoluteInstants(component)];
}

function relativeInstants(component: ICAL.Component, start: ICAL.Time | undefined, end: ICAL.Time | undefined, floatingZone: string | undefined): Date[] {
  return triggersOf(component).flatMap((trigger) => {
    if ('at' in trigger) return [];
    const anchor = trigger.related === 'END' ? (end ?? start) : start;
    if (!anchor) return [];
    const first = anchored(anchor, floatingZone);
    first.addDuration(trigger.offset);
    return [first, ...trigger.repeats.map((step) => {
      const time = first.clone();
      time.addDuration(step);
      return time;
    })].map((t) => new Date(t.toUnixTime() * 1000));
  });
}

function absoluteInstants(component: ICAL.Component): Date[] {
  return triggersOf(component).flatMap((trigger) =>
    'at' in trigger ? [trigger.at, ...trigger.repeats.map((step) => new Date(trigger.at.getTime() + step.toSeconds() * 1000))] : [],
  );
}

/** How far before or after an occurrence its relative alarms may fire, in ms, plus a day for DST and all-day anchors. */
function reachOf(group: ItemGroup): number {
  const components = group.master ? [group.master, ...group.overrides] : group.overrides;
  const spans = components.flatMap(triggersOf).map((t) => ('at' in t ? 0 : Math.abs(t.offset.toSeconds()) + Math.max(0, ...t.repeats.map((r) => r.toSeconds()))) * 1000);
  return Math.max(0, ...spans) + DAY_MS;
}

const firesIn = (instants: Date[], range: TimeRange) => instants.some((t) => (!range.start || t >= range.start) && (!range.end || t < range.end));

/**
 * fetchcomponents_by_alarmrange's selection (docs/wcap-protocol.md#fetchcomponents_by_alarmrange):
 * the occurrences with an alarm firing in [start, end). Recurring series are expanded around the
 * range, widened by how far their alarms reach, with the fetch's expansion budget; an absolute
 * trigger belongs to the component carrying it (a master's fires for its first instance).
 * Masters mode (recurring=1): each such item with its master and exceptions; otherwise the firing
 * instances. compstate filters as in a range fetch; maxResults > 0 caps the answer.
 */
export function selectByAlarm(objects: ICAL.Component[][], range: TimeRange, selection: FetchSelection, maxResults: number): ICAL.Component[] {
  const zone = zoneOf(selection.floatingZone);
  const used = { total: 0 };
  const out: ICAL.Component[] = [];
  for (const group of objects.flatMap((items) => groupsOf(items))) {
    const components = group.master ? [group.master, ...group.overrides] : group.overrides;
    if (!components.some((c) => c.getFirstSubcomponent('valarm'))) continue;
    const reach = reachOf(group);
    const from = range.start && new Date(range.start.getTime() - reach);
    const to = range.end && new Date(range.end.getTime() + reach);
    const firing = occurrencesIn(components, from, to, { limits: selection.limits, floatingZone: selection.floatingZone, used }).filter((o) =>
      firesIn(relativeInstants(o.item, o.startTime, o.endTime, selection.floatingZone), range),
    );
    // Absolute triggers: the first occurrence each component describes.
    for (const component of components.filter((c) => firesIn(absoluteInstants(c), range))) {
      const first = firstOccurrenceOf(group, component, selection, zone);
      if (first && !firing.some((o) => o.start.getTime() === first.start.getTime() && o.item === first.item)) firing.push(first);
    }
    const wanted = firing.filter((o) => matchesCompstate(o.item, selection.compstate, selection.user, selection.directory));
    if (wanted.length === 0) continue;
    if (selection.masters) out.push(...components);
    else out.push(...instanceComponents(wanted.sort((a, b) => a.start.getTime() - b.start.getTime()), selection));
    if (maxResults > 0 && out.length >= maxResults) return out.slice(0, maxResults);
  }
  return out;
}

function firstOccurrenceOf(group: ItemGroup, component: ICAL.Component, selection: FetchSelection, zone: ICAL.Timezone | undefined): Occurrence | undefined {
  for (const occurrence of occurrencesOf(group, selection.limits, zone)) if (occurrence.item === component) return occurrence;
  return undefined;
}
