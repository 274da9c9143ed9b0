import type { ComponentType } from '../../model/calendar.js';
import { isGatewayError } from '../../model/errors.js';
import { deleteInstances } from '../../mapping/recurrence-delete.js';
import { serializeCalendarObject } from '../../mapping/calendar-object.js';
import { parseWcapDate } from '../../wcap/datetime.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { p, type ParamsOf } from '../../wcap/params.js';
import { singleBlock, type WcapResult } from '../../wcap/result.js';
import { calendarProperties } from '../../mapping/calprops.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { ACCESS_DENIED_TO_CALENDAR, credentialsOf, resolveCalendar } from './calendars.js';
import { componentsOf, findItem } from './items.js';
import { componentsBeforeDeletion, instanceDeletions, itemDeletion, recordDeletions } from './tombstones.js';

const INSUFFICIENT_PARAMETERS = 46;
const COMPONENT_NOT_FOUND = 59;

export const deleteParams = { calid: p.string(), uid: p.list(), rid: p.list(), mod: p.list(), tzid: p.string() };

interface Target {
  uid: string;
  rid: string;
  mod: number;
}

/**
 * deleteevents_by_id / deletetodos_by_id with parallel uid;rid;mod lists: `rid=0` or mod=4 deletes
 * the whole item; with a rid, mod=1 removes that one instance (an EXDATE on the master, and any
 * override for it — how Lightning deletes single occurrences, lightning-client.md §6.8), mod=2 it
 * and all later instances, mod=3 it and all earlier ones.
 */
export async function deleteItems(
  ctx: CommandContext<ParamsOf<typeof deleteParams>>,
  type: ComponentType,
  failsWith: number,
): Promise<WcapResult> {
  const targets = targetsOf(ctx.params, failsWith);
  const calendar = await resolveCalendar(ctx, ctx.params.calid);
  if (!calendar.owned) throw new WcapError(ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
  const credentials = credentialsOf(sessionOf(ctx));
  // Every uid and rid is checked before anything changes: a list with one bad entry changes nothing.
  for (const uid of new Set(targets.map((t) => t.uid))) {
    const loaded = await findItem(ctx, calendar, uid, type);
    if (!loaded || componentsOf(loaded.vcalendar, uid, type).length === 0) throw new WcapError(COMPONENT_NOT_FOUND, 'No such item');
  }
  if (targets.some((t) => t.rid !== '0' && t.mod !== 4 && !parseWcapDate(t.rid))) {
    throw new WcapError(failsWith, 'Invalid value for parameter rid: expected a date');
  }
  for (const target of targets) {
    const loaded = await findItem(ctx, calendar, target.uid, type);
    if (!loaded || componentsOf(loaded.vcalendar, target.uid, type).length === 0) {
      throw new WcapError(COMPONENT_NOT_FOUND, 'No such item');
    }
    const wholeItem = target.rid === '0' || target.mod === 4;
    const before = componentsBeforeDeletion(loaded, target.uid, type);
    if (wholeItem) {
      await ctx.deps.backend.deleteObject(credentials, loaded.object).catch((err) => {
        if (!isGatewayError(err, 'not-found')) throw err;
      });
      await ctx.deps.guids.delete(calendar.info.url, target.uid).catch(() => undefined);
      await recordDeletions(ctx, calendar, [itemDeletion(loaded, target.uid, type, before)]);
      continue;
    }
    const rid = parseWcapDate(target.rid);
    if (!rid) throw new WcapError(failsWith, 'Invalid value for parameter rid: expected a date');
    const result = deleteInstances(
      loaded.vcalendar,
      target.uid,
      type,
      rid,
      target.mod as 1 | 2 | 3,
      ctx.params.tzid?.trim() || undefined,
      new Date(ctx.deps.clock.now()),
    );
    if (result.outcome === 'not-an-instance') throw new WcapError(COMPONENT_NOT_FOUND, 'No such instance');
    if (result.outcome === 'delete-object') {
      await ctx.deps.backend.deleteObject(credentials, loaded.object);
      await ctx.deps.guids.delete(calendar.info.url, target.uid).catch(() => undefined);
      await recordDeletions(ctx, calendar, [itemDeletion(loaded, target.uid, type, before)]);
    } else {
      await ctx.deps.backend.updateObject(credentials, loaded.object, serializeCalendarObject(loaded.vcalendar));
      await recordDeletions(ctx, calendar, instanceDeletions(before, target.uid, type, result.removed));
    }
  }
  return singleBlock(calendarProperties(calendar.address.calid, calendar.info));
}

function targetsOf(params: ParamsOf<typeof deleteParams>, failsWith: number): Target[] {
  const uids = (params.uid ?? []).map((u) => u.trim()).filter((u) => u !== '');
  if (uids.length === 0) throw new WcapError(INSUFFICIENT_PARAMETERS, 'Parameter uid is required');
  const rids = params.rid ?? [];
  const mods = params.mod ?? [];
  if ((rids.length > 1 && rids.length !== uids.length) || (mods.length > 1 && mods.length !== uids.length)) {
    throw new WcapError(INSUFFICIENT_PARAMETERS, 'The uid, rid and mod lists differ in length');
  }
  return uids.map((uid, i) => {
    const rid = (rids.length > 1 ? rids[i] : rids[0])?.trim() || '0';
    const modText = (mods.length > 1 ? mods[i] : mods[0])?.trim() || (rid === '0' ? '4' : '1');
    if (!/^[1-4]$/.test(modText)) throw new WcapError(failsWith, 'Invalid value for parameter mod: expected 1, 2, 3 or 4');
    return { uid, rid, mod: Number(modText) };
  });
}
