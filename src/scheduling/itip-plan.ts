import type ICAL from 'ical.js';
import { resolveCalendarUser } from '../mapping/attendees.js';
import { itemComponents, uidOf } from '../mapping/calendar-object.js';
import { namesUser, organizedBy, partstatOf } from '../mapping/calendar-user.js';
import { stripMailto, type Directory } from '../mapping/directory.js';
import { setTimeProperty, utcTime } from '../mapping/ical-time.js';
import { significantContent } from '../mapping/significance.js';
import type { ComponentType } from '../model/calendar.js';
import { cancelledCopy, fullCopy, itipCalendar, reducedCopy, type ItipMethod } from './itip-object.js';

/** One version of an item: the object holding it, and its UID and type. */
export interface ItemVersion {
  vcalendar: ICAL.Component;
  uid: string;
  type: ComponentType;
}

/** What a write did to one item: `before` null for a created item, `after` null for a deleted one. */
export interface ItemChange {
  before: ItemVersion | null;
  after: ItemVersion | null;
  /** true for an attendee's answer (WCAP method=4). */
  reply: boolean;
}

/** Why a message is sent; the wording of its subject and text follows it. */
export type ItipPurpose = 'invitation' | 'update' | 'cancellation' | 'removal' | 'reply';

/** One iTIP message the change calls for. */
export interface ItipMessage {
  method: ItipMethod;
  purpose: ItipPurpose;
  uid: string;
  type: ComponentType;
  /** Bare mail addresses, each once. */
  recipients: string[];
  /** The iTIP object (VCALENDAR with METHOD). */
  calendar: ICAL.Component;
  /** The component the text part describes (master, or the first one sent). */
  subject: ICAL.Component;
  /** Where the delivery status of each recipient is kept on the stored item (none once deleted). */
  statusOn: 'attendee' | 'organizer' | null;
}

/**
 * The iTIP messages (RFC 5546) a write by `user` calls for, for a server that does not schedule:
 * - the organizer's new meeting → REQUEST to every attendee;
 * - the organizer's change → REQUEST to added attendees, REQUEST to the others when the change is
 *   significant (dates, recurrence, status), CANCEL to removed attendees;
 * - the organizer's deletion of the whole item → CANCEL to every attendee;
 * - an attendee's answer (reply) → REPLY to the organizer with that attendee alone, when the
 *   answer changed.
 * Never to the user who acts, nor to the organizer as an attendee; an attendee marked
 * SCHEDULE-AGENT=CLIENT or NONE schedules for itself (RFC 6638 §7.1). Items without ORGANIZER
 * are no meetings; a user who is not the organizer sends only replies.
 */
export function planMessages(change: ItemChange, user: string, directory: Directory, now: Date): ItipMessage[] {
  const stamped = (messages: ItipMessage[]) => messages.map((m) => stampMessage(m, now));
  return stamped(plan(change, user, directory));
}

function plan(change: ItemChange, user: string, directory: Directory): ItipMessage[] {
  const { before, after } = change;
  if (change.reply) return after ? planReply(before, after, user, directory) : [];
  const current = after ?? before;
  if (!current) return [];
  const master = componentsOf(current)[0];
  if (!master || !organizedBy(master, user, directory)) return [];
  if (!after) {
    const components = componentsOf(before!);
    const recipients = recipientsOf(components, user, directory);
    if (recipients.length === 0) return [];
    return [message('CANCEL', 'cancellation', before!, components.map(cancelledCopy), recipients, null)];
  }
  const components = componentsOf(after);
  const now = recipientsOf(components, user, directory);
  const messages: ItipMessage[] = [];
  const previous = before ? componentsOf(before) : [];
  const had = new Set(recipientsOf(previous, user, directory).map((r) => r.toLowerCase()));
  const added = before ? now.filter((r) => !had.has(r.toLowerCase())) : now;
  const kept = before ? now.filter((r) => had.has(r.toLowerCase())) : [];
  if (added.length > 0) messages.push(message('REQUEST', 'invitation', after, components.map(fullCopy), added, 'attendee'));
  if (kept.length > 0 && significance(previous) !== significance(components)) {
    messages.push(message('REQUEST', 'update', after, components.map(fullCopy), kept, 'attendee'));
  }
  const remaining = new Set(now.map((r) => r.toLowerCase()));
  const removed = [...had].filter((r) => !remaining.has(r));
  if (before && removed.length > 0) {
    const removedRecipients = recipientsOf(previous, user, directory).filter((r) => !remaining.has(r.toLowerCase()));
    const gone = new Set(removed);
    const cancel = previous.slice(0, 1).map((c) => reducedCopy(c, (a) => gone.has(addressOf(a, directory).toLowerCase())));
    messages.push(message('CANCEL', 'removal', before, cancel, removedRecipients, null));
  }
  return messages;
}

