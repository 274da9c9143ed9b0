/**
 * A date value as WCAP clients send it: a DATE, a floating local time (to be read in the `tzid`
 * parameter's zone) or a UTC time. Parsed by wcap/datetime.ts, converted by mapping/ical-time.ts.
 */
export type WcapDate =
  | { kind: 'date'; year: number; month: number; day: number }
  | { kind: 'floating' | 'utc'; year: number; month: number; day: number; hour: number; minute: number; second: number };
