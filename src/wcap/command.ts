import type { Logger } from 'pino';
import type { CalendarRepository } from '../calendars/calendar-repository.js';
import type { Directory } from '../mapping/directory.js';
import type { Clock } from '../model/clock.js';
import type { Session } from '../model/session.js';
import type { InputLimits } from './input-limits.js';
import type { ParamSchema, ParamsOf } from './params.js';
import type { WcapResult } from './result.js';
import type { Upload } from './upload.js';

/** Facts about this server that commands announce or obey; no secrets. */
export interface ServerProfile {
  /** X-NSCP-RECURRENCE-BOUND: most instances of one series a client expands, and the gateway's cap. */
  recurrenceBound: number;
  /** Most attendees one item may have after a store (WCAP_MAX_ATTENDEES, errno 43 beyond). */
  maxAttendees: number;
  /** Calendar users ⇄ mail addresses. */
  directory: Directory;
  /** Most items a range delete changes per calendar (WCAP_RANGE_DELETE_MAX_ITEMS); absent: 1000. */
  rangeDeleteMaxItems?: number;
}

/** Opening, ending and checking sessions: what login, logout and check_id do. */
export interface SessionControl {
  /**
   * Validates the credentials with the CalDAV server, prepares the user's calendars and opens a
   * session. Returns its id. Throws WcapError LOGIN_FAILED (1) for refused credentials.
   */
  open(user: string, password: string): Promise<string>;
  /** Ends the session whose id the request carries (nothing when it carries none). */
  end(): Promise<void>;
  /** Whether the id the request carries names a live session. */
  isAlive(): Promise<boolean>;
}

/** What a command gets: its parameters and the few services commands use. */
export interface CommandContext<P> {
  params: P;
  /** The caller's session; always set for commands with `needsSession`. */
  session: Session | undefined;
  /** The session's calendars. Using it in a command without a session throws errno 1. */
  calendars: CalendarRepository;
  sessions: SessionControl;
  clock: Clock;
  log: Logger;
  server: ServerProfile;
  /** Files the request carried (commands with `takesUploads`); empty otherwise. */
  uploads: readonly Upload[];
  /** What one request may carry (import and attachment bounds among them). */
  limits: InputLimits;
}

/** A WCAP command: its name, session need, failure errno, parameters and behaviour. */
export interface Command<S extends ParamSchema = ParamSchema> {
  /** Exactly the WCAP name, without `.wcap`. */
  name: string;
  needsSession: boolean;
  /** The errno for failures without a more specific one (e.g. 14 for storeevents). */
  failsWith: number;
  params: S;
  /**
   * The command reads files from the request: multipart file parts (`files`), or also a whole
   * body that is not a form (`files-or-body`, import). app.ts spools them (http/upload-body.ts)
   * within WCAP_MAX_UPLOAD_BYTES instead of WCAP_MAX_BODY_BYTES.
   */
  takesUploads?: 'files' | 'files-or-body';
  /**
   * The parameter naming the answer's format when it is not `fmt-out` (export's `content-out`);
   * `fmt-out` still applies when it is absent.
   */
  formatParam?: string;
  run(ctx: CommandContext<ParamsOf<S>>): Promise<WcapResult>;
}

export function defineCommand<S extends ParamSchema>(command: Command<S>): Command<S> {
  return command;
}
