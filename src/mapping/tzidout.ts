import ICAL from 'ical.js';
import { isFloating } from './expand.js';
import { zoneIdOf } from './instance-output.js';
import { usedTimezoneIds } from './calendar-object.js';
import { exactlyInZone } from './ical-time.js';
import { copyItems } from './item-copy.js';
import { isKnownTimezone, timezone } from './timezones.js';

/**
 * How output date-times are zoned (WCAP `tzidout`, docs/wcap-protocol.md#time-zone-parameters):
 * - `stored`: each value as stored — local time with TZID plus its VTIMEZONE, UTC, or DATE. The
 *   answer to `X-S1CS-TZNATIVE` ("the time zone they were created in").
 * - `zone`: every zoned or UTC DATE-TIME converted to local time in that zone (UTC: the `Z` form);
 *   a recurring master keeps its own zone unless the zone is UTC (see item-output.ts).
 * A request without tzidout gets the stored form in text/calendar, which Lightning leaves alone
 * (docs/lightning.md#inbound-time-zone-styles), and Zulu in text/xml, whose vocabulary is UTC: the
 * formatter decides that, see {@link inUtc}.
 */
export type TimezoneOut = { kind: 'stored' } | { kind: 'zone'; tzid: string };

/** The tzidout value asking for stored zones. */
export const TZNATIVE = 'X-S1CS-TZNATIVE';

/** Parses a non-empty `tzidout`; undefined for a zone the gateway does not know (errno 18). */
export function parseTimezoneOut(value: string): TimezoneOut | undefined {
  const text = value.trim();
  if (text.toUpperCase() === TZNATIVE) return { kind: 'stored' };
  return isKnownTimezone(text) ? { kind: 'zone', tzid: text } : undefined;
}

/**
 * Copies of output components with every item's date-times in UTC, dropping the VTIMEZONEs no
 * item uses any more: the default form of formats whose vocabulary is Zulu (text/xml). Alarms,
 * DATEs and floating times are left as they are.
 */
export function inUtc(components: readonly ICAL.Component[]): ICAL.Component[] {
  const copies = copyItems(components);
  const items = copies.filter((c) => c.name !== 'vtimezone');
  for (const item of items) if (item.name === 'vevent' || item.name === 'vtodo') convertToZone(item, 'UTC');
  const used = usedTimezoneIds(items);
  return copies.filter((c) => c.name !== 'vtimezone' || used.has(String(c.getFirstPropertyValue('tzid'))));
}

/** Date properties converted; CREATED, DTSTAMP, LAST-MODIFIED and COMPLETED are UTC by RFC 5545. */
const ZONED_PROPERTIES = ['dtstart', 'dtend', 'due', 'recurrence-id', 'exdate', 'rdate'];

/**
 * Converts the item's date-times (not DATEs, not floating times, which have no instant) to local
 * time in `tzid`, rewriting TZID; alarms keep their triggers. The caller adds the VTIMEZONE.
 */
export function convertToZone(item: ICAL.Component, tzid: string): void {
  const zone = timezone(tzid);
  if (!zone) return;
  for (const name of ZONED_PROPERTIES) {
    for (const property of item.getAllProperties(name)) {
      const values = property.getValues() as unknown[];
      if (!values.some(convertible)) continue;
      // One TZID serves every value of a property: if one instant has no local name in the zone,
      // the whole property is written in UTC, which names every instant exactly.
      const local = values.map((value) => convertValue(value, zone));
      const converted = local.includes(undefined) ? values.map((value) => convertValue(value, ICAL.Timezone.utcTimezone)!) : local;
      property.removeParameter('tzid');
      if (converted.length === 1) property.setValue(converted[0] as ICAL.Time);
      else property.setValues(converted as ICAL.Time[]);
      const zoned = converted.find((v): v is ICAL.Time => v instanceof ICAL.Time) ?? (converted[0] as ICAL.Period | undefined)?.start;
      const id = zoned ? zoneIdOf(zoned) : undefined;
      if (id) property.setParameter('tzid', id);
    }
  }
}

function convertible(value: unknown): boolean {
  if (value instanceof ICAL.Time) return !isFloating(value);
  return value instanceof ICAL.Period && !isFloating(value.start);
}

/** The value in `zone`; undefined when an instant in it has no exact local time there. */
function convertValue(value: unknown, zone: ICAL.Timezone): unknown {
  if (value instanceof ICAL.Time) return isFloating(value) ? value : exactlyInZone(value, zone);
  if (value instanceof ICAL.Period && !isFloating(value.start)) {
    const start = exactlyInZone(value.start, zone);
    const end = value.end ? exactlyInZone(value.end, zone) : undefined;
    if (!start || (value.end && !end)) return undefined;
    return ICAL.Period.fromData({ start, end, duration: value.duration ?? undefined });
  }
  return value;
}
