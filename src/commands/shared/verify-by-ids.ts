import type ICAL from 'ical.js';
import { missingStub } from '../../mapping/deletions.js';
import { instanceComponent } from '../../mapping/instances.js';
import { itemsForOutput } from '../../mapping/item-output.js';
import type { ComponentType } from '../../model/calendar.js';
import type { CommandContext } from '../../wcap/command.js';
import { parseWcapDate, type WcapDate } from '../../wcap/datetime.js';
import { p, type ParamsOf } from '../../wcap/params.js';
import type { WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { fetchOutputParams, fetchSettings, outputOptionsOf } from './fetch-params.js';
import { componentsOf, findItem } from './items.js';
import { perCalendar } from './per-calendar.js';

const INSUFFICIENT_PARAMETERS = 46;

export const verifyParams = { ...fetchOutputParams, uid: p.list(), rid: p.list() };

/**
 * verifyevents_by_ids / verifytodos_by_ids with parallel uid and rid lists (rid `0` or absent =
 * the whole item). Per pair, in order: the item's master and overrides; for a rid, the override of
 * that instance, else the master when the series has that instance; when there is no such item or
 * instance, a stub with only UID (and RECURRENCE-ID) [S05 fyewz, fyexb]. errno 46 when the lists
 * differ in length.
 */
export async function verifyByIds(
  ctx: CommandContext<ParamsOf<typeof verifyParams>>,
  type: ComponentType,
  failsWith: number,
): Promise<WcapResult> {
  const uids = (ctx.params.uid ?? []).map((u) => u.trim());
  if (uids.every((u) => u === '')) throw new WcapError(INSUFFICIENT_PARAMETERS, 'Parameter uid is required');
  const ridTexts = ctx.params.rid ?? uids.map(() => '0');
  if (ridTexts.length !== uids.length) throw new WcapError(INSUFFICIENT_PARAMETERS, 'The uid and rid lists differ in length');
  const rids = ridTexts.map((text): WcapDate | undefined => {
    const rid = parseWcapDate(text.trim() === '' ? '0' : text);
    if (rid === undefined) throw new WcapError(failsWith, 'Invalid value for parameter rid: expected a date or 0');
    return rid ?? undefined;
  });
  const settings = fetchSettings(ctx.params, ctx.deps, ctx.format);
  return perCalendar(ctx, failsWith, async (calendar) => {
    const distinct = [...new Set(uids.filter((u) => u !== ''))];
    const loaded = await Promise.all(distinct.map((uid) => findItem(ctx, calendar, uid, type)));
    const items = new Map(distinct.map((uid, i) => [uid, loaded[i] ? componentsOf(loaded[i].vcalendar, uid, type) : []]));
    const components = uids.flatMap((uid, i): ICAL.Component[] => {
      const own = items.get(uid) ?? [];
      const rid = rids[i];
      if (own.length === 0) return [missingStub(type, uid, rid)];
      if (!rid) return own;
      return [instanceComponent(own, rid, settings.tzid) ?? missingStub(type, uid, rid)];
    });
    return { components: itemsForOutput(components, outputOptionsOf(ctx.params, settings, ctx.deps, calendar.info)) };
  });
}
