import type ICAL from 'ical.js';
import type { ItipMessage } from './itip-plan.js';
import type { ItipMethod } from './itip-object.js';

/** A mail address with an optional display name. */
export interface MailAddress {
  name?: string;
  address: string;
}

/** An iMIP message (RFC 6047), independent of the library that sends it. */
export interface OutgoingMail {
  /** The gateway's sender address (WCAP_SMTP_FROM), named after the user who acts. */
  from: MailAddress;
  /** The user who acts: answers go to the organizer or attendee, not to the gateway. */
  replyTo: MailAddress;
  /** Bare addresses; also the SMTP envelope's recipients. */
  to: string[];
  subject: string;
  /** The text/plain alternative, for readers without a calendar. */
  text: string;
  /** The text/calendar alternative: `method` goes into its Content-Type (RFC 6047 §2.4). */
  calendar: { method: ItipMethod; content: string };
}

const MAX_SUBJECT = 200;
const MAX_DESCRIPTION = 4000;

/**
 * The mail of an iTIP message: multipart/alternative with a text/plain part saying what happened
 * and a text/calendar part (UTF-8, `method=` as in the object) holding the iTIP object — RFC 6047
 * §2.4, §3. From is the configured sender, named after the user (relays accept only their own
 * domains); Reply-To is the user.
 */
export function imipMail(message: ItipMessage, sender: string, actor: MailAddress): OutgoingMail {
  const summary = oneLine(String(message.subject.getFirstPropertyValue('summary') ?? '')) || '(no title)';
  const who = actor.name ? oneLine(actor.name) : actor.address;
  return {
    from: { name: who, address: sender },
    replyTo: { ...(actor.name ? { name: oneLine(actor.name) } : {}), address: actor.address },
    to: message.recipients,
    subject: `${subjectPrefix(message)}: ${summary}`.slice(0, MAX_SUBJECT),
    text: textOf(message, who, summary),
    calendar: { method: message.method, content: message.calendar.toString() },
  };
}

function subjectPrefix(message: ItipMessage): string {
  switch (message.purpose) {
    case 'invitation':
      return 'Invitation';
    case 'update':
      return 'Updated invitation';
    case 'cancellation':
    case 'removal':
      return 'Cancelled';
    case 'reply':
      return answerOf(message.subject);
  }
}

function textOf(message: ItipMessage, who: string, summary: string): string {
  const opening = {
    invitation: `${who} invites you to "${summary}".`,
    update: `${who} changed "${summary}".`,
    cancellation: `${who} cancelled "${summary}".`,
    removal: `${who} removed you from "${summary}".`,
    reply: `${who} answered "${summary}": ${answerOf(message.subject).toLowerCase()}.`,
  }[message.purpose];
  const component = message.subject;
  const lines = [opening, ''];
  const start = component.getFirstProperty('dtstart');
  if (start) lines.push(`When:  ${timeText(start)}${endText(component)}`);
  const location = component.getFirstPropertyValue('location');
  if (typeof location === 'string' && location.trim() !== '') lines.push(`Where: ${oneLine(location)}`);
  const organizer = component.getFirstProperty('organizer');
  if (organizer) lines.push(`Organizer: ${personText(organizer)}`);
  const description = component.getFirstPropertyValue('description');
  if (typeof description === 'string' && description.trim() !== '') lines.push('', description.slice(0, MAX_DESCRIPTION));
  lines.push('', 'The calendar part of this message can be added to your calendar by your mail or calendar program.');
  return `${lines.join('\r\n')}\r\n`;
}

/** REPLY wording from the replying attendee's PARTSTAT. */
function answerOf(component: ICAL.Component): string {
  const partstat = String(component.getFirstProperty('attendee')?.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase();
  return { ACCEPTED: 'Accepted', DECLINED: 'Declined', TENTATIVE: 'Tentative', DELEGATED: 'Delegated' }[partstat] ?? 'Answered';
}

function personText(property: ICAL.Property): string {
  const address = String(property.getFirstValue() ?? '').replace(/^mailto:/i, '');
  const cn = property.getParameter('cn');
  return typeof cn === 'string' && cn.trim() !== '' ? `${oneLine(cn)} <${address}>` : address;
}

/** A date or date-time as written, with its zone: `2027-01-05 09:00 Europe/Berlin`, `2027-01-05`. */
function timeText(property: ICAL.Property): string {
  const value = property.getFirstValue() as ICAL.Time;
  const text = value.toString();
  if (value.isDate) return text;
  const tzid = property.getParameter('tzid');
  const zone = typeof tzid === 'string' ? ` ${tzid}` : value.zone?.tzid === 'UTC' || text.endsWith('Z') ? ' UTC' : '';
  return `${text.slice(0, 10)} ${text.slice(11, 16)}${zone}`;
}

function endText(component: ICAL.Component): string {
  const end = component.getFirstProperty('dtend') ?? component.getFirstProperty('due');
  return end ? ` – ${timeText(end)}` : '';
}

/** Header-safe: no line breaks, no control characters. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
