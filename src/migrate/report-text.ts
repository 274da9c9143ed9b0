import type { CalendarReport, MigrationReport, PreferencesReport, SubscriptionsReport } from './migration-report.js';

/** Names listed per report line; the rest is counted. */
const LISTED = 10;

/**
 * The end-of-run report as text: per user and calendar the counts, failures with reasons,
 * verification; per user one line for the subscription list and one for the preferences.
 */
export function reportText(report: MigrationReport): string {
  const lines: string[] = [report.dryRun ? 'Dry run: nothing was written. Report of what would be written:' : 'Migration report:'];
  const rows: string[][] = [['user', 'old calendar', 'new calendar', 'read', report.dryRun ? 'to write' : 'written', 'skipped', 'failed', 'verified']];
  for (const user of report.users) {
    if (user.failure) rows.push([user.user, '-', '-', '0', '0', '0', '1', `FAILED: ${user.failure}`]);
    for (const calendar of user.calendars) {
      rows.push([user.user, calendar.calid, calendar.target, String(calendar.read), String(calendar.written), String(calendar.skipped), String(failedCount(calendar)), verdict(calendar, report)]);
    }
  }
  lines.push(...table(rows));
  for (const user of report.users) {
    for (const calendar of user.calendars) lines.push(...details(user.user, calendar));
    if (user.subscriptions) lines.push(subscriptionsLine(user.user, user.subscriptions, report.dryRun));
    if (user.preferences) lines.push(preferencesLine(user.user, user.preferences, report.dryRun));
    if (!user.failure && !user.subscriptions && report.stoppedAfter !== undefined) lines.push(`${user.user}: subscriptions and preferences: not copied yet (stopped)`);
  }
  if (report.stoppedAfter !== undefined) lines.push(`Stopped after ${report.stoppedAfter} writes (--stop-after); run the same command again to continue.`);
  return `${lines.join('\n')}\n`;
}

function subscriptionsLine(user: string, subscriptions: SubscriptionsReport, dryRun: boolean): string {
  if (subscriptions.failure) return `${user}: subscriptions: FAILED: ${subscriptions.failure}`;
  const { added, already, skipped } = subscriptions;
  const others = added.some((calid) => calid !== user && !calid.startsWith(`${user}:`));
  return (
    `${user}: subscriptions: ${added.length} ${dryRun ? 'to add' : 'added'}${listed(added)}, ${already} already there, ` +
    `${skipped.length} skipped${listed(skipped.map((s) => `${s.calid}: ${s.reason}`))}` +
    (others ? "; other users' calendars are listed without checking access: one the user cannot read yet answers errno 28 in the client until it is shared on the new server" : '')
  );
}

function preferencesLine(user: string, preferences: PreferencesReport, dryRun: boolean): string {
  if (preferences.failure) return `${user}: preferences: FAILED: ${preferences.failure}`;
  const { added, already, skipped } = preferences;
  return (
    `${user}: preferences: ${added.length} ${dryRun ? 'to add' : 'added'}${listed(added)}, ` +
    `${already.length} already there and kept${listed(already)}, ${skipped.length} skipped${listed(skipped.map((s) => `${s.name}: ${s.reason}`))}`
  );
}

/** ` (a, b, …)`: the first names of a list, or nothing for an empty one. */
function listed(names: readonly string[]): string {
  if (names.length === 0) return '';
  return ` (${names.slice(0, LISTED).join(', ')}${names.length > LISTED ? ', …' : ''})`;
}

function failedCount(calendar: CalendarReport): number {
  return calendar.failures.length + (calendar.failure ? 1 : 0);
}

function verdict(calendar: CalendarReport, report: MigrationReport): string {
  if (calendar.failure) return `FAILED: ${calendar.failure}`;
  if (report.dryRun) return 'dry run';
  const v = calendar.verification;
  if (!v) return report.stoppedAfter !== undefined ? 'not verified (stopped)' : 'not verified';
  if (v.missingCount === 0 && v.differingCount === 0) return `ok ${v.newCount}/${v.oldCount}`;
  return `DIFFERS ${v.newCount}/${v.oldCount}`;
}

function details(user: string, calendar: CalendarReport): string[] {
  const lines: string[] = [];
  const at = `${user} ${calendar.calid}`;
  const { state, identical } = calendar.skippedBecause;
  if (state + identical > 0) lines.push(`${at}: skipped ${state} already copied (state file), ${identical} already on the new server unchanged`);
  for (const failure of calendar.failures) lines.push(`${at}: failed ${failure.uid ?? '(no UID)'}: ${failure.reason}`);
  const v = calendar.verification;
  if (v && v.missingCount > 0) lines.push(`${at}: verification: ${v.missingCount} missing on the new server: ${v.missing.join(', ')}${v.missingCount > v.missing.length ? ', …' : ''}`);
  if (v && v.differingCount > 0) lines.push(`${at}: verification: ${v.differingCount} with another number of exceptions: ${v.differing.join(', ')}${v.differingCount > v.differing.length ? ', …' : ''}`);
  if (v && v.extra > 0) lines.push(`${at}: ${v.extra} items on the new calendar that the old one does not have (left alone)`);
  return lines;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}
