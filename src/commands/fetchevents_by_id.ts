import { selectById } from '../mapping/fetch-selection.js';
import type { ComponentType } from '../model/calendar.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { fetchOutputParams, fetchSettings, selectionOf, fetchedBlock } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { perCalendar } from '../wcap/per-calendar.js';
import { WcapError } from '../wcap/wcap-error.js';

/**
 * fetchevents_by_id and (with VTODO) fetchtodos_by_id. recurring=1 (Lightning) → master plus
 * exceptions of each uid. Expanded instead when recurring=0, or when recurring is absent and a rid
 * is given (docs/wcap-protocol.md#recurring-and-compressed): the instance at rid (mod 1, the
 * default), this and future (2), this and prior (3) or all (4). uid, rid and mod are parallel lists
 * (one rid or mod applies to every uid). errno 59 when nothing matches: Lightning then tries
 * fetchtodos_by_id (docs/lightning.md#lookup-by-uid). Each item costs one GET when the gateway knows
 * where it is.
 */
export function fetchByIdCommand(name: string, type: ComponentType, failsWith: number) {
  return defineCommand({
    name,
    needsSession: true,
    failsWith,
    params: { ...fetchOutputParams, targets: p.instanceTargets({ modDefault: 1 }) },
    async run({ params, calendars, server }) {
      const settings = fetchSettings(params, server);
      // The same uid listed twice without rids would be answered twice.
      const targets = params.targets.filter((t, i, all) => t.rid || all.findIndex((o) => o.uid === t.uid && !o.rid) === i);
      const masters = params.recurring ?? !targets.some((t) => t.rid);
      return perCalendar(calendars, params.calid, failsWith, async (calendar) => {
        const found = await calendar.findMany(targets.map((t) => t.uid), type);
        const info = await calendar.properties();
        const selection = selectionOf(params, settings, server, calendars.user, info, masters);
        const items = targets.flatMap((target) => {
          const item = found.get(target.uid);
          if (!item) return [];
          return selectById(item.components, { rid: target.rid ?? undefined, tzid: settings.tzid, mod: target.mod }, selection);
        });
        if (items.length === 0) throw new WcapError(Errno.COMPONENT_NOT_FOUND, 'No such item');
        return fetchedBlock(items, params, settings, server, info);
      });
    },
  });
}

export default fetchByIdCommand('fetchevents_by_id', 'VEVENT', Errno.FETCH_EVENTS_BY_ID_FAILED);
