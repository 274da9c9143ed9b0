import { MAX_SUBSCRIPTIONS } from '../calendars/user-settings.js';
import type { LegacyCalendarList } from './legacy-calendars.js';
import { targetCalid } from './target-calid.js';

export interface MappedSubscriptions {
  /** The new server's calids, in the old server's order, each once. */
  calids: string[];
  /** Old calids that name no calendar the new server can address. */
  unusable: string[];
}

/**
 * The old subscriptions as calids of the new server: the user's own calendars become the calids the
 * migration copies them to (targetCalid), other users' calendars keep theirs. `canonical` is the
 * repository's: the list holds one spelling per calendar (`owner`, `owner:name`), as
 * subscribe_calendars stores it.
 */
export function subscriptionsOnNewServer(calendars: LegacyCalendarList, user: string, canonical: (calid: string) => string | undefined): MappedSubscriptions {
  const owned = new Set(calendars.owned.map((c) => c.calid));
  const calids: string[] = [];
  const unusable: string[] = [];
  for (const { calid } of calendars.subscribed) {
    const mapped = owned.has(calid) ? targetCalid({ calid, isDefault: calid === calendars.defaultCalid }, user) : calid;
    const name = canonical(mapped);
    if (name === undefined) unusable.push(calid);
    else if (!calids.includes(name)) calids.push(name);
  }
  return { calids, unusable };
}

export interface SubscriptionMerge {
  /** The list to store: the current entries first, then the added ones in the order asked. */
  list: string[];
  added: string[];
  /** How many asked for were on the list already. */
  already: number;
  /** Left out: the list would hold more than {@link MAX_SUBSCRIPTIONS}. */
  overLimit: string[];
}

/** The current list with the wanted calids added; nothing is removed or reordered. */
export function mergeSubscriptions(current: readonly string[], wanted: readonly string[]): SubscriptionMerge {
  const list = [...new Set(current)];
  const merge: SubscriptionMerge = { list, added: [], already: 0, overLimit: [] };
  for (const calid of new Set(wanted)) {
    if (list.includes(calid)) merge.already += 1;
    else if (list.length >= MAX_SUBSCRIPTIONS) merge.overLimit.push(calid);
    else {
      list.push(calid);
      merge.added.push(calid);
    }
  }
  return merge;
}
