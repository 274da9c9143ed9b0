import { vtimezone } from '../../src/mapping/timezones.js';

/**
 * Calendar objects as another CalDAV client writes them (own VTIMEZONE, no X-S1CS parameters),
 * stored directly on the fake CalDAV server by the golden tests. `components` holds the lines of
 * each VEVENT/VTODO after UID and DTSTAMP (the master first, then exceptions); `zone` (optional)
 * adds that VTIMEZONE.
 */
export function foreignObject(uid: string, zone: string | undefined, components: string[][], name: 'VEVENT' | 'VTODO' = 'VEVENT'): string[] {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Other Client//EN',
    ...(zone ? vtimezone(zone)!.toString().split('\r\n') : []),
    ...components.flatMap((lines) => [`BEGIN:${name}`, `UID:${uid}`, 'DTSTAMP:20260201T120000Z', ...lines, `END:${name}`]),
    'END:VCALENDAR',
  ];
}
