import type { Logger } from 'pino';
import type { SessionTimes } from '../state/session-store.js';
import type { ParamSchema, ParamsOf } from './params.js';
import type { WcapResult } from './result.js';

/**
 * What the administrative commands may do (docs/wcap-protocol.md#administrative-commands). Built by
 * gateway.ts; commands never see stores or listeners.
 */
export interface AdminControl {
  /** Live sessions of all users (every replica's, with Redis). */
  sessionCount(): Promise<number>;
  /** The live sessions of one user, by login and last access (never ids). */
  sessionsOf(user: string, limit: number): Promise<SessionTimes[]>;
  /** Ends every session of a user, in the shared store (so on every replica); answers how many. */
  logoutUser(user: string): Promise<number>;
  /** Empties this process's caches. */
  refreshCaches(): Promise<void>;
  /** Stops this process gracefully once the current answer has been sent. */
  shutdown(): void;
}

export interface AdminCommandContext<P> {
  params: P;
  admin: AdminControl;
  log: Logger;
}

/**
 * A command of the 3.x administrative group: served only by the admin listener (gateway.ts), never
 * by the WCAP listener, and never given a session.
 */
export interface AdminCommand<S extends ParamSchema = ParamSchema> {
  name: string;
  /** The errno for failures without a more specific one. */
  failsWith: number;
  params: S;
  run(ctx: AdminCommandContext<ParamsOf<S>>): Promise<WcapResult>;
}

export function defineAdminCommand<S extends ParamSchema>(command: AdminCommand<S>): AdminCommand<S> {
  return command;
}
