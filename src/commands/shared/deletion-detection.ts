import type { SyncChanges } from '../../backend/calendar-backend.js';
import { parseCalendarObject } from '../../mapping/calendar-object.js';
import { itemOfObject } from '../../mapping/deletions.js';
import type { Tombstone } from '../../model/deletion.js';
import { isGatewayError } from '../../model/errors.js';
import type { SeenObject } from '../../state/sync-state-store.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { credentialsOf, type ResolvedCalendar } from './calendars.js';

/**
 * Finds the objects other CalDAV clients deleted from `calendar` since the last detection, records
 * them in the delete log dated now, and returns them. A deletion reaches the gateway only as "this
 * URL is gone" (RFC 6578 sync-collection); the URL → item map kept in the sync state turns it back
 * into a UID and DTSTART.
 *
 * Cost on the CalDAV server: one sync-collection REPORT (with nothing changed: an empty answer, and
 * one Redis read); a second, full one when the server refused the token. Limits: a deletion is
 * dated when detected, not when it happened; an object created and deleted between two detections
 * was never seen and is not reported; deletions before the very first detection of a calendar are
 * unknown.
 */
export async function detectDeletions(ctx: CommandContext<unknown>, calendar: ResolvedCalendar): Promise<Tombstone[]> {
  const { backend, syncState, tombstones, clock } = ctx.deps;
  const calendarUrl = calendar.info.url;
  const credentials = credentialsOf(sessionOf(ctx));
  const token = await syncState.token(calendarUrl);
  let changes: SyncChanges | undefined;
  if (token !== null) {
    try {
      changes = await backend.syncChanges(credentials, calendarUrl, token);
    } catch (err) {
      if (!isGatewayError(err, 'changed')) throw err;
      // Radicale prunes sync tokens after 30 days (max_sync_token_age); list everything instead.
      ctx.log.info({ calid: calendar.address.calid }, 'sync token refused; listing the whole calendar');
    }
  }
  let gone: string[];
  if (changes) gone = changes.deleted;
  else {
    changes = await backend.syncChanges(credentials, calendarUrl, undefined);
    // A full listing reports no deletions: whatever was seen before and is not listed now is gone.
    const listed = new Set(changes.changed.map((o) => o.url));
    gone = (await syncState.knownUrls(calendarUrl)).filter((url) => !listed.has(url));
  }
  if (changes.token === token && changes.changed.length === 0 && gone.length === 0) return [];

  const seen = await syncState.seen(calendarUrl, gone);
  const deletedAt = clock.now();
  const found = gone.flatMap((url): Tombstone[] => {
    const item = seen.get(url);
    return item ? [{ ...item, deletedAt }] : [];
  });
  // Recorded before the state moves on: if that fails, the next detection finds them again.
  if (found.length > 0) await tombstones.record(calendarUrl, found);
  const entries = new Map<string, SeenObject>();
  for (const object of changes.changed) {
    const item = seenItemOf(object.ical);
    if (item) entries.set(object.url, item);
  }
  // false = a concurrent detection advanced first; it covered the same changes.
  await syncState.advance(calendarUrl, token, changes.token, entries, gone);
  return found;
}

function seenItemOf(ical: string): SeenObject | undefined {
  try {
    return itemOfObject(parseCalendarObject(ical));
  } catch {
    // An object no client can read cannot be reported as deleted by UID either.
    return undefined;
  }
}
