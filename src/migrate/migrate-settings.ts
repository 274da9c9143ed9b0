import type { CalendarRepository } from '../calendars/calendar-repository.js';
import type { PreferenceValues } from '../mapping/user-preferences.js';
import { messageOf } from '../model/errors.js';
import type { LegacyCalendarList } from './legacy-calendars.js';
import type { PreferencesReport, SubscriptionsReport } from './migration-report.js';
import { mergePreferences } from './preference-merge.js';
import { mergeSubscriptions, subscriptionsOnNewServer } from './subscription-merge.js';

/**
 * The user's subscription list and preferences, added to what the new server keeps on the user's
 * calendar home (the repository's settings, docs/wcap-protocol.md#subscriptions-and-preferences).
 * One read and at most one write each; a dry run only reads. Never throws: failures go in the report.
 */

/**
 * Adds the old subscriptions to the list on the new server (the stored one, else the user's own
 * calendars, as the gateway answers it). Read rights are not checked, unlike subscribe_calendars:
 * the new server's sharing may not be set up yet.
 */
export async function copySubscriptions(repository: CalendarRepository, calendars: LegacyCalendarList, dryRun: boolean): Promise<SubscriptionsReport> {
  const { calids, unusable } = subscriptionsOnNewServer(calendars, repository.user, (calid) => repository.canonicalCalid(calid));
  const skipped = unusable.map((calid) => ({ calid, reason: 'names no calendar on the new server' }));
  try {
    const merge = mergeSubscriptions(await repository.subscriptions(), calids);
    if (!dryRun && merge.added.length > 0) await repository.settings.writeSubscriptions(merge.list);
    return { added: merge.added, already: merge.already, skipped: [...skipped, ...merge.overLimit.map((calid) => ({ calid, reason: 'the list is full' }))] };
  } catch (err) {
    return { added: [], already: 0, skipped, failure: `new server: ${messageOf(err)}` };
  }
}

/** Adds the old server's user-settable preferences the new server does not have yet (see mergePreferences). */
export async function copyPreferences(repository: CalendarRepository, old: PreferenceValues, dryRun: boolean): Promise<PreferencesReport> {
  try {
    const settings = repository.settings;
    const { preferences, added, already, skipped } = mergePreferences((await settings.read()).preferences, old);
    if (!dryRun && added.length > 0) await settings.writePreferences(preferences);
    return { added, already, skipped };
  } catch (err) {
    return { added: [], already: [], skipped: [], failure: `new server: ${messageOf(err)}` };
  }
}
