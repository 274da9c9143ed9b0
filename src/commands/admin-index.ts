import type { AdminCommand } from '../wcap/admin-command.js';
import admin_logout from './admin_logout.js';
import get_session from './get_session.js';
import refresh from './refresh.js';
import shutdown from './shutdown.js';

/**
 * The 3.x administrative commands, by name: served only by the admin listener (admin-app.ts), so
 * the WCAP listener answers them 52 like any unknown command.
 */
const ADMIN_COMMANDS: AdminCommand[] = [admin_logout, get_session, refresh, shutdown] as AdminCommand[];

export const adminCommandRegistry: ReadonlyMap<string, AdminCommand> = new Map(ADMIN_COMMANDS.map((c) => [c.name, c]));
