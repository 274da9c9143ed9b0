import type ICAL from 'ical.js';
import type { ComponentType } from '../model/calendar.js';
import type { ItemChanges } from '../model/item-changes.js';
import type { WcapDate } from '../model/wcap-date.js';
import { applyItemChanges, stampItem, type ApplyContext } from './apply-changes.js';
import { alignTo, isRecurring } from './apply-recurrence.js';
import { organizedBy, resetReplies } from './attendees.js';
import { contentFingerprint, newCalendarObject } from './calendar-object.js';
import { instanceDeletions } from './deletions.js';
import { formatIcalUtc } from './ical-time.js';
import { removeExdates, staleExceptions } from './recurrence-prune.js';
import { findInstance, nextInstance, overrideFor, sameInstance, shiftInstances, splitSeries, type Series } from './series.js';
import { raiseSequenceIfSignificant, sequenceOf, significantContent } from './significance.js';
import type { DeletedItem } from '../model/deletion.js';

/** Which part of a stored item a store request changes (WCAP `rid` and `mod`). */
export interface EditTarget {
  rid: WcapDate | null | undefined;
  /** 1 this instance, 2 this and future, 3 this and prior, 4 the whole series. */
  mod: 1 | 2 | 3 | 4;
  /** true for a REPLY (method=4): attendees' answers never reset the other replies. */
  reply: boolean;
}

/**
 * What editing a stored item came to. The item's VCALENDAR has already been changed in place for
 * `update`; for `split` it holds the kept part and `separate` is the new object to create first.
 */
export type SeriesEdit =
  /** Nothing changed: nothing to write (clients echo items back during sync). */
  | { kind: 'unchanged'; components: ICAL.Component[] }
  /** `deleted`: exceptions the store removed because the new rules no longer produce their instance. */
  | { kind: 'update'; components: ICAL.Component[]; deleted?: DeletedItem[] }
  /** `rid`: the instance the client named (UTC or DATE, iCalendar form); the new UID is `<uid>-R<rid>`. */
  | { kind: 'split'; components: ICAL.Component[]; newUid: string; separate: ICAL.Component; rid: string; mod: 2 | 3 }
  /** The UID belongs to an item without a master of this type. */
  | { kind: 'not-this-type' }
  /** The series has no instance at rid. */
  | { kind: 'no-such-instance' }
  /** Recurrence rules sent for one instance. */
  | { kind: 'rules-on-instance' };

/**
 * Applies a store request to a stored item: the whole series (mod=4 or no rid), one instance
 * (mod=1: an override whose RECURRENCE-ID never changes), this and future (mod=2) or this and
 * prior (mod=3) — the last two split the series into two objects (one UID per CalDAV object,
 * RFC 4791 §4.1), the changed part under a UID derived from the rid the client sent, each part
 * keeping its own exceptions. Only the fields sent change; a significant change of the timing
 * resets attendees' replies (docs/wcap-protocol.md#attendees-in-stores); stamps are refreshed on what
 * really changed.
 */
export function editSeries(
  vcalendar: ICAL.Component,
  components: ICAL.Component[],
  type: ComponentType,
  changes: ItemChanges,
  target: EditTarget,
  apply: ApplyContext,
  now: Date,
): SeriesEdit {
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  if (!master) return { kind: 'not-this-type' };
  const series: Series = { master, overrides: components.filter((c) => c !== master) };
  const before = fingerprint(series);
  const { rid, mod } = target;
  if (rid && mod !== 4 && isRecurring(master)) {
    const start = master.getFirstPropertyValue('dtstart') as ICAL.Time;
    const instance = findInstance(series, alignTo(rid, start, changes.tzid));
    if (!instance) return { kind: 'no-such-instance' };
    if (mod === 1) {
      if (changes.rrules?.length || changes.exrules?.length) return { kind: 'rules-on-instance' };
      const isNew = !series.overrides.some((o) => sameInstance(o.getFirstPropertyValue('recurrence-id') as ICAL.Time, instance));
      const override = overrideFor(vcalendar, series, instance);
      const significant = significantContent(override);
      applyItemChanges(override, changes, { ...apply, master: false });
      if (!target.reply && organizedBy(master, apply.calendarCalid, apply.directory)) raiseSequenceIfSignificant(override, significant, sequenceOf(master));
      return finish(series, before, [override], isNew, now);
    }
    const splitAt = mod === 2 ? instance : nextInstance(master, instance);
    if (splitAt && !sameInstance(splitAt, start)) {
      // The new series is named after the rid the client sent, whichever half it is.
      const uid = String(master.getFirstPropertyValue('uid'));
      const named = formatIcalUtc(instance);
      return { ...split(vcalendar, series, splitAt, mod, changes, apply, `${uid}-R${named}`, now), rid: named, mod };
    }
  }
  const oldStart = (master.getFirstPropertyValue('dtstart') as ICAL.Time | null)?.clone();
  const wasRecurring = isRecurring(master);
  const timing = timingOf(master);
  const significant = significantContent(master);
  const rules = rulesOf(master);
  applyItemChanges(master, changes, apply);
  const newStart = master.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  if (wasRecurring && oldStart && newStart) shiftInstances(series, oldStart, newStart);
  const uid = String(master.getFirstPropertyValue('uid'));
  // Exceptions the new rules no longer produce would show as meetings outside the series
  // (docs/wcap-protocol.md#rule-changes-and-exceptions); with no rules at all none is left.
  const stale = rulesOf(master) !== rules ? staleExceptions(series) : undefined;
  if (stale) removeExdates(master, stale.exdates);
  const gone = wasRecurring && !isRecurring(master) ? [...series.overrides] : (stale?.overrides ?? []);
  const deleted = instanceDeletions(gone, uid, type, gone.map((o) => o.getFirstPropertyValue('recurrence-id') as ICAL.Time));
  for (const override of gone) vcalendar.removeSubcomponent(override);
  series.overrides = series.overrides.filter((o) => !gone.includes(o));
  if (!target.reply && organizedBy(master, apply.calendarCalid, apply.directory)) {
    if (timingOf(master) !== timing) resetReplies(master);
    // The organizer's significant change of a meeting raises SEQUENCE (RFC 5546 §2.1.4), so
    // attendees' clients take the update for newer than what they hold.
    raiseSequenceIfSignificant(master, significant);
  }
  return finish(series, before, [master], false, now, deleted);
}

