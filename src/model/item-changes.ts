import type { WcapDate } from './wcap-date.js';

/** One attendee as a store command names it (wcap-protocol.md §3.6). */
export interface AttendeeInput {
  /** Calendar user address as sent: `mailto:…`, a bare mail address or a calid. */
  address: string;
  /** Upper-case parameter name → value (PARTSTAT, ROLE, RSVP, CN, CUTYPE, …). */
  params: Record<string, string>;
}

/** The organizer named by orgCalid / orgEmail / orgCN. */
export interface OrganizerInput {
  calid?: string;
  email?: string;
  cn?: string;
}

/** An alarm as storeevents describes it (alarmStart, alarmEmails, alarmPopup, alarmDescription). */
export interface AlarmInput {
  /** ISO 8601 duration relative to the start (`-PT15M`) or an absolute date. */
  trigger: { duration: string } | { date: WcapDate };
  /** EMAIL alarm recipients; empty → no EMAIL alarm. */
  emails: string[];
  /** Also a DISPLAY alarm (alarmPopup). */
  popup: boolean;
  description?: string;
}

/**
 * What a storeevents / storetodos request asks to change. For every field: undefined = not sent,
 * leave as stored; null = clear it; a value = set it. Lists replace or append per `replace`.
 */
export interface ItemChanges {
  dtstart?: WcapDate | null;
  /** Events: end; todos use `due`. */
  dtend?: WcapDate | null;
  due?: WcapDate | null;
  /** ISO 8601 duration, used when no dtend/due is given. */
  duration?: string | null;
  isAllDay?: boolean;
  /** Zone for floating inputs and for storing UTC inputs as local time. */
  tzid?: string;
  summary?: string | null;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  priority?: number | null;
  classification?: string | null;
  /** iCalendar STATUS value (already mapped from WCAP's integers). */
  status?: string | null;
  transparent?: boolean;
  percent?: number | null;
  completed?: WcapDate | null;
  categories?: string[] | null;
  resources?: string[] | null;
  attachments?: string[] | null;
  attendees?: AttendeeInput[];
  organizer?: OrganizerInput;
  /** undefined = unchanged; null = remove all alarms. */
  alarm?: AlarmInput | null;
  /** true: list values replace the stored ones; false: they are appended (WCAP `replace`). */
  replace: boolean;
}
