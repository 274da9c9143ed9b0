import ICAL from 'ical.js';
import { vtimezone } from './timezones.js';

const TZID_PARAM = /;TZID=(?:"([^"]*)"|([^:;\r\n]*))/gi;

/**
 * The VTIMEZONEs a set of stored objects uses, found without parsing them all (export writes
 * zones before the items it streams): TZID parameters are picked from the text; the gateway's
 * canonical definition serves every zone it knows, and for another zone the first object that
 * defines it is parsed for its VTIMEZONE (one definition per TZID in one file). A zone no object
 * defines is left out, as it was when stored.
 */
export function zonesUsedIn(texts: readonly string[]): ICAL.Component[] {
  const tzids = new Set<string>();
  for (const text of texts) {
    if (!text.includes('TZID=') && !text.includes('tzid=')) continue;
    for (const match of text.matchAll(TZID_PARAM)) tzids.add((match[1] ?? match[2] ?? '').trim());
  }
  const zones: ICAL.Component[] = [];
  for (const tzid of tzids) {
    const zone = vtimezone(tzid) ?? storedZone(tzid, texts);
    if (zone) zones.push(zone);
  }
  return zones;
}

function storedZone(tzid: string, texts: readonly string[]): ICAL.Component | undefined {
  for (const text of texts) {
    if (!text.includes(tzid) || !/BEGIN:VTIMEZONE/i.test(text)) continue;
    try {
      const vcalendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
      const zone = vcalendar.getAllSubcomponents('vtimezone').find((z) => z.getFirstPropertyValue('tzid') === tzid);
      if (zone) return zone;
    } catch {
      // An object that cannot be parsed is left out of the export too.
    }
  }
  return undefined;
}