function finish(series: Series, before: string, touched: ICAL.Component[], created: boolean, now: Date, deleted: DeletedItem[] = []): SeriesEdit {
  const components = [series.master, ...series.overrides];
  if (fingerprint(series) === before) return { kind: 'unchanged', components };
  for (const component of touched) stampItem(component, now, created);
  return deleted.length > 0 ? { kind: 'update', components, deleted } : { kind: 'update', components };
}

/** What defines a series' instances. */
function rulesOf(master: ICAL.Component): string {
  return ['dtstart', 'rrule', 'rdate', 'exdate', 'exrule'].map((name) => master.getAllProperties(name).map((p) => p.toICALString()).join(',')).join('|');
}

/** mod=2 / mod=3: see {@link editSeries}. The unchanged part keeps the original UID. */
function split(
  vcalendar: ICAL.Component,
  series: Series,
  splitAt: ICAL.Time,
  mod: 2 | 3,
  changes: ItemChanges,
  apply: ApplyContext,
  newUid: string,
  now: Date,
): Omit<Extract<SeriesEdit, { kind: 'split' }>, 'rid' | 'mod'> {
  const uid = String(series.master.getFirstPropertyValue('uid'));
  const [significant, sequence] = [significantContent(series.master), sequenceOf(series.master)];
  const organized = organizedBy(series.master, apply.calendarCalid, apply.directory);
  const later = splitSeries(vcalendar, series, splitAt, newUid);
  // mod=3 changes the earlier part: it takes the new UID, the future keeps the original identity.
  const [changed, kept] = mod === 2 ? [later, series] : [series, later];
  if (mod === 3) {
    for (const c of [series.master, ...series.overrides]) c.updatePropertyWithValue('uid', newUid);
    for (const c of [later.master, ...later.overrides]) c.updatePropertyWithValue('uid', uid);
    for (const c of [series.master, ...series.overrides]) vcalendar.removeSubcomponent(c);
    for (const c of [later.master, ...later.overrides]) vcalendar.addSubcomponent(c);
  }
  applyItemChanges(changed.master, changes, apply);
  stampItem(changed.master, now, true);
  stampItem(kept.master, now, false);
  // The part that keeps the UID lost instances: a significant change attendees must see.
  if (organized) raiseSequenceIfSignificant(kept.master, significant, sequence);
  const separate = newCalendarObject(changed.master);
  for (const override of changed.overrides) separate.addSubcomponent(override);
  return { kind: 'split', components: [changed.master, ...changed.overrides], newUid, separate };
}

function fingerprint(series: Series): string {
  return [series.master, ...series.overrides].map(contentFingerprint).join('\n');
}

/** The properties whose change makes attendees answer again (a "significant update"). */
function timingOf(master: ICAL.Component): string {
  return ['dtstart', 'dtend', 'due', 'duration', 'rrule', 'rdate', 'exdate', 'exrule']
    .map((name) => master.getAllProperties(name).map((p) => p.toICALString()).join(','))
    .join('|');
}
