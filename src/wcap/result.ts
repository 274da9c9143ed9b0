import type ICAL from 'ical.js';
import { Errno } from './errno.js';
import type { WcapPropertyData } from '../model/wcap-property.js';

/**
 * Format-neutral outcome of a WCAP command. Commands build these; formatters (output/) turn them
 * into text/calendar, text/xml, … Nothing here is a string in any output syntax.
 */

/**
 * One calendar-level property (an X-token such as X-NSCP-WCAP-SESSION-ID). The value is raw and
 * written verbatim (no iCalendar text escaping; clients read X-tokens raw); params become
 * iCalendar parameters / XML attributes, in order.
 */
export type WcapProperty = WcapPropertyData;

/**
 * One VCALENDAR (text/calendar) or one <iCal> element (text/xml): the X-tokens, the components and
 * the errno that belong to one calendar or one answer. Multi-calendar commands return one block per
 * calendar, each with its own errno.
 */
export interface WcapBlock {
  /** X-tokens in output order (login relies on SESSION-ID, USER-ID, CALENDAR-ID order). */
  properties: WcapProperty[];
  /** VEVENT, VTODO, VTIMEZONE, VFREEBUSY … as ical.js components (never shared between blocks). */
  components: ICAL.Component[];
  errno: number;
  /** Human-readable reason, emitted as X-NSCP-WCAP-ERRNO-MESSAGE when errno is not a success. */
  errnoMessage?: string;
  /**
   * true when the components' date-times are as stored because the request named no tzidout: each
   * format then shows them in its own default form (text/xml: Zulu). Absent: written as they are.
   */
  timesAsStored?: boolean;
  /**
   * Components produced while the answer is being sent (export), written after `components`. A
   * failure while producing them ends the answer unfinished (no closing VCALENDAR or element), so
   * a client never takes a partial file for a whole one.
   */
  streamed?: AsyncIterable<ICAL.Component>;
}

/** A file answered as itself instead of a WCAP answer (fetchattachment). */
export interface FileAnswer {
  /** A valid `type/subtype`; the command checks it. */
  contentType: string;
  filename: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface WcapResult {
  blocks: WcapBlock[];
  /** When set, the answer is this file (the blocks are only for the log's errno). */
  file?: FileAnswer;
  /** The answer is meant to be saved (export): its suggested file name, without extension. */
  saveAs?: string;
}

/** A rendered answer; the pipeline sends it with HTTP 200 and no-cache headers. */
export interface RenderedBody {
  /** Full Content-Type value including `; charset=UTF-8`. */
  contentType: string;
  body: string;
}

/**
 * What a format may need to know about the request besides the result. text/calendar, text/xml
 * and text/json ignore it; text/js names the command in its callback, honours `brief` and writes
 * component data as iCalendar or XML text (docs/wcap-protocol.md#output-formats).
 */
export interface RenderContext {
  /** The WCAP command's name, only for a command of the command table (never echoed input). */
  command?: string | undefined;
  /** `brief=1`: text/js writes only the brief fields of events and todos. */
  brief?: boolean | undefined;
  /** `content-out=text/xml`: text/js writes component data as XML instead of iCalendar text. */
  dataAsXml?: boolean | undefined;
  /** The session the request was made in (text/js's `id` and `userid`), once it was found valid. */
  session?: { id: string; user: string } | undefined;
}

/** What is sent: a rendered body, a file, or a body written while it streams out. */
export interface Answer {
  contentType: string;
  body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  /** Headers beyond Content-Type (Content-Disposition of files and exports). */
  headers?: Record<string, string>;
}

/** One output format (fmt-out value). */
export interface Formatter {
  /** The fmt-out value, e.g. `text/calendar`. */
  readonly name: string;
  render(result: WcapResult, context?: RenderContext): RenderedBody;
  /** Renders a result with `streamed` blocks as a stream; formats without it cannot stream. */
  renderStreamed?(result: WcapResult): Answer;
}

export function block(properties: WcapProperty[], components: ICAL.Component[] = [], errno: number = Errno.OK): WcapBlock {
  return { properties, components, errno };
}

export function singleBlock(properties: WcapProperty[], components: ICAL.Component[] = [], errno: number = Errno.OK): WcapResult {
  return { blocks: [block(properties, components, errno)] };
}

export function errorResult(errno: number, message: string): WcapResult {
  return { blocks: [{ properties: [], components: [], errno, errnoMessage: message }] };
}
