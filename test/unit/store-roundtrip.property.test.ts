import fc from 'fast-check';
import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGoldenGateway, enc, type GoldenGateway } from '../support/golden-gateway.js';

/**
 * Property: any valid set of store parameters, stored and fetched back through the real pipeline
 * (over the in-memory CalDAV fake), gives back an equivalent item. Escaping, time zones, all-day
 * values, attendees with odd names, alarms and recurrence rules are all in the mix.
 */
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
const CLASSES = ['PUBLIC', 'PRIVATE', 'CONFIDENTIAL'];
const STATUSES = ['CONFIRMED', 'CANCELLED', 'TENTATIVE'];

// Printable text including the characters that break naive encoders; no control characters
// (iCalendar TEXT cannot carry them) and no leading/trailing blanks (clients trim).
const text = fc
  .string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', ':', '\\', '"', '<', '&', '^', '%', '+', '=', 'é', '日', '😀', '\n'), minLength: 1, maxLength: 40 })
  .map((s) => s.trim())
  .filter((s) => s !== '' && s !== 'null');
// ical.js 2.2.1 reads `\;` and `\,` inside a quoted parameter value as `;` and `,` (RFC 5545 has no
// backslash escapes in parameters), so a CN holding a backslash does not survive its parser: a known
// limitation listed in the README, kept out of the generated names.
const cnText = text.filter((s) => !s.includes('\\'));
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'X', '1', '-', ' ', 'ü'), minLength: 1, maxLength: 12 }).map((s) => s.trim()).filter((s) => s !== '');

const item = fc.record({
  start: fc.integer({ min: Date.UTC(2001, 0, 1) / 60000, max: Date.UTC(2037, 0, 1) / 60000 }).map((m) => new Date(m * 60000)),
  minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  allDay: fc.boolean(),
  tzid: fc.constantFrom(...ZONES),
  summary: text,
  desc: fc.option(text, { nil: undefined }),
  location: fc.option(text, { nil: undefined }),
  priority: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
  icsClass: fc.constantFrom(...CLASSES),
  status: fc.integer({ min: 0, max: 2 }),
  transparent: fc.boolean(),
  categories: fc.uniqueArray(word, { maxLength: 3 }),
  attendees: fc.uniqueArray(fc.record({ local: fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/), cn: cnText }), { maxLength: 3, selector: (a) => a.local }),
  alarmMinutes: fc.option(fc.integer({ min: 0, max: 2880 }), { nil: undefined }),
  rule: fc.option(fc.constantFrom('FREQ=DAILY;COUNT=5', 'FREQ=WEEKLY;BYDAY=MO,WE', 'FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12', 'FREQ=YEARLY'), { nil: undefined }),
});

const utc = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const day = (d: Date) => utc(d).slice(0, 8);

