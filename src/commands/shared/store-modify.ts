import type ICAL from 'ical.js';
import { applyItemChanges, stampItem, type ApplyContext } from '../../mapping/apply-changes.js';
import { alignTo, isRecurring } from '../../mapping/apply-recurrence.js';
import { organizedBy, resetReplies } from '../../mapping/attendees.js';
import { contentFingerprint, newCalendarObject, serializeCalendarObject } from '../../mapping/calendar-object.js';
import { formatIcalUtc } from '../../mapping/ical-time.js';
import { findInstance, nextInstance, overrideFor, sameInstance, shiftInstances, splitSeries, type Series } from '../../mapping/series.js';
import type { ComponentType } from '../../model/calendar.js';
import type { ItemChanges } from '../../model/item-changes.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { credentialsOf, type ResolvedCalendar } from './calendars.js';
import { componentsOf, type LoadedItem } from './items.js';
import type { StoreParams } from './store-params.js';

const CREATE_EXISTS = 63;
const RECURRING_COMPONENT_NOT_FOUND = 81;

/** The components of the series the client changed (what fetch=1 returns). */
export interface Modification {
  components: ICAL.Component[];
}

/**
 * Modifies a stored item: the whole series (mod=4 or no rid), one instance (mod=1, an override
 * whose RECURRENCE-ID never changes), this and future (mod=2) or this and prior (mod=3) — the last
 * two split the series into two objects, each keeping its own exceptions.
 */
export async function modifyItem(
  ctx: CommandContext<StoreParams>,
  calendar: ResolvedCalendar,
  existing: LoadedItem,
  uid: string,
  type: ComponentType,
  changes: ItemChanges,
  failsWith: number,
): Promise<Modification> {
  const { vcalendar } = existing;
  const components = componentsOf(vcalendar, uid, type);
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  if (!master) {
    throw new WcapError(CREATE_EXISTS, `The UID belongs to an item that is not a ${type === 'VEVENT' ? 'event' : 'task'}`);
  }
  const series: Series = { master, overrides: components.filter((c) => c !== master) };
  const applyCtx: ApplyContext = { directory: ctx.deps.directory, calendarCalid: calendar.address.calid, master: true };
  const { rid } = ctx.params;
  const mod = ctx.params.mod ?? (rid ? 1 : 4);
  const before = fingerprint(series);
  if (rid && mod !== 4 && isRecurring(master)) {
    const start = master.getFirstPropertyValue('dtstart') as ICAL.Time;
    const instance = findInstance(series, alignTo(rid, start, changes.tzid));
    if (!instance) throw new WcapError(RECURRING_COMPONENT_NOT_FOUND, 'The series has no instance at rid');
    if (mod === 1) {
      if (changes.rrules?.length || changes.exrules?.length) {
        throw new WcapError(failsWith, 'Recurrence rules cannot be changed on one instance (use mod=4)');
      }
      const isNew = !series.overrides.some((o) => sameInstance(o.getFirstPropertyValue('recurrence-id') as ICAL.Time, instance));
      const override = overrideFor(vcalendar, series, instance);
      applyItemChanges(override, changes, { ...applyCtx, master: false });
      return write(ctx, existing, series, before, [override], isNew);
    }
    const splitAt = mod === 2 ? instance : nextInstance(master, instance);
    if (splitAt && !sameInstance(splitAt, start)) {
      // The new series is named after the rid the client sent, whichever half it is.
      const newUid = `${uid}-R${formatIcalUtc(instance)}`;
      return splitAndWrite(ctx, calendar, existing, series, splitAt, mod, changes, applyCtx, newUid);
    }
  }
  const oldStart = (master.getFirstPropertyValue('dtstart') as ICAL.Time | null)?.clone();
  const wasRecurring = isRecurring(master);
  const timing = timingOf(master);
  applyItemChanges(master, changes, applyCtx);
  const newStart = master.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  if (wasRecurring && oldStart && newStart) shiftInstances(series, oldStart, newStart);
  if (wasRecurring && !isRecurring(master)) {
    // No instances left to override: the exceptions would be orphans.
    for (const override of series.overrides) vcalendar.removeSubcomponent(override);
    series.overrides = [];
  }
  const organizer = organizedBy(master, calendar.address.calid, ctx.deps.directory);
  if (ctx.params.method !== '4' && organizer && timingOf(master) !== timing) resetReplies(master);
  return write(ctx, existing, series, before, [master], false);
}

