import type { ComponentType } from '../../model/calendar.js';
import type { CommandContext } from '../../wcap/command.js';
import { itemsForOutput } from '../../mapping/item-output.js';
import { p, type ParamsOf } from '../../wcap/params.js';
import type { WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { fetchOutputParams } from './fetch-params.js';
import { componentsOf, findItem } from './items.js';
import { perCalendar } from './per-calendar.js';

const COMPONENT_NOT_FOUND = 59;

export const fetchByIdParams = { ...fetchOutputParams, uid: p.list(), rid: p.list() };

/**
 * fetchevents_by_id / fetchtodos_by_id: master plus exceptions of each uid. errno 59 when none of
 * the uids is an item of this type: Lightning then tries fetchtodos_by_id (lightning-client.md §5.4).
 */
export async function fetchById(
  ctx: CommandContext<ParamsOf<typeof fetchByIdParams>>,
  type: ComponentType,
  failsWith: number,
): Promise<WcapResult> {
  const uids = [...new Set((ctx.params.uid ?? []).map((u) => u.trim()).filter((u) => u !== ''))];
  if (uids.length === 0) throw new WcapError(46, 'Parameter uid is required');
  return perCalendar(ctx, failsWith, async (calendar) => {
    const found = await Promise.all(uids.map((uid) => findItem(ctx, calendar, uid, type)));
    const items = found.flatMap((loaded, i) => (loaded ? componentsOf(loaded.vcalendar, uids[i]!, type) : []));
    if (items.length === 0) throw new WcapError(COMPONENT_NOT_FOUND, 'No such item');
    return { components: itemsForOutput(items, { emailOrCalid: ctx.params.emailorcalid, directory: ctx.deps.directory }) };
  });
}
