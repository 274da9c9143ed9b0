import ICAL from 'ical.js';
import { isFloating } from './expand.js';
import { zoneIdOf } from './instance-output.js';
import { isKnownTimezone, timezone } from './timezones.js';

/**
 * How output date-times are zoned (WCAP `tzidout`, seed 003 "Time Zones"):
 * - `stored`: each value as stored — local time with TZID plus its VTIMEZONE, UTC, or DATE. This is
 *   the answer to `X-S1CS-TZNATIVE` ("the time zone they were created in") and also to a missing
 *   tzidout: Sun answered Zulu then, but lightning-client.md §11 recommends the standard TZID form
 *   (style b), which Lightning leaves alone, plus the X-NSCP-*-TZID hints the gateway always adds.
 * - `zone`: every zoned or UTC DATE-TIME converted to local time in that zone (UTC: the `Z` form).
 */
export type TimezoneOut = { kind: 'stored' } | { kind: 'zone'; tzid: string };

/** The tzidout value asking for stored zones. */
export const TZNATIVE = 'X-S1CS-TZNATIVE';

/**
 * Parses `tzidout`; undefined for a zone the gateway does not know (callers answer errno 18).
 * `zuluWhenAbsent`: without tzidout the answer is in Zulu (the WCAP default, seed 003; used for
 * text/xml, whose readers parse START/END as UTC), else as stored (text/calendar, see above).
 */
export function parseTimezoneOut(value: string | undefined, zuluWhenAbsent = false): TimezoneOut | undefined {
  const text = value?.trim() ?? '';
  if (text === '' && zuluWhenAbsent) return { kind: 'zone', tzid: 'UTC' };
  if (text === '' || text.toUpperCase() === TZNATIVE) return { kind: 'stored' };
  return isKnownTimezone(text) ? { kind: 'zone', tzid: text } : undefined;
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
      const converted = values.map((value) => convertValue(value, zone));
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

function convertValue(value: unknown, zone: ICAL.Timezone): unknown {
  if (value instanceof ICAL.Time) return isFloating(value) ? value : value.convertToZone(zone);
  if (value instanceof ICAL.Period && !isFloating(value.start)) {
    return ICAL.Period.fromData({
      start: value.start.convertToZone(zone),
      end: value.end ? value.end.convertToZone(zone) : undefined,
      duration: value.duration ?? undefined,
    });
  }
  return value;
}
