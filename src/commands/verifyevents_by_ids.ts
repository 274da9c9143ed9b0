import type ICAL from 'ical.js';
import { missingStub } from '../mapping/deletions.js';
import { instanceComponent } from '../mapping/instances.js';
import type { ComponentType } from '../model/calendar.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { fetchOutputParams, fetchSettings, fetchedBlock } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';

/**
 * verifyevents_by_ids and (with VTODO) verifytodos_by_ids: parallel uid and rid lists (rid `0` or
 * absent = the whole item; one rid applies to every uid; other length mismatches → 46). Per pair,
 * in order: the item's master and overrides; for a rid, the override of that instance, else the
 * master when the series has that instance; when there is no such item or instance, a stub with
 * only UID (and RECURRENCE-ID) (docs/wcap-protocol.md#verifyevents_by_ids-and-verifytodos_by_ids).
 */
export function verifyCommand(name: string, type: ComponentType, failsWith: number) {
  return defineCommand({
    name,
    needsSession: true,
    failsWith,
    params: { ...fetchOutputParams, pairs: p.instanceTargets({ withMod: false }) },
    async run({ params, calendars, server }) {
      const settings = fetchSettings(params, server);
      return perCalendar(calendars, params.calid, failsWith, async (calendar) => {
        const found = await calendar.findMany(params.pairs.map((pair) => pair.uid), type);
        const info = await calendar.properties();
        const components = params.pairs.flatMap(({ uid, rid }): ICAL.Component[] => {
          const own = found.get(uid)?.components ?? [];
          if (own.length === 0) return [missingStub(type, uid, rid ?? undefined)];
          if (!rid) return own;
          return [instanceComponent(own, rid, settings.tzid) ?? missingStub(type, uid, rid)];
        });
        return fetchedBlock(components, params, settings, server, info);
      });
    },
  });
}

export default verifyCommand('verifyevents_by_ids', 'VEVENT', Errno.FETCH_EVENTS_BY_ID_FAILED);