async function write(
  ctx: CommandContext<StoreParams>,
  existing: LoadedItem,
  series: Series,
  before: string,
  touched: ICAL.Component[],
  created: boolean,
): Promise<Modification> {
  const components = [series.master, ...series.overrides];
  if (fingerprint(series) === before) return { components };
  for (const component of touched) stampItem(component, new Date(ctx.deps.clock.now()), created);
  await ctx.deps.backend.updateObject(credentialsOf(sessionOf(ctx)), existing.object, serializeCalendarObject(existing.vcalendar));
  return { components };
}

/**
 * mod=2 / mod=3: the changed part becomes a new series with a derived UID stored as its own object
 * (one UID per CalDAV object, RFC 4791 §4.1); the unchanged part keeps the original UID. The new
 * object is written first and removed again if the original cannot be updated, so a failure leaves
 * the calendar as it was.
 */
async function splitAndWrite(
  ctx: CommandContext<StoreParams>,
  calendar: ResolvedCalendar,
  existing: LoadedItem,
  series: Series,
  splitAt: ICAL.Time,
  mod: number,
  changes: ItemChanges,
  applyCtx: ApplyContext,
  newUid: string,
): Promise<Modification> {
  const uid = String(series.master.getFirstPropertyValue('uid'));
  const later = splitSeries(existing.vcalendar, series, splitAt, newUid);
  // mod=3 changes the earlier part: it takes the new UID, the future keeps the original identity.
  const [changed, kept] = mod === 2 ? [later, series] : [series, later];
  if (mod === 3) {
    for (const c of [series.master, ...series.overrides]) c.updatePropertyWithValue('uid', newUid);
    for (const c of [later.master, ...later.overrides]) c.updatePropertyWithValue('uid', uid);
    for (const c of [series.master, ...series.overrides]) existing.vcalendar.removeSubcomponent(c);
    for (const c of [later.master, ...later.overrides]) existing.vcalendar.addSubcomponent(c);
  }
  applyItemChanges(changed.master, changes, applyCtx);
  const now = new Date(ctx.deps.clock.now());
  stampItem(changed.master, now, true);
  stampItem(kept.master, now, false);
  const separate = newCalendarObject(changed.master);
  for (const override of changed.overrides) separate.addSubcomponent(override);
  const credentials = credentialsOf(sessionOf(ctx));
  const { backend, guids } = ctx.deps;
  const created = await backend.createObject(credentials, calendar.info.url, newUid, serializeCalendarObject(separate));
  try {
    await backend.updateObject(credentials, existing.object, serializeCalendarObject(existing.vcalendar));
  } catch (err) {
    await backend.deleteObject(credentials, created).catch(() => undefined);
    throw err;
  }
  await guids.set(calendar.info.url, newUid, created.url).catch(() => undefined);
  return { components: [changed.master, ...changed.overrides] };
}

function fingerprint(series: Series): string {
  return [series.master, ...series.overrides].map(contentFingerprint).join('\n');
}

/** The properties whose change makes attendees answer again (seed 003, "significant update"). */
function timingOf(master: ICAL.Component): string {
  return ['dtstart', 'dtend', 'due', 'duration', 'rrule', 'rdate', 'exdate', 'exrule']
    .map((name) => master.getAllProperties(name).map((p) => p.toICALString()).join(','))
    .join('|');
}
