import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { Directory } from '../../src/mapping/directory.js';
import { planMessages, type ItemVersion } from '../../src/scheduling/itip-plan.js';

const directory = new Directory('example.com');
const NOW = new Date('2029-01-02T03:04:05.678Z');

/** A stored object holding one event (plus `extra` components, e.g. an override). */
function version(lines: string[], ...extra: string[][]): ItemVersion {
  const components = [lines, ...extra].map((c) => ['BEGIN:VEVENT', 'UID:m1', 'DTSTAMP:20290101T000000Z', ...c, 'END:VEVENT']);
  const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...components.flat(), 'END:VCALENDAR'].join('\r\n');
  return { vcalendar: new ICAL.Component(ICAL.parse(text) as unknown[]), uid: 'm1', type: 'VEVENT' };
}

const ORG = 'ORGANIZER;X-S1CS-CALID=frank:mailto:frank@example.com';
const meeting = (...more: string[]) => [
  'SUMMARY:Review',
  'SEQUENCE:0',
  'DTSTART:20290105T090000Z',
  'DTEND:20290105T100000Z',
  ORG,
  'ATTENDEE;PARTSTAT=ACCEPTED;X-S1CS-CALID=frank:mailto:frank@example.com',
  'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:guest@external.test',
  'ATTENDEE;PARTSTAT=NEEDS-ACTION;X-S1CS-CALID=dave:mailto:dave@example.com',
  ...more,
];

