import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { Directory } from '../../src/mapping/directory.js';
import { imipMail } from '../../src/scheduling/imip-message.js';
import { planMessages, type ItemVersion } from '../../src/scheduling/itip-plan.js';
import { nodemailerMessage, relayName } from '../../src/scheduling/mail-transport.js';

const directory = new Directory('example.com');
const NOW = new Date('2029-01-02T03:04:05.678Z');

function invitation(summary: string, extra: string[] = []): ItemVersion {
  const text = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN',
    'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD', 'END:VTIMEZONE',
    'BEGIN:VEVENT', 'UID:u1', 'DTSTAMP:20290101T000000Z', `SUMMARY:${summary}`, 'DTSTART;TZID=Europe/Berlin:20290105T090000',
    'DTEND;TZID=Europe/Berlin:20290105T100000', 'LOCATION:Room 7', 'ORGANIZER;CN=Frank F:mailto:frank@example.com',
    'ATTENDEE;CN=Zoë:mailto:zoe@external.test', ...extra, 'END:VEVENT', 'END:VCALENDAR',
  ].join('\r\n');
  return { vcalendar: new ICAL.Component(ICAL.parse(text) as unknown[]), uid: 'u1', type: 'VEVENT' };
}

/** Builds the MIME message exactly as the transport hands it to nodemailer, and parses it back. */
async function compiled(summary: string) {
  const [message] = planMessages({ before: null, after: invitation(summary), reply: false }, 'frank', directory, NOW);
  const mail = imipMail(message!, 'calendar@example.com', { name: 'frank', address: 'frank@example.com' });
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail(nodemailerMessage(mail));
  const raw = (info.message as Buffer).toString('utf8');
  return { mail, raw, parsed: await simpleParser(raw) };
}

describe('imipMail', () => {
  it('From is the gateway sender named after the user, Reply-To the user, To the attendees', async () => {
    const { mail } = await compiled('Review');
    expect(mail.from).toEqual({ name: 'frank', address: 'calendar@example.com' });
    expect(mail.replyTo).toEqual({ name: 'frank', address: 'frank@example.com' });
    expect(mail.to).toEqual(['zoe@external.test']);
    expect(mail.subject).toBe('Invitation: Review');
    expect(mail.calendar.method).toBe('REQUEST');
  });

  it('the text part says who, what, when (with the zone), where and the organizer', async () => {
    const { mail } = await compiled('Review');
    expect(mail.text.split('\r\n')).toEqual([
      'frank invites you to "Review".',
      '',
      'When:  2029-01-05 09:00 Europe/Berlin – 2029-01-05 10:00 Europe/Berlin',
      'Where: Room 7',
      'Organizer: Frank F <frank@example.com>',
      '',
      'The calendar part of this message can be added to your calendar by your mail or calendar program.',
      '',
    ]);
  });

  it('a title with line breaks cannot add headers: the subject is one line', async () => {
    const after = invitation('x');
    after.vcalendar.getFirstSubcomponent('vevent')!.updatePropertyWithValue('summary', 'Hi\r\nBcc: evil@attacker.example');
    const [message] = planMessages({ before: null, after, reply: false }, 'frank', directory, NOW);
    const mail = imipMail(message!, 'calendar@example.com', { name: 'frank', address: 'frank@example.com' });
    expect(mail.subject).toBe('Invitation: Hi Bcc: evil@attacker.example');
  });

  it('MIME: multipart/alternative with text/plain and text/calendar (method, UTF-8) holding the iTIP object', async () => {
    const { raw, parsed } = await compiled('Café – Zoë');
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(raw).toMatch(/^Content-Type: text\/calendar; charset=utf-8; method=REQUEST/m);
    expect(parsed.subject).toBe('Invitation: Café – Zoë');
    expect(parsed.text).toContain('frank invites you to "Café – Zoë"');
    const part = /Content-Type: text\/calendar[^\r]*\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n([\s\S]*?)\r\n--/.exec(raw);
    expect(part).not.toBeNull();
    const ics = Buffer.from(part![1]!.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    const vcalendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(vcalendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');
    expect(vcalendar.getFirstSubcomponent('vevent')?.getFirstPropertyValue('summary')).toBe('Café – Zoë');
  });

  it('a REPLY names the answer in the subject and the text', () => {
    const before = invitation('Review', ['ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:dave@example.com']);
    const after = invitation('Review', ['ATTENDEE;PARTSTAT=DECLINED:mailto:dave@example.com']);
    const [reply] = planMessages({ before, after, reply: true }, 'dave', directory, NOW);
    const mail = imipMail(reply!, 'calendar@example.com', { name: 'dave', address: 'dave@example.com' });
    expect(mail.subject).toBe('Declined: Review');
    expect(mail.to).toEqual(['frank@example.com']);
    expect(mail.text).toContain('dave answered "Review": declined.');
  });
});

describe('relayName', () => {
  it('drops user and password', () => {
    expect(relayName('smtps://user:s3cret@mail.example.org:465')).toBe('smtps://mail.example.org:465');
    expect(relayName('smtp://127.0.0.1:2525')).toBe('smtp://127.0.0.1:2525');
  });
});
