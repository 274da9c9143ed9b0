import type ICAL from 'ical.js';

/**
 * Properties whose change makes a meeting change "significant" for its attendees: they must
 * look at it again, and the organizer raises SEQUENCE (RFC 5546 §2.1.4 names the dates, the
 * recurrence set and STATUS). A changed title or description is not significant.
 */
const SIGNIFICANT = ['dtstart', 'dtend', 'due', 'duration', 'rrule', 'rdate', 'exdate', 'exrule', 'status'];

/** The significant content of one component, for comparing two versions of it. */
export function significantContent(component: ICAL.Component): string {
  return SIGNIFICANT.map((name) => component.getAllProperties(name).map((p) => p.toICALString()).join(',')).join('|');
}

/** Whether the component is a meeting: it has attendees (RFC 5546 §1.4, group-scheduled). */
export function isMeeting(component: ICAL.Component): boolean {
  return component.hasProperty('attendee');
}

/** SEQUENCE of a component (absent counts as 0, RFC 5545 §3.8.7.4). */
export function sequenceOf(component: ICAL.Component): number {
  const value = Number(component.getFirstPropertyValue('sequence') ?? 0);
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** SEQUENCE + 1. */
export function raiseSequence(component: ICAL.Component): void {
  component.updatePropertyWithValue('sequence', sequenceOf(component) + 1);
}

/**
 * Raises SEQUENCE of a meeting whose significant content differs from `before` (taken with
 * {@link significantContent} before the change) to one more than its own or `floor`, whichever
 * is higher: an override or a split-off part the gateway made from a master has no SEQUENCE of
 * its own, and must not count as older than the series the attendees hold. Call it only for the
 * organizer's changes: an attendee's copy keeps the organizer's numbering.
 */
export function raiseSequenceIfSignificant(component: ICAL.Component, before: string, floor = 0): void {
  if (!isMeeting(component) || significantContent(component) === before) return;
  component.updatePropertyWithValue('sequence', Math.max(sequenceOf(component), floor) + 1);
}
