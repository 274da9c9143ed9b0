import { GatewayError } from '../model/errors.js';
import { MAX_SUBSCRIPTIONS, type UserSettings } from './user-settings.js';

/** What happened to one calid of a subscribe or unsubscribe. */
export type SubscriptionResult =
  /** Added to the list (subscribe) or removed from it (unsubscribe). */
  | 'changed'
  /** Already in the list (subscribe) or not in it (unsubscribe); nothing to do. */
  | 'unchanged'
  /** No such calendar (or a calid that cannot name one). */
  | 'no-calendar'
  /** The calendar exists but the server does not let the user read it. */
  | 'forbidden';

export interface SubscriptionOutcome {
  /** The calid as the client sent it. */
  calid: string;
  result: SubscriptionResult;
}

/** Whether the user may read a calendar: exists and readable, missing, or refused. */
export type Readability = 'readable' | 'no-calendar' | 'forbidden';

/** What subscription changes need from the repository. */
export interface SubscriptionHost {
  settings: UserSettings;
  /** The calids of the user's own calendars (the list of a user who never changed it). */
  ownCalids(): Promise<string[]>;
  /** `owner` or `owner:name` for any calid form (mailto: included); undefined when it names no calendar. */
  canonical(calid: string): string | undefined;
  /** One Depth 0 PROPFIND of the calendar with the user's credentials. */
  readability(canonicalCalid: string): Promise<Readability>;
}

/** Calendars checked at once, so a long calid list does not flood the CalDAV server. */
const CHECKS_AT_ONCE = 8;

/** The subscribed calids: the stored list, or the user's own calendars when none was ever stored. */
export async function subscribedCalids(host: SubscriptionHost, stored?: string[]): Promise<string[]> {
  return stored ?? (await host.settings.read()).subscriptions ?? (await host.ownCalids());
}

/**
 * Subscribes to the calendars that exist and that the user may read, in one PROPPATCH (none when
 * nothing changes). The list is read, changed and written back: two changes of one user's list at
 * the very same moment can lose one (last writer wins).
 */
export async function subscribe(host: SubscriptionHost, calids: readonly string[]): Promise<SubscriptionOutcome[]> {
  checkCount(calids);
  const canonical = calids.map((calid) => host.canonical(calid));
  const checks = await checkAll(host, canonical);
  const list = await subscribedCalids(host);
  const next = [...list];
  const outcomes = calids.map((calid, i): SubscriptionOutcome => {
    const name = canonical[i];
    const check = name === undefined ? 'no-calendar' : checks.get(name)!;
    if (check !== 'readable') return { calid, result: check };
    if (next.includes(name!)) return { calid, result: 'unchanged' };
    next.push(name!);
    return { calid, result: 'changed' };
  });
  if (next.length !== list.length) await host.settings.writeSubscriptions(next);
  return outcomes;
}

/**
 * Removes calendars from the list in one PROPPATCH. A listed calid is always removed, even when its
 * calendar is gone (that is how a deleted calendar leaves the list); one not listed is checked like
 * a subscription, so a misspelt calid still answers 29 or 28.
 */
export async function unsubscribe(host: SubscriptionHost, calids: readonly string[]): Promise<SubscriptionOutcome[]> {
  checkCount(calids);
  const canonical = calids.map((calid) => host.canonical(calid));
  const list = await subscribedCalids(host);
  const toCheck = canonical.map((name) => (name !== undefined && !list.includes(name) ? name : undefined));
  const checks = await checkAll(host, toCheck);
  const removed = new Set<string>();
  const outcomes = calids.map((calid, i): SubscriptionOutcome => {
    const name = canonical[i];
    if (name === undefined) return { calid, result: 'no-calendar' };
    if (list.includes(name)) {
      const first = !removed.has(name);
      removed.add(name);
      return { calid, result: first ? 'changed' : 'unchanged' };
    }
    const check = checks.get(name)!;
    return { calid, result: check === 'readable' ? 'unchanged' : check };
  });
  if (removed.size > 0) await host.settings.writeSubscriptions(list.filter((name) => !removed.has(name)));
  return outcomes;
}

/**
 * Takes a calendar off the stored list if it is on it, without checking anything (deletecalendar,
 * after the calendar is gone): one PROPFIND of the home, and a PROPPATCH only when it was listed. A
 * user without a stored list is subscribed to their own calendars, which no longer include it.
 */
export async function dropFromList(host: SubscriptionHost, calid: string): Promise<void> {
  const name = host.canonical(calid);
  if (name === undefined) return;
  const stored = (await host.settings.read()).subscriptions;
  if (stored?.includes(name)) await host.settings.writeSubscriptions(stored.filter((listed) => listed !== name));
}

/** Each calid may cost a PROPFIND: no request names more calendars than a list may hold. */
function checkCount(calids: readonly string[]): void {
  if (calids.length > MAX_SUBSCRIPTIONS) throw new GatewayError('invalid', `At most ${MAX_SUBSCRIPTIONS} calendars per request`);
}

async function checkAll(host: SubscriptionHost, names: ReadonlyArray<string | undefined>): Promise<Map<string, Readability>> {
  const pending = [...new Set(names.filter((n): n is string => n !== undefined))];
  const results = new Map<string, Readability>();
  const worker = async () => {
    for (let name = pending.shift(); name !== undefined; name = pending.shift()) results.set(name, await host.readability(name));
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_AT_ONCE, pending.length) }, worker));
  return results;
}
