import type { Logger } from 'pino';
import type { CalendarRepository } from '../calendars/calendar-repository.js';
import { messageOf } from '../model/errors.js';
import { copyCalendar, type WriteBudget } from './copy-calendar.js';
import { calendarProperties, exportCalendar } from './legacy-calendars.js';
import type { LegacyClient, LegacySession } from './legacy-client.js';
import { itemsOfExport } from './legacy-items.js';
import { readUserPrefs } from './legacy-userprefs.js';
import { copyPreferences, copySubscriptions } from './migrate-settings.js';
import type { MigrateOptions } from './migrate-options.js';
import type { CalendarReport, UserReport } from './migration-report.js';
import type { Progress } from './progress.js';
import { writtenUids, type MigrationState, type StateSaver } from './state-file.js';
import { targetCalid } from './target-calid.js';
import type { TargetServer } from './target-server.js';
import type { MigrationUser } from './users-file.js';
import { verifyCalendar } from './verify-calendar.js';

export interface RunContext {
  options: MigrateOptions;
  legacy: LegacyClient;
  target: TargetServer;
  state: MigrationState;
  saver: StateSaver;
  progress: Progress;
  budget: WriteBudget;
  /** The administrator's password for proxy logins. */
  adminPassword?: string;
  log: Logger;
}

/**
 * Migrates every calendar one user owns on the old server, then the user's subscription list and
 * preferences (after the calendars, so that a list the user never changed holds the copied ones).
 * Never throws: failures go in the report.
 */
export async function migrateUser(entry: MigrationUser, ctx: RunContext): Promise<UserReport> {
  const report: UserReport = { user: entry.user, calendars: [] };
  if (entry.newPassword === undefined) return { ...report, failure: 'no password for the new server in the users file' };
  let session: LegacySession;
  try {
    session = await legacyLogin(entry, ctx);
  } catch (err) {
    return { ...report, failure: `old server: ${messageOf(err)}` };
  }
  try {
    const { calendars, preferences } = await readUserPrefs(session);
    let repository: CalendarRepository;
    try {
      repository = await ctx.target.open({ user: entry.user, password: entry.newPassword }, ctx.log, ctx.options.dryRun);
    } catch (err) {
      return { ...report, failure: `new server: ${messageOf(err)}` };
    }
    for (const { calid, name } of calendars.owned) {
      if (ctx.budget.exhausted) break;
      report.calendars.push(await migrateCalendar(session, repository, { calid, name, isDefault: calid === calendars.defaultCalid }, ctx));
    }
    if (!ctx.budget.exhausted) {
      report.subscriptions = await copySubscriptions(repository, calendars, ctx.options.dryRun);
      report.preferences = await copyPreferences(repository, preferences, ctx.options.dryRun);
    }
    return report;
  } catch (err) {
    return { ...report, failure: `old server: ${messageOf(err)}` };
  } finally {
    await session.logout();
  }
}

function legacyLogin(entry: MigrationUser, ctx: RunContext): Promise<LegacySession> {
  if (ctx.options.proxyAdmin !== undefined) {
    return ctx.legacy.login({ user: ctx.options.proxyAdmin, password: ctx.adminPassword ?? '', proxyFor: entry.user });
  }
  return ctx.legacy.login({ user: entry.user, password: entry.oldPassword ?? '' });
}

async function migrateCalendar(
  session: LegacySession,
  repository: CalendarRepository,
  old: { calid: string; name: string; isDefault: boolean },
  ctx: RunContext,
): Promise<CalendarReport> {
  const target = targetCalid(old, repository.user);
  const report: CalendarReport = { calid: old.calid, target, created: false, read: 0, written: 0, skipped: 0, skippedBecause: { state: 0, identical: 0 }, failures: [] };
  try {
    const properties = await calendarProperties(session, old.calid);
    const exported = await exportCalendar(session, old.calid);
    report.via = exported.via;
    const { items, unusable } = itemsOfExport(exported.calendars);
    report.read = items.length + unusable.length;
    if (report.read > ctx.options.maxItems) {
      report.failure = `${report.read} items, more than --max-items ${ctx.options.maxItems}; nothing copied`;
      ctx.progress.calendarDone(summary(session.user, report, ctx.options.dryRun));
      return report;
    }
    report.failures.push(...unusable);
    ctx.progress.calendarStarted(session.user, old.calid, items.length, exported.via);
    const written = writtenUids(ctx.state, session.user, old.calid);
    const displayName = properties.name ?? (old.name || old.calid);
    const calendar = await copyCalendar(
      repository,
      { calid: target, properties: { displayName, ...(properties.description ? { description: properties.description } : {}), ...(properties.timezone ? { timezone: properties.timezone } : {}) } },
      items,
      written,
      {
        dryRun: ctx.options.dryRun,
        concurrency: ctx.options.concurrency,
        maxObjectBytes: ctx.options.maxObjectBytes,
        budget: ctx.budget,
        onItem: () => ctx.progress.item(),
        onWritten: () => ctx.saver.noteWrite(),
      },
      report,
    );
    await ctx.saver.flush();
    if (!ctx.options.dryRun && !ctx.budget.exhausted) {
      report.verification = await verifyCalendar(calendar, items, unusable.flatMap((u) => (u.uid ? [u.uid] : [])));
    }
  } catch (err) {
    await ctx.saver.flush().catch(() => undefined);
    report.failure = messageOf(err);
  }
  ctx.progress.calendarDone(summary(session.user, report, ctx.options.dryRun));
  return report;
}

function summary(user: string, report: CalendarReport, dryRun: boolean): string {
  const counts = `${report.read} read, ${report.written} ${dryRun ? 'to write' : 'written'}, ${report.skipped} skipped, ${report.failures.length + (report.failure ? 1 : 0)} failed`;
  return `${user} ${report.calid} -> ${report.target}: ${counts}${report.failure ? ` (${report.failure})` : ''}`;
}
