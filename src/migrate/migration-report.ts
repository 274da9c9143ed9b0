/** What a migration did, per user and calendar; printed by report-text.ts. */

export interface ItemFailure {
  uid?: string;
  reason: string;
}

export interface Verification {
  /** UIDs read from the old server. */
  oldCount: number;
  /** Of those, how many the new server holds. */
  newCount: number;
  /** UIDs of the old calendar missing on the new server (the first ones; all are counted). */
  missing: string[];
  missingCount: number;
  /** UIDs whose number of components (master plus exceptions) differs between the two sides. */
  differing: string[];
  differingCount: number;
  /** Items on the new server that the old calendar does not have (there before; not an error). */
  extra: number;
}

export interface CalendarReport {
  /** The calendar on the old server. */
  calid: string;
  /** The calendar on the new server. */
  target: string;
  /** How the items were read (export.wcap or the fetch fallback). */
  via?: 'export' | 'fetchcomponents_by_range';
  /** true when this run created the calendar on the new server. */
  created: boolean;
  read: number;
  /** Written to the new server (in a dry run: would be written). */
  written: number;
  skipped: number;
  /** Skipped because the state file has them, or because the new server already has them unchanged. */
  skippedBecause: { state: number; identical: number };
  failures: ItemFailure[];
  /** Absent when the calendar failed as a whole. */
  verification?: Verification;
  /** Why the whole calendar failed (nothing or not everything was read). */
  failure?: string;
}

export interface UserReport {
  user: string;
  calendars: CalendarReport[];
  /** The subscription list carried over; absent when the user failed or --stop-after ended the run first. */
  subscriptions?: SubscriptionsReport;
  /** The preferences carried over; absent like {@link subscriptions}. */
  preferences?: PreferencesReport;
  /** Why the user could not be migrated at all (login refused …). */
  failure?: string;
}

export interface SubscriptionsReport {
  /** New-server calids added to the user's list (in a dry run: to be added). */
  added: string[];
  /** Subscriptions the list on the new server holds already. */
  already: number;
  /** Old calids left out, with the reason. */
  skipped: Array<{ calid: string; reason: string }>;
  /** Why the list could not be read or written. */
  failure?: string;
}

export interface PreferencesReport {
  /** Names added on the new server (in a dry run: to be added). */
  added: string[];
  /** Names the new server has already; its values are kept. */
  already: string[];
  /** Names left out because set_userprefs would refuse them, with the reason. */
  skipped: Array<{ name: string; reason: string }>;
  /** Why the preferences could not be read or written. */
  failure?: string;
}

export interface MigrationReport {
  dryRun: boolean;
  /** Set when --stop-after ended the run early. */
  stoppedAfter?: number;
  users: UserReport[];
}

/** Whether anything failed or the verification found a difference. */
export function hasProblems(report: MigrationReport): boolean {
  return report.users.some(
    (u) =>
      u.failure !== undefined ||
      u.subscriptions?.failure !== undefined ||
      u.preferences?.failure !== undefined ||
      u.calendars.some((c) => c.failure !== undefined || c.failures.length > 0 || (c.verification !== undefined && (c.verification.missingCount > 0 || c.verification.differingCount > 0))),
  );
}
