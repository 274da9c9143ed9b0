import type { ComponentType } from '../../model/calendar.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { selectById, type InstanceMod } from '../../mapping/fetch-selection.js';
import { itemsForOutput } from '../../mapping/item-output.js';
import { parseWcapDate } from '../../wcap/datetime.js';
import { p, type ParamsOf } from '../../wcap/params.js';
import type { WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import type { WcapDate } from '../../model/wcap-date.js';
import { fetchOutputParams, fetchSettings, outputOptionsOf, selectionOf } from './fetch-params.js';
import { componentsOf, findItem } from './items.js';
import { perCalendar } from './per-calendar.js';

const INSUFFICIENT_PARAMETERS = 46;
const COMPONENT_NOT_FOUND = 59;

export const fetchByIdParams = { ...fetchOutputParams, uid: p.list(), rid: p.list(), mod: p.list() };

interface Target {
  uid: string;
  rid?: WcapDate;
  mod: InstanceMod;
}

/**
 * fetchevents_by_id / fetchtodos_by_id. recurring=1 (Lightning) → master plus exceptions of each
 * uid. Expanded instead when recurring=0, or when recurring is absent and a rid is given (seed 003:
 * "for the fetch_by_id commands expanded form is the default only if a set of rids are provided"):
 * the instance at rid (mod 1, the default), this and future (2), this and prior (3) or all (4).
 * uid, rid and mod are parallel lists; one rid or mod applies to every uid. errno 59 when nothing
 * matches: Lightning then tries fetchtodos_by_id (lightning-client.md §5.4).
 */
export async function fetchById(
  ctx: CommandContext<ParamsOf<typeof fetchByIdParams>>,
  type: ComponentType,
  failsWith: number,
): Promise<WcapResult> {
  const { params, deps } = ctx;
  const targets = targetsOf(params, failsWith);
  const settings = fetchSettings(params, deps, ctx.format);
  const masters = params.recurring ?? !targets.some((t) => t.rid);
  const user = sessionOf(ctx).user;
  return perCalendar(ctx, failsWith, async (calendar) => {
    const selection = selectionOf(params, settings, deps, user, calendar.info, masters);
    const found = await Promise.all([...new Set(targets.map((t) => t.uid))].map(async (uid) => [uid, await findItem(ctx, calendar, uid, type)] as const));
    const loaded = new Map(found);
    const items = targets.flatMap((target) => {
      const item = loaded.get(target.uid);
      if (!item) return [];
      return selectById(componentsOf(item.vcalendar, target.uid, type), { rid: target.rid, tzid: settings.tzid, mod: target.mod }, selection);
    });
    if (items.length === 0) throw new WcapError(COMPONENT_NOT_FOUND, 'No such item');
    return { components: itemsForOutput(items, outputOptionsOf(params, settings, deps, calendar.info)) };
  });
}

function targetsOf(params: ParamsOf<typeof fetchByIdParams>, failsWith: number): Target[] {
  const uids = (params.uid ?? []).map((u) => u.trim()).filter((u) => u !== '');
  if (uids.length === 0) throw new WcapError(INSUFFICIENT_PARAMETERS, 'Parameter uid is required');
  const rids = params.rid ?? [];
  const mods = params.mod ?? [];
  if ((rids.length > 1 && rids.length !== uids.length) || (mods.length > 1 && mods.length !== uids.length)) {
    throw new WcapError(INSUFFICIENT_PARAMETERS, 'The uid, rid and mod lists differ in length');
  }
  const targets = uids.map((uid, i): Target => {
    const ridText = (rids.length > 1 ? rids[i] : rids[0])?.trim() || '0';
    const rid = parseWcapDate(ridText);
    if (rid === undefined) throw new WcapError(failsWith, 'Invalid value for parameter rid: expected a date or 0');
    const modText = (mods.length > 1 ? mods[i] : mods[0])?.trim() || '1';
    if (!/^[1-4]$/.test(modText)) throw new WcapError(failsWith, 'Invalid value for parameter mod: expected 1, 2, 3 or 4');
    return { uid, rid: rid ?? undefined, mod: Number(modText) as InstanceMod };
  });
  // The same uid listed twice without rids would be answered twice.
  return targets.filter((t, i) => t.rid || targets.findIndex((o) => o.uid === t.uid && !o.rid) === i);
}