describe('planMessages', () => {
  it('a new meeting: one REQUEST to every attendee but the organizer, the whole item, no alarms or statuses', () => {
    const after = version([...meeting('BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT5M', 'DESCRIPTION:x', 'END:VALARM', 'X-WCAP-GATEWAY-SPLIT-FROM:x')]);
    after.vcalendar.getFirstSubcomponent('vevent')!.getAllProperties('attendee')[1]!.setParameter('schedule-status', '5.1');
    const [message, ...rest] = planMessages({ before: null, after, reply: false }, 'frank', directory, NOW);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({ method: 'REQUEST', purpose: 'invitation', uid: 'm1', recipients: ['guest@external.test', 'dave@example.com'], statusOn: 'attendee' });
    const text = message!.calendar.toString();
    expect(text).toContain('METHOD:REQUEST');
    expect(text).toContain('ATTENDEE;PARTSTAT=ACCEPTED;X-S1CS-CALID=frank:mailto:frank@example.com');
    expect(text).not.toMatch(/VALARM|SCHEDULE-STATUS|X-WCAP-GATEWAY/);
    // DTSTAMP says when the message was made (RFC 5546 §3.2).
    expect(text).toContain('DTSTAMP:20290102T030405Z');
  });

  it('an item without ORGANIZER, or organized by someone else, sends no REQUEST', () => {
    const noOrganizer = version(['DTSTART:20290105T090000Z', 'ATTENDEE:mailto:guest@external.test']);
    expect(planMessages({ before: null, after: noOrganizer, reply: false }, 'frank', directory, NOW)).toEqual([]);
    expect(planMessages({ before: null, after: version(meeting()), reply: false }, 'dave', directory, NOW)).toEqual([]);
  });

  it('an insignificant change (title) sends nothing; a significant one (time, STATUS, a new override) a REQUEST to all', () => {
    const before = version(meeting());
    expect(planMessages({ before, after: version(meeting().map((l) => (l === 'SUMMARY:Review' ? 'SUMMARY:Other' : l))), reply: false }, 'frank', directory, NOW)).toEqual([]);
    const moved = version(meeting().map((l) => (l.startsWith('DTSTART') ? 'DTSTART:20290105T080000Z' : l)));
    expect(planMessages({ before, after: moved, reply: false }, 'frank', directory, NOW).map((m) => [m.method, m.purpose, m.recipients])).toEqual([
      ['REQUEST', 'update', ['guest@external.test', 'dave@example.com']],
    ]);
    const cancelled = version(meeting('STATUS:CANCELLED'));
    expect(planMessages({ before, after: cancelled, reply: false }, 'frank', directory, NOW)).toHaveLength(1);
    const withOverride = version(meeting('RRULE:FREQ=DAILY;COUNT=3'), ['RECURRENCE-ID:20290106T090000Z', 'DTSTART:20290106T110000Z', ORG, 'ATTENDEE:mailto:guest@external.test']);
    expect(planMessages({ before: version(meeting('RRULE:FREQ=DAILY;COUNT=3')), after: withOverride, reply: false }, 'frank', directory, NOW)[0]?.purpose).toBe('update');
  });

  it('attendees added and removed: REQUEST to the new one, CANCEL with only the removed one', () => {
    const before = version(meeting());
    const after = version(meeting().filter((l) => !l.includes('dave')).concat('ATTENDEE:mailto:new@external.test'));
    const messages = planMessages({ before, after, reply: false }, 'frank', directory, NOW);
    expect(messages.map((m) => [m.method, m.purpose, m.recipients, m.statusOn])).toEqual([
      ['REQUEST', 'invitation', ['new@external.test'], 'attendee'],
      ['CANCEL', 'removal', ['dave@example.com'], null],
    ]);
    const cancel = messages[1]!.calendar.getFirstSubcomponent('vevent')!;
    expect(cancel.getAllProperties('attendee').map((a) => a.getFirstValue())).toEqual(['mailto:dave@example.com']);
    expect(cancel.getFirstPropertyValue('organizer')).toBe('mailto:frank@example.com');
    expect(cancel.getFirstPropertyValue('uid')).toBe('m1');
  });

  it('deleting the meeting: CANCEL of every component with STATUS:CANCELLED and SEQUENCE + 1', () => {
    const before = version(meeting('SEQUENCE:4').filter((l) => l !== 'SEQUENCE:0'));
    const [cancel, ...rest] = planMessages({ before, after: null, reply: false }, 'frank', directory, NOW);
    expect(rest).toEqual([]);
    expect(cancel).toMatchObject({ method: 'CANCEL', purpose: 'cancellation', recipients: ['guest@external.test', 'dave@example.com'], statusOn: null });
    const vevent = cancel!.calendar.getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(vevent.getFirstPropertyValue('sequence')).toBe(5);
  });

  it('a reply: REPLY to the organizer with only the user as attendee, and only when the answer changed', () => {
    const before = version(meeting());
    const after = version(meeting().map((l) => (l.includes('dave') ? l.replace('NEEDS-ACTION', 'ACCEPTED') : l)));
    const [reply, ...rest] = planMessages({ before, after, reply: true }, 'dave', directory, NOW);
    expect(rest).toEqual([]);
    expect(reply).toMatchObject({ method: 'REPLY', purpose: 'reply', recipients: ['frank@example.com'], statusOn: 'organizer' });
    const vevent = reply!.calendar.getFirstSubcomponent('vevent')!;
    expect(vevent.getAllProperties('attendee').map((a) => a.toICALString())).toEqual(['ATTENDEE;PARTSTAT=ACCEPTED;X-S1CS-CALID=dave:mailto:dave@example.com']);
    expect(vevent.getFirstPropertyValue('sequence')).toBe(0);
    expect(vevent.hasProperty('description')).toBe(false);
    expect(planMessages({ before: after, after, reply: true }, 'dave', directory, NOW)).toEqual([]);
    // The organizer answering his own meeting mails nobody.
    expect(planMessages({ before, after, reply: true }, 'frank', directory, NOW)).toEqual([]);
  });

  it('skips attendees that schedule for themselves (SCHEDULE-AGENT=CLIENT) and addresses without a domain', () => {
    const after = version([...meeting().filter((l) => !l.includes('guest')), 'ATTENDEE;SCHEDULE-AGENT=CLIENT:mailto:self@external.test']);
    expect(planMessages({ before: null, after, reply: false }, 'frank', directory, NOW)[0]?.recipients).toEqual(['dave@example.com']);
  });
});
