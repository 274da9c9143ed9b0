import type { BackendCredentials } from '../model/session.js';

/**
 * The seam between calendar management (createcalendar, deletecalendar) and users' subscription
 * lists. The lists themselves are kept elsewhere; the calendar service is given an implementation
 * (CalendarServiceOptions.subscriptions) where the gateway keeps them, and none where it does not.
 *
 * - createcalendar with `subscribe=1` calls `subscribe` after the calendar exists; without an
 *   implementation it refuses `subscribe=1` before creating anything.
 * - deletecalendar calls `unsubscribeEveryone` after the calendar is gone; without an
 *   implementation there are no lists to clean.
 */
export interface SubscriptionLists {
  /** Adds `calid` to the credentials' user's subscription list (a no-op when it is already there). */
  subscribe(credentials: BackendCredentials, calid: string): Promise<void>;
  /**
   * Removes `calid` from every subscription list the gateway can reach with these credentials;
   * returns how many lists changed.
   */
  unsubscribeEveryone(credentials: BackendCredentials, calid: string): Promise<number>;
}
