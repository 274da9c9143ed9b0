import type ICAL from 'ical.js';
import { itemComponents } from '../../src/mapping/calendar-object.js';
import { parseObject } from '../../src/calendars/object-codec.js';
import { Directory } from '../../src/mapping/directory.js';
import type { Occurrence } from '../../src/mapping/expand.js';
import { vtimezone } from '../../src/mapping/timezones.js';

/** Shared data of the fetch-*.test.ts files. The mail domain of every local user. */
export const directory = new Directory('example.com');

/**
 * The items of one stored object as another CalDAV client writes it: the VTIMEZONEs of `zones`
 * first, then the component lines, parsed the way the fetch commands parse what Radicale returns.
 */
export function stored(zones: string[], ...lines: string[]): ICAL.Component[] {
  const tz = zones.map((z) => vtimezone(z)!.toString());
  return itemComponents(parseObject(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...tz, ...lines, 'END:VCALENDAR'].join('\r\n')));
}

/** One VEVENT's lines: UID first, then the given properties. */
export function vevent(uid: string, ...props: string[]): string[] {
  return ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', ...props, 'END:VEVENT'];
}

/** Unfolded content lines of a component. */
export const linesOf = (c: ICAL.Component): string[] => c.toString().replace(/\r\n /g, '').split('\r\n');

/** The first content line of `name` in a component ("DTSTART;TZID=…:…"), or undefined. */
export const lineOf = (c: ICAL.Component, name: string): string | undefined =>
  linesOf(c).find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));

export const iso = (s: string): Date => new Date(s);
export const startsOf = (occurrences: Occurrence[]): string[] => occurrences.map((o) => o.start.toISOString());
