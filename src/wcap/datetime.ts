/**
 * WCAP date values as clients send them (docs/wcap-protocol.md#date-forms; Lightning's use in
 * docs/lightning.md#range-fetch and docs/lightning.md#store-request-layout):
 * `0` (open / none), `YYYYMMDD` (a DATE), `YYYYMMDDTHHMMSS` (floating: local time in `tzid`),
 * `YYYYMMDDTHHMMSSZ` (UTC). Extended ISO forms with `-` and `:` are accepted as well.
 */
import type { WcapDate } from '../model/wcap-date.js';

export type { WcapDate };

const BASIC = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/;
const EXTENDED = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z)?)?$/;

/**
 * Parses one WCAP date value. Returns null for `0` (the open bound / "no date"), undefined when the
 * text is not a valid date (callers turn that into an errno naming the parameter).
 */
export function parseWcapDate(text: string): WcapDate | null | undefined {
  const value = text.trim();
  if (value === '0') return null;
  const m = BASIC.exec(value) ?? EXTENDED.exec(value.toUpperCase());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDay(year, month, day)) return undefined;
  if (m[4] === undefined) return { kind: 'date', year, month, day };
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')];
  // 24:00:00 and leap seconds are not valid iCalendar times; refuse instead of normalising.
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { kind: m[7] ? 'utc' : 'floating', year, month, day, hour, minute, second };
}

function validDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last;
}

/** `YYYYMMDDTHHMMSSZ` for a JS Date (always UTC). */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The text form of a WcapDate (inverse of parseWcapDate). */
export function formatWcapDate(d: WcapDate): string {
  const date = `${pad(d.year, 4)}${pad(d.month)}${pad(d.day)}`;
  if (d.kind === 'date') return date;
  return `${date}T${pad(d.hour)}${pad(d.minute)}${pad(d.second)}${d.kind === 'utc' ? 'Z' : ''}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
