import type ICAL from 'ical.js';
import { namesUser, organizedBy, ownAttendee, partstatOf } from './calendar-user.js';
import type { Directory } from './directory.js';

/**
 * WCAP `compstate` keywords (docs/wcap-protocol.md#compstate; Lightning's list is in its
 * calIWcapCalendar.idl, see docs/lightning.md#sources).
 */
export const COMPSTATES = [
  'REPLY-DECLINED',
  'REPLY-ACCEPTED',
  'REQUEST-COMPLETED',
  'REQUEST-NEEDS-ACTION',
  'REQUEST-NEEDSNOACTION',
  'REQUEST-PENDING',
  'REQUEST-WAITFORREPLY',
] as const;

export type CompState = (typeof COMPSTATES)[number];

/** A compstate filter: the keywords asked for, or undefined for ALL (no filtering). */
export type CompStateFilter = ReadonlySet<CompState> | undefined;

/**
 * Parses the `compstate` list (case-insensitive). Absent, empty or containing ALL → undefined (no
 * filter). Unknown keywords are ignored; a list of nothing but unknown keywords matches nothing,
 * which is safer than answering with everything.
 */
export function parseCompstate(list: readonly string[] | undefined): CompStateFilter {
  const words = (list ?? []).map((w) => w.trim().toUpperCase()).filter((w) => w !== '');
  if (words.length === 0 || words.includes('ALL')) return undefined;
  return new Set(COMPSTATES.filter((state) => words.includes(state)));
}

/**
 * The scheduling state of an item for `user` (the session's user), or undefined for an item that
 * is no invitation of theirs (no attendees, or the user neither organizes nor attends):
 * - organizer side (the user organizes and others attend): REQUEST-WAITFORREPLY while any other
 *   attendee's PARTSTAT is NEEDS-ACTION, else REQUEST-COMPLETED. REQUEST-PENDING ("invitations being
 *   sent") never applies: the gateway sends no invitations, so none is ever in transit.
 * - attendee side (from the user's own ATTENDEE): DECLINED or DELEGATED → REPLY-DECLINED; ACCEPTED,
 *   TENTATIVE (a reply that is not a refusal) and the task states IN-PROCESS, COMPLETED →
 *   REPLY-ACCEPTED; NEEDS-ACTION → REQUEST-NEEDSNOACTION when no reply is wanted (RSVP=FALSE given
 *   explicitly, or ROLE=NON-PARTICIPANT), else REQUEST-NEEDS-ACTION. An absent RSVP counts as
 *   wanting one: many clients leave it out, and Lightning's invitation counter asks for exactly
 *   REQUEST-NEEDS-ACTION (docs/lightning.md#range-fetch).
 */
export function compstateOf(item: ICAL.Component, user: string, directory: Directory): CompState | undefined {
  if (organizedBy(item, user, directory)) {
    const others = item.getAllProperties('attendee').filter((a) => !namesUser(a, user, directory));
    if (others.length === 0) return undefined;
    return others.some((a) => partstatOf(a) === 'NEEDS-ACTION') ? 'REQUEST-WAITFORREPLY' : 'REQUEST-COMPLETED';
  }
  const own = ownAttendee(item, user, directory);
  if (!own) return undefined;
  const partstat = partstatOf(own);
  if (partstat === 'DECLINED' || partstat === 'DELEGATED') return 'REPLY-DECLINED';
  if (partstat !== 'NEEDS-ACTION') return 'REPLY-ACCEPTED';
  const rsvp = String(own.getParameter('rsvp') ?? '').toUpperCase();
  const role = String(own.getParameter('role') ?? '').toUpperCase();
  return rsvp === 'FALSE' || role === 'NON-PARTICIPANT' ? 'REQUEST-NEEDSNOACTION' : 'REQUEST-NEEDS-ACTION';
}

/** True when the filter lets the item through (always for ALL). */
export function matchesCompstate(item: ICAL.Component, filter: CompStateFilter, user: string, directory: Directory): boolean {
  if (!filter) return true;
  const state = compstateOf(item, user, directory);
  return state !== undefined && filter.has(state);
}