describe('store → fetch round trip (property)', () => {
  let gateway: GoldenGateway;
  let id: string;
  let counter = 0;
  beforeAll(async () => {
    gateway = buildGoldenGateway();
    id = await gateway.login('alice');
  });

  it('gives back an equivalent item for any valid parameters', async () => {
    await fc.assert(
      fc.asyncProperty(item, async (input) => {
        const uid = `prop-${++counter}`;
        const end = new Date(input.start.getTime() + input.minutes * 60000);
        const endDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() + 1));
        const params = [
          `dtstart=${input.allDay ? day(input.start) : utc(input.start)}`,
          `dtend=${input.allDay ? day(endDay) : utc(end)}`,
          `isAllDay=${input.allDay ? 1 : 0}`,
          `tzid=${enc(input.tzid)}`,
          `summary=${enc(input.summary)}`,
          `desc=${input.desc === undefined ? '' : enc(input.desc.replace(/\n/g, '\r\n'))}`,
          `location=${input.location === undefined ? '' : enc(input.location)}`,
          `priority=${input.priority ?? 'null'}`,
          `icsClass=${input.icsClass}`,
          `status=${input.status}`,
          `transparent=${input.transparent ? 1 : 0}`,
          // Lightning sends categories raw (docs/lightning.md#store-request-layout); encode them so
          // `;` stays safe.
          `categories=${input.categories.map(enc).join(';')}`,
          `attendees=${input.attendees.map((a) => `PARTSTAT=NEEDS-ACTION^CN=${enc(a.cn)}^${enc(`mailto:${a.local}@example.org`)}`).join(';')}`,
          input.alarmMinutes === undefined ? 'alarmStart=&alarmPopup=&alarmEmails=' : `alarmStart=-PT${input.alarmMinutes}M&alarmEmails=${enc('alice@example.com')}`,
          `rrules=${input.rule ? enc(`"${input.rule}"`) : ''}`,
        ].join('&');
        const stored = await gateway.get('storeevents', `id=${id}&${params}&uid=${uid}&storetype=1&fetch=1&replace=1&emailorcalid=1&fmt-out=text%2Fcalendar&calid=alice`);
        expect(stored.body).toContain('X-NSCP-WCAP-ERRNO:0');
        const fetched = await gateway.get('fetchevents_by_id', `id=${id}&uid=${uid}&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&calid=alice`);
        const vcal = new ICAL.Component(ICAL.parse(fetched.body) as unknown[]);
        const events = vcal.getAllSubcomponents('vevent');
        expect(events).toHaveLength(1);
        const event = events[0]!;
        expect(event.getFirstPropertyValue('summary')).toBe(input.summary);
        expect(event.getFirstPropertyValue('description') ?? undefined).toBe(input.desc);
        expect(event.getFirstPropertyValue('location') ?? undefined).toBe(input.location);
        expect(event.getFirstPropertyValue('priority') ?? undefined).toBe(input.priority);
        expect(event.getFirstPropertyValue('class')).toBe(input.icsClass);
        expect(event.getFirstPropertyValue('status')).toBe(STATUSES[input.status]);
        expect(event.getFirstPropertyValue('transp')).toBe(input.transparent ? 'TRANSPARENT' : 'OPAQUE');
        const categories = event.getAllProperties('categories').flatMap((p) => p.getValues() as string[]);
        expect(categories).toEqual(input.categories);
        const start = event.getFirstPropertyValue('dtstart') as ICAL.Time;
        const finish = event.getFirstPropertyValue('dtend') as ICAL.Time;
        if (input.allDay) {
          expect(start.isDate).toBe(true);
          expect(start.toICALString()).toBe(day(input.start));
          expect(finish.toICALString()).toBe(day(endDay));
        } else {
          expect(start.toUnixTime() * 1000).toBe(input.start.getTime());
          expect(finish.toUnixTime() * 1000).toBe(end.getTime());
          if (input.tzid !== 'UTC') expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe(input.tzid);
        }
        const attendees = event.getAllProperties('attendee').map((p) => [p.getFirstValue(), p.getParameter('cn')]);
        // Line breaks cannot live in parameters for clients without RFC 6868: they are stored as spaces.
        expect(attendees).toEqual(input.attendees.map((a) => [`mailto:${a.local}@example.org`, a.cn.replace(/\n+/g, ' ').trim()]));
        const alarms = event.getAllSubcomponents('valarm');
        if (input.alarmMinutes === undefined) expect(alarms).toHaveLength(0);
        else expect((alarms[0]!.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds()).toBe(input.alarmMinutes === 0 ? 0 : -60 * input.alarmMinutes);
        const rule = event.getFirstPropertyValue('rrule') as ICAL.Recur | null;
        expect(rule ? ICAL.Recur.fromString(rule.toString()).toString() : undefined).toBe(input.rule ? ICAL.Recur.fromString(input.rule).toString() : undefined);
      }),
      { numRuns: 80 },
    );
    // Generous: 80 runs take well under a second alone, but share two cores with the whole suite.
  }, 60_000);
});