/** REPLY: the user's own ATTENDEE line of each component whose answer changed. */
function planReply(before: ItemVersion | null, after: ItemVersion, user: string, directory: Directory): ItipMessage[] {
  const components = componentsOf(after);
  const organizer = components[0]?.getFirstProperty('organizer');
  if (!organizer || namesUser(organizer, user, directory)) return [];
  const previous = new Map((before ? componentsOf(before) : []).map((c) => [instanceKey(c), c]));
  const answered = components.filter((component) => {
    const own = component.getAllProperties('attendee').find((a) => namesUser(a, user, directory));
    if (!own) return false;
    const earlier = previous.get(instanceKey(component))?.getAllProperties('attendee').find((a) => namesUser(a, user, directory));
    return !earlier || partstatOf(earlier) !== partstatOf(own);
  });
  if (answered.length === 0) return [];
  const reply = answered.map((c) => reducedCopy(c, (a) => namesUser(a, user, directory)));
  return [message('REPLY', 'reply', after, reply, [addressOf(organizer, directory)], 'organizer')];
}

function message(
  method: ItipMethod,
  purpose: ItipPurpose,
  version: ItemVersion,
  components: ICAL.Component[],
  recipients: string[],
  statusOn: ItipMessage['statusOn'],
): ItipMessage {
  const calendar = itipCalendar(method, version.vcalendar, components);
  const subject = calendar.getAllSubcomponents().find((c) => c.name !== 'vtimezone')!;
  return { method, purpose, uid: version.uid, type: version.type, recipients, calendar, subject, statusOn };
}

/** DTSTAMP of an iTIP message is when the message was made (RFC 5546 §3.2). */
function stampMessage(message: ItipMessage, now: Date): ItipMessage {
  const stamp = utcTime(new Date(Math.floor(now.getTime() / 1000) * 1000));
  for (const component of message.calendar.getAllSubcomponents()) {
    if (component.name !== 'vtimezone') setTimeProperty(component, 'dtstamp', stamp);
  }
  return message;
}

/** Master first, then overrides. */
function componentsOf(version: ItemVersion): ICAL.Component[] {
  const all = itemComponents(version.vcalendar, version.type).filter((c) => uidOf(c) === version.uid);
  return [...all.filter((c) => !c.hasProperty('recurrence-id')), ...all.filter((c) => c.hasProperty('recurrence-id'))];
}

/** Attendees the gateway mails for the organizer `user`, each once, in order of appearance. */
function recipientsOf(components: ICAL.Component[], user: string, directory: Directory): string[] {
  const seen = new Map<string, string>();
  for (const component of components) {
    const organizer = component.getFirstProperty('organizer');
    const organizerAddress = organizer ? addressOf(organizer, directory).toLowerCase() : undefined;
    for (const attendee of component.getAllProperties('attendee')) {
      const agent = attendee.getParameter('schedule-agent');
      if (typeof agent === 'string' && agent.toUpperCase() !== 'SERVER') continue;
      if (namesUser(attendee, user, directory)) continue;
      const address = addressOf(attendee, directory);
      if (!address.includes('@') || address.toLowerCase() === organizerAddress) continue;
      if (!seen.has(address.toLowerCase())) seen.set(address.toLowerCase(), address);
    }
  }
  return [...seen.values()];
}

/** The bare mail address of an ATTENDEE or ORGANIZER (a bare calid becomes its owner's mail). */
export function addressOf(property: ICAL.Property, directory: Directory): string {
  return stripMailto(resolveCalendarUser(String(property.getFirstValue() ?? ''), directory).uri);
}

function instanceKey(component: ICAL.Component): string {
  return component.getFirstProperty('recurrence-id')?.toICALString() ?? '';
}

/** The significant content of every component, by instance (a new or vanished override counts). */
function significance(components: ICAL.Component[]): string {
  return components.map((c) => `${instanceKey(c)}=${significantContent(c)}`).sort().join('\n');
}
