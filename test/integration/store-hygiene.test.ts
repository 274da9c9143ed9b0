import fc from 'fast-check';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * No store parameter can add a property or a component to what the gateway writes on the CalDAV
 * server: hostile values (line breaks of every kind, quotes, separators, control characters and
 * whole iCalendar lines) are escaped, or refused with an errno, and the object Radicale holds is
 * read back and compared property by property.
 */
const USER = 'carol';

// Pieces an attacker would splice into a value; fast-check joins them in any order.
const HOSTILE = [
  'a', 'Zoë', ' ', '\r', '\n', '\r\n', ':', ';', ',', '"', '\\', '^', "'", '\t', '\u2028', '<',
  'ATTENDEE;PARTSTAT=ACCEPTED:mailto:evil@attacker.example', 'BEGIN:VEVENT', 'END:VEVENT', 'END:VCALENDAR',
  'X-INJECTED:1', '\u0000', '\u0001', '\u001f', '\u007f',
];
const hostile = fc.array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

/** Store parameter → the one property name it may write (organizer parameters need an address). */
const TARGETS: Array<{ param: string; property: string; value: (text: string) => string; also?: string }> = [
  { param: 'summary', property: 'SUMMARY', value: enc },
  { param: 'desc', property: 'DESCRIPTION', value: enc },
  { param: 'location', property: 'LOCATION', value: enc },
  { param: 'icsUrl', property: 'URL', value: (t) => enc(`https://example.org/${t}`) },
  { param: 'categories', property: 'CATEGORIES', value: enc },
  { param: 'resources', property: 'RESOURCES', value: (t) => enc(`"${t}"`) },
  { param: 'attachments', property: 'ATTACH', value: (t) => enc(`"https://example.org/${t}"`) },
  { param: 'relatedTos', property: 'RELATED-TO', value: (t) => enc(`"${t}"`) },
  { param: 'contacts', property: 'CONTACT', value: (t) => enc(`"${t}"`) },
  { param: 'X-PROBE', property: 'X-PROBE', value: enc },
  { param: 'orgCN', property: 'ORGANIZER', value: (t) => `${enc(t)}&orgEmail=${enc('boss@example.com')}` },
  // A meeting gets its organizer, the calendar's owner (RFC 5545 §3.8.4.3).
  { param: 'attendees', property: 'ATTENDEE', value: (t) => `PARTSTAT=NEEDS-ACTION^CN=${enc(t)}^${enc('mailto:guest@example.org')}`, also: 'ORGANIZER' },
];
/** What every stored event has besides the parameter's own property. */
const BASE = ['UID', 'TRANSP', 'DTSTAMP', 'CREATED', 'LAST-MODIFIED', 'DTSTART', 'DTEND', 'SEQUENCE', 'X-NSCP-DTSTART-TZID', 'X-NSCP-DTEND-TZID'];

describe('store parameters cannot add properties or components on the CalDAV server', () => {
  let h: Harness;
  let id: string;
  let counter = 0;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  it.each(TARGETS)('$param', async ({ param, property, value, also }) => {
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const uid = `hygiene-${Date.now()}-${++counter}`;
        const answer = await h.wcap(
          'storeevents',
          `id=${id}&calid=${USER}&uid=${uid}&dtstart=20290105T090000Z&dtend=20290105T100000Z&storetype=1&fmt-out=text%2Fxml&${param}=${value(text)}`,
        );
        const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
        if (answer.errno !== 0) {
          // Refused: a message says why, and nothing was written.
          expect(answer.body).toMatch(/<X-NSCP-WCAP-ERRNO-MESSAGE>[^<]+</);
          expect(res.status).toBe(404);
          return;
        }
        expect(res.status).toBe(200);
        const stored = await res.text();
        // No control character, and no CR outside a CRLF line end.
        expect(stored).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\r(?!\n)/);
        const vcalendar = new ICAL.Component(ICAL.parse(stored) as unknown[]);
        const [event, ...others] = vcalendar.getAllSubcomponents().filter((c) => c.name !== 'vtimezone');
        expect(others).toEqual([]);
        expect(event!.getAllSubcomponents()).toEqual([]);
        const names = new Set(event!.getAllProperties().map((p) => p.name.toUpperCase()));
        names.delete(property);
        if (also) names.delete(also);
        for (const name of BASE) names.delete(name);
        expect([...names]).toEqual([]);
        if (!['CATEGORIES', 'RESOURCES', 'ATTACH', 'RELATED-TO', 'CONTACT', 'ATTENDEE'].includes(property)) {
          expect(event!.getAllProperties(property.toLowerCase()).length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 25, seed: 20261203 },
    );
  });
});
