import { retryOnConflict } from '../calendars/merge-retry.js';
import { instanceDeletions, wholeItemDeletion } from '../mapping/deletions.js';
import { deleteInstances } from '../mapping/recurrence-delete.js';
import { cloneInTree } from '../mapping/timezones.js';
import type { ComponentType } from '../model/calendar.js';
import { calendarProperties } from '../mapping/calprops.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { p } from '../wcap/params.js';
import { singleBlock } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';
import { deliverMail, mailWanted, notifyParams } from '../wcap/notify-params.js';
import { organizedBy } from '../mapping/attendees.js';
import { raiseSequenceIfSignificant, significantContent } from '../mapping/significance.js';

/**
 * deleteevents_by_id and (with VTODO) deletetodos_by_id with parallel uid;rid;mod lists: `rid=0`
 * or mod=4 deletes the whole item; with a rid, mod=1 removes that one instance (an EXDATE on the
 * master, and any override for it — how Lightning deletes single occurrences,
 * docs/lightning.md#deleting-occurrences), mod=2 it and all later instances, mod=3 it and all
 * earlier ones.
 * Every uid is looked up (once) before anything changes: a list naming one unknown item changes
 * nothing (59). Deletions are recorded in the delete log for fetch_deletedcomponents.
 */
export function deleteCommand(name: string, type: ComponentType, failsWith: number) {
  return defineCommand({
    name,
    needsSession: true,
    failsWith,
    params: { calid: p.string(), targets: p.instanceTargets({ modDefault: (rid) => (rid === null ? 4 : 1) }), tzid: p.string(), ...notifyParams },
    async run({ params, calendars, clock, server }) {
      const calendar = await calendars.resolve(params.calid);
      if (!calendar.owned) throw new WcapError(Errno.ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
      const outbox = calendars.outbox(calendar, mailWanted(params));
      const items = await calendar.findMany(params.targets.map((t) => t.uid), type);
      if ([...items.values()].some((item) => !item)) throw new WcapError(Errno.COMPONENT_NOT_FOUND, 'No such item');
      for (const { uid, rid, mod } of params.targets) {
        // A delete that lost an If-Match race is redone on a fresh read (calendars/merge-retry.ts):
        // the instances it names are removed from whatever the item has become.
        await retryOnConflict(calendar.conflictRetry, async (attempt) => {
          const item = attempt === 0 ? items.get(uid) : await calendar.find(uid, type);
          // Already deleted whole by an earlier entry of this list, or meanwhile by someone else.
          if (!item) return;
          // Copies that still read their zones from the object, for the delete log: a removed
          // override leaves the tree, and its times would read as floating.
          const before = item.components.map(cloneInTree);
          const previous = outbox.snapshot(item);
          const master = item.components.find((c) => !c.hasProperty('recurrence-id'));
          const significant = master ? significantContent(master) : '';
          const outcome =
            rid === null || mod === 4
              ? ({ outcome: 'delete-object' } as const)
              : deleteInstances(item.vcalendar, uid, type, rid, mod, params.tzid?.trim() || undefined, new Date(clock.now()));
          if (outcome.outcome === 'not-an-instance') throw new WcapError(Errno.COMPONENT_NOT_FOUND, 'No such instance');
          if (outcome.outcome === 'delete-object') {
            await calendar.remove(item, wholeItemDeletion(before, uid, type));
            items.set(uid, null);
            outbox.note(previous, null);
          } else {
            // Fewer instances is a significant change of a meeting (RFC 5546 §2.1.4).
            if (master && organizedBy(master, calendar.calid, server.directory)) raiseSequenceIfSignificant(master, significant);
            const saved = await calendar.save(item, instanceDeletions(before, uid, type, outcome.removed));
            items.set(uid, saved);
            outbox.note(previous, saved);
          }
        });
      }
      await deliverMail(outbox);
      return singleBlock(calendarProperties(calendar.calid, await calendar.properties()));
    },
  });
}

export default deleteCommand('deleteevents_by_id', 'VEVENT', Errno.DELETE_EVENTS_BY_ID_FAILED);
