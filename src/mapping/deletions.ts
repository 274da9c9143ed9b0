import ICAL from 'ical.js';
import type { ComponentType } from '../model/calendar.js';
import type { DeletedItem } from '../model/deletion.js';
import type { WcapDate } from '../model/wcap-date.js';
import { itemComponents, uidOf } from './calendar-object.js';
import { formatIcalUtc, setTimeProperty } from './ical-time.js';
import { sameInstance } from './series.js';

const STAMP = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/;

/**
 * The component fetch_deletedcomponents returns for one deletion: UID, RECURRENCE-ID for a
 * deleted instance and DTSTART when known (Lightning parses a RECURRENCE-ID only relative to the
 * component's own DTSTART, docs/lightning.md#parsing-returned-components). `X-NSCP-TOMBSTONE:1`:
 * Sun marks live components `X-NSCP-TOMBSTONE:0` (docs/wcap-protocol.md#component-extensions), so
 * deleted ones are flagged the other way (inference; Lightning does not read it).
 */
export function deletionStub(item: DeletedItem): ICAL.Component {
  const component = new ICAL.Component(item.type.toLowerCase());
  component.addPropertyWithValue('uid', item.uid);
  const recurrenceId = item.recurrenceId === undefined ? undefined : timeOfStamp(item.recurrenceId);
  const dtstart = item.dtstart === undefined ? undefined : timeOfStamp(item.dtstart);
  if (recurrenceId) setTimeProperty(component, 'recurrence-id', recurrenceId);
  const start = dtstart ?? recurrenceId;
  if (start) setTimeProperty(component, 'dtstart', start);
  component.addPropertyWithValue('x-nscp-tombstone', '1');
  return component;
}

/** A stub with only UID and (for `rid`) RECURRENCE-ID: verify*_by_ids' answer for "not found". */
export function missingStub(type: ComponentType, uid: string, rid: WcapDate | undefined): ICAL.Component {
  const component = new ICAL.Component(type.toLowerCase());
  component.addPropertyWithValue('uid', uid);
  if (rid) {
    // Echoed in the form it was sent: a DATE, a UTC time or a floating time.
    const fields = { year: rid.year, month: rid.month, day: rid.day };
    const zone = rid.kind === 'utc' ? ICAL.Timezone.utcTimezone : undefined;
    const time =
      rid.kind === 'date'
        ? ICAL.Time.fromData({ ...fields, isDate: true })
        : ICAL.Time.fromData({ ...fields, hour: rid.hour, minute: rid.minute, second: rid.second }, zone);
    setTimeProperty(component, 'recurrence-id', time);
  }
  return component;
}

/**
 * What a stored object holds, for reporting its deletion later: UID, type and start of its master
 * (of its first item component when it has no master). Undefined for objects without items.
 */
export function itemOfObject(vcalendar: ICAL.Component): DeletedItem | undefined {
  const items = itemComponents(vcalendar);
  const main = items.find((c) => !c.hasProperty('recurrence-id')) ?? items[0];
  const uid = main && uidOf(main);
  if (!main || !uid) return undefined;
  const item: DeletedItem = { uid, type: main.name === 'vtodo' ? 'VTODO' : 'VEVENT' };
  const dtstart = main.getFirstPropertyValue('dtstart');
  if (dtstart instanceof ICAL.Time) item.dtstart = formatIcalUtc(dtstart);
  return item;
}

/** The deletion of the whole item `uid` (components: its master and overrides, master first). */
export function wholeItemDeletion(components: ICAL.Component[], uid: string, type: ComponentType): DeletedItem {
  const main = components.find((c) => !c.hasProperty('recurrence-id')) ?? components[0];
  const dtstart = main?.getFirstPropertyValue('dtstart');
  return { uid, type, ...(dtstart instanceof ICAL.Time ? { dtstart: formatIcalUtc(dtstart) } : {}) };
}

/**
 * The deletions of the instances `removed` (RECURRENCE-ID values) of item `uid`; `components` are
 * its components as they were before the deletion. Each gets its RECURRENCE-ID (DATE for all-day
 * series, else UTC) and its start: the override's own DTSTART when the instance had been moved,
 * else the RECURRENCE-ID.
 */
export function instanceDeletions(components: ICAL.Component[], uid: string, type: ComponentType, removed: ICAL.Time[]): DeletedItem[] {
  return removed.map((instance) => {
    const recurrenceId = formatIcalUtc(instance);
    const override = components.find((c) => {
      const rid = c.getFirstPropertyValue('recurrence-id');
      return rid instanceof ICAL.Time && sameInstance(rid, instance);
    });
    const start = override?.getFirstPropertyValue('dtstart');
    return { uid, type, recurrenceId, dtstart: start instanceof ICAL.Time ? formatIcalUtc(start) : recurrenceId };
  });
}

/** `YYYYMMDD` → DATE, `YYYYMMDDTHHMMSSZ` → UTC time; anything else → undefined. */
function timeOfStamp(text: string): ICAL.Time | undefined {
  const m = STAMP.exec(text);
  if (!m) return undefined;
  const fields = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] === undefined) return ICAL.Time.fromData({ ...fields, isDate: true });
  return ICAL.Time.fromData({ ...fields, hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) }, ICAL.Timezone.utcTimezone);
}
