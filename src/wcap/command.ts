import type { Logger } from 'pino';
import type { CalendarBackend } from '../backend/calendar-backend.js';
import type { Config } from '../config.js';
import type { Directory } from '../mapping/directory.js';
import type { Clock } from '../model/clock.js';
import type { Session } from '../model/session.js';
import type { GuidStore } from '../state/guid-store.js';
import type { SessionStore } from '../state/session-store.js';
import type { SyncStateStore } from '../state/sync-state-store.js';
import type { TombstoneStore } from '../state/tombstone-store.js';
import type { TtlCache } from '../state/memory/ttl-cache.js';
import type { CalendarInfo } from '../model/calendar.js';
import type { ParamSchema, ParamsOf } from './params.js';
import type { RawParams } from './raw-params.js';
import type { WcapResult } from './result.js';
import { WcapError } from './wcap-error.js';

/** Everything a command may use; built once in main.ts, replaced by fakes in tests. */
export interface GatewayDeps {
  config: Readonly<Config>;
  backend: CalendarBackend;
  sessions: SessionStore;
  guids: GuidStore;
  clock: Clock;
  directory: Directory;
  /** Calendar properties per (user, calendar URL), kept briefly so a fetch costs one REPORT. */
  calendarCache: TtlCache<CalendarInfo>;
  /** Deleted items and instances per calendar, dated, for fetch_deletedcomponents. */
  tombstones: TombstoneStore;
  /** Per calendar, the last sync-collection token and what each object URL held (to date others' deletions). */
  syncState: SyncStateStore;
}

export interface CommandContext<P> {
  params: P;
  /** The caller's session; always set for commands with `needsSession`. */
  session: Session | undefined;
  /** The session id as sent (only for logout, which must delete it). */
  sessionId: string | undefined;
  /** Every parameter as received, for commands that read free-form names (X- properties). */
  raw: RawParams;
  deps: GatewayDeps;
  log: Logger;
  /**
   * The fmt-out being answered. Only output defaults may depend on it (text/xml is in Zulu when
   * tzidout is absent); commands never build output text.
   */
  format: string;
}

/** A WCAP command: its name, session need, failure errno, parameters and behaviour. */
export interface Command<S extends ParamSchema = ParamSchema> {
  /** Exactly the WCAP name, without `.wcap`. */
  name: string;
  needsSession: boolean;
  /** The errno for failures without a more specific one (e.g. 14 for storeevents). */
  failsWith: number;
  params: S;
  run(ctx: CommandContext<ParamsOf<S>>): Promise<WcapResult>;
}

export function defineCommand<S extends ParamSchema>(command: Command<S>): Command<S> {
  return command;
}

/** The session of a command that declared `needsSession` (the pipeline guarantees it). */
export function sessionOf(ctx: CommandContext<unknown>): Session {
  if (!ctx.session) throw new WcapError(1, 'Login failed, session ID timed out or invalid');
  return ctx.session;
}
