import type ICAL from 'ical.js';
import type { WcapDate } from '../model/wcap-date.js';

/**
 * The record of a series split in progress (docs/architecture.md#series-splits). A "this and
 * future" (mod=2) or "this and prior" (mod=3) edit writes two objects: the new series, then the
 * original with the part the new series took over removed. The new series is written first and
 * carries this property on its master, naming the original; until it is removed again, the split
 * is not known to be complete. Whoever meets it (a later read or write, in any gateway process)
 * completes the split from what is on the server: see series-split.ts.
 */
export const SPLIT_MARKER = 'X-WCAP-GATEWAY-SPLIT-FROM';

/** Cheap test on an object's text, before any parsing: markers are rare. */
const MARKER_LINE = /^X-WCAP-GATEWAY-SPLIT-FROM[;:]/im;

export interface SplitIntent {
  /** UID of the series that was split (it keeps this UID). */
  originalUid: string;
  /** The original's version (ETag) when the split was decided: for the log, not for the decision. */
  originalVersion: string;
  /** The instance the client named, UTC date-time or DATE (iCalendar form). */
  rid: string;
  /** 2: the original keeps what is before `rid`; 3: it keeps what follows `rid`. */
  mod: 2 | 3;
}

/** Whether an object's text may hold a split marker (false means certainly not). */
export function mayHoldSplitIntent(ical: string): boolean {
  return MARKER_LINE.test(ical);
}

/** Puts the marker on the new series' master. */
export function markSplit(master: ICAL.Component, intent: SplitIntent): void {
  const value = new URLSearchParams({ uid: intent.originalUid, version: intent.originalVersion, rid: intent.rid, mod: String(intent.mod) });
  master.updatePropertyWithValue(SPLIT_MARKER.toLowerCase(), value.toString());
}

/** Removes the marker; false when there was none. */
export function clearSplitMarker(master: ICAL.Component): boolean {
  if (!master.hasProperty(SPLIT_MARKER.toLowerCase())) return false;
  master.removeAllProperties(SPLIT_MARKER.toLowerCase());
  return true;
}

/**
 * The intent a master carries, or null. A marker is believed only when the master's UID is the
 * one a split derives from the original and the instance (`<uid>-R<rid>`, mapping/series-edit.ts), so a marker
 * copied into another item, or written by hand, can never truncate an unrelated series.
 */
export function splitIntentOf(master: ICAL.Component): SplitIntent | null {
  const raw = master.getFirstPropertyValue(SPLIT_MARKER.toLowerCase());
  if (typeof raw !== 'string' || raw.length > 4096) return null;
  const fields = new URLSearchParams(raw);
  const originalUid = fields.get('uid');
  const rid = fields.get('rid');
  const mod = fields.get('mod');
  if (!originalUid || !rid || (mod !== '2' && mod !== '3') || !/^\d{8}(T\d{6}Z)?$/.test(rid)) return null;
  if (String(master.getFirstPropertyValue('uid')) !== `${originalUid}-R${rid}`) return null;
  return { originalUid, originalVersion: fields.get('version') ?? '', rid, mod: mod === '2' ? 2 : 3 };
}

/** The intent's instance as a WCAP date (UTC, or a DATE for all-day series). */
export function ridOf(intent: SplitIntent): WcapDate {
  const [year, month, day, hour, minute, second] = [0, 4, 6, 9, 11, 13].map((at, i) => Number(intent.rid.slice(at, at + (i === 0 ? 4 : 2))));
  if (intent.rid.length === 8) return { kind: 'date', year: year!, month: month!, day: day! };
  return { kind: 'utc', year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! };
}
