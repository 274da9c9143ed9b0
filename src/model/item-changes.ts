import type { WcapDate } from './wcap-date.js';

/** One attendee as a store command names it (docs/wcap-protocol.md#attendee-syntax). */
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

/** When an alarm fires: a duration relative to the start (`-PT15M`) or an absolute date. */
export type AlarmTrigger = { duration: string } | { date: WcapDate };

/**
 * One alarm. The 6.x parameters give one per kind (alarmStart + alarmEmails → EMAIL, alarmPopup →
 * DISPLAY, alarmAudio → AUDIO, alarmFlashing → DISPLAY); WCAP 7's `alarms` gives whole VALARMs,
 * carried as iCalendar property lines in `lines`.
 */
export type AlarmInput =
  | { action: 'EMAIL' | 'DISPLAY' | 'AUDIO'; trigger: AlarmTrigger; emails: string[]; description?: string }
  | { action: 'RAW'; lines: string[] };

/**
 * What a storeevents / storetodos request asks to change. For every field: undefined = not sent,
 * leave as stored; null (or an empty list for rules) = clear it; a value = set it. Multi-valued
 * fields replace or append per `replace`; rules and alarms always replace
 * (docs/wcap-protocol.md#updating-values).
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
  /** Files stored inline (ATTACH;VALUE=BINARY) by a multipart store; added to those already there. */
  files?: AttachedFile[];
  /** X-S1CS-ATTACH-ID values of inline attachments to remove (`deleteattach`). */
  deleteAttachIds?: string[];
  relatedTos?: string[] | null;
  contacts?: string[] | null;
  geo?: { latitude: number; longitude: number } | null;
  sequence?: number | null;
  /** RFC 5646 language tag for the text fields. */
  language?: string | null;
  attendees?: AttendeeInput[];
  organizer?: OrganizerInput;
  /** undefined = unchanged; [] = remove all alarms. */
  alarms?: AlarmInput[];
  /** RRULE values (upper case, without `RRULE:`); [] clears. Always replace. */
  rrules?: string[];
  exrules?: string[];
  rdates?: WcapDate[] | null;
  exdates?: WcapDate[] | null;
  /** excludedtstart=1: DTSTART is no instance unless the rules produce it. */
  excludeDtstart?: boolean;
  /** X-properties sent as parameters: name (upper case) → value, null = remove. */
  xProperties?: Record<string, string | null>;
  /** true: list values replace the stored ones; false: they are appended (WCAP `replace`). */
  replace: boolean;
}

/** A file a store attaches inline (docs/wcap-protocol.md#attachments). */
export interface AttachedFile {
  /** Its X-S1CS-ATTACH-ID: what fetchattachment takes as `attachid`. */
  attachId: string;
  filename: string;
  /** A valid `type/subtype`. */
  contentType: string;
  /** The file's bytes in base64. */
  base64: string;
}
