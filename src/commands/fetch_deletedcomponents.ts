import { deletionStub } from '../mapping/deletions.js';
import { tombstoneKey } from '../state/tombstone-store.js';
import { defineCommand } from '../wcap/command.js';
import { changeLogParams, changeWindowOf } from './shared/change-window.js';
import { detectDeletions } from './shared/deletion-detection.js';
import { fetchSettings, typesOf } from './shared/fetch-params.js';
import { perCalendar } from './shared/per-calendar.js';

const FETCH_DELETEDCOMPONENTS_FAILED = 56;
const FETCH_DELETEDCOMPONENTS_PARTIAL_RESULT = 57;

/**
 * The delete log for [dtstart, dtend]: one VEVENT/VTODO per deleted item or instance with UID,
 * RECURRENCE-ID (instances) and DTSTART (lightning-client.md §7). Deletions made through the
 * gateway are dated when they happened; deletions by other CalDAV clients are first looked for
 * (one sync-collection REPORT), dated when found, and also returned by the request that found
 * them. Any failure is an error, never a short list: Lightning moves its sync stamp on after a
 * success and would never ask for the missing ones again.
 */
export default defineCommand({
  name: 'fetch_deletedcomponents',
  needsSession: true,
  failsWith: FETCH_DELETEDCOMPONENTS_FAILED,
  params: changeLogParams,
  async run(ctx) {
    const { params, deps } = ctx;
    const window = changeWindowOf(params, fetchSettings(params, deps, ctx.format).tzid, FETCH_DELETEDCOMPONENTS_FAILED);
    const types = typesOf(params['component-type']);
    return perCalendar(ctx, FETCH_DELETEDCOMPONENTS_FAILED, async (calendar) => {
      const detected = await detectDeletions(ctx, calendar);
      const from = window.start?.getTime() ?? -Infinity;
      const to = window.end?.getTime() ?? Infinity;
      const listed = await deps.tombstones.list(calendar.info.url, from, to);
      // Found just now, hence dated after dtend (which the client computed before sending): without
      // them here the client would hear of them only at its next sync, which then repeats them
      // (harmless: a deletion is by UID, and Lightning ignores deleting what it no longer has).
      const fresh = detected.filter((t) => !listed.some((l) => tombstoneKey(l) === tombstoneKey(t)));
      const deleted = [...listed, ...fresh].filter((t) => types.includes(t.type));
      const max = params.maxResults ?? 0;
      if (max > 0 && deleted.length > max) {
        return { components: deleted.slice(0, max).map(deletionStub), errno: FETCH_DELETEDCOMPONENTS_PARTIAL_RESULT };
      }
      return { components: deleted.map(deletionStub) };
    });
  },
});
