import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { applyItemChanges, stampItem } from '../../mapping/apply-changes.js';
import { calendarProperties } from '../../mapping/calprops.js';
import {
  contentFingerprint,
  itemComponents,
  masterOf,
  newCalendarObject,
  serializeCalendarObject,
  uidOf,
} from '../../mapping/calendar-object.js';
import { itemsForOutput } from '../../mapping/item-output.js';
import type { ComponentType } from '../../model/calendar.js';
import { isGatewayError } from '../../model/errors.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { singleBlock, type WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { ACCESS_DENIED_TO_CALENDAR, credentialsOf, resolveCalendar, type ResolvedCalendar } from './calendars.js';
import { componentsOf, findItem, type LoadedItem } from './items.js';
import { changesFromParams, type StoreParams } from './store-params.js';

const MODIFY_NO_EVENT = 62;
const CREATE_EXISTS = 63;

/**
 * storeevents / storetodos: create or modify one item, changing only the fields sent. A store
 * that changes nothing writes nothing (clients echo items back during sync, lightning-client.md §7).
 * A concurrent change between read and write is retried once from a fresh read.
 */
export async function storeItem(
  ctx: CommandContext<StoreParams>,
  type: ComponentType,
  failsWith: number,
): Promise<WcapResult> {
  const { params } = ctx;
  const changes = changesFromParams(params, failsWith);
  const calendar = await resolveCalendar(ctx, params.calid);
  if (!calendar.owned) throw new WcapError(ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
  const givenUid = params.uid?.trim();
  const uid = givenUid || randomUUID();
  // A create (storetype=1, or no uid at all) needs no lookup: the conditional PUT itself fails
  // when the UID exists, which saves a UID REPORT on every new item.
  const createOnly = params.storetype === 1 || !givenUid;

  for (let attempt = 0; ; attempt++) {
    const existing = createOnly ? null : await findItem(ctx, calendar, uid, type);
    if (existing && params.storetype === 1) throw new WcapError(CREATE_EXISTS, 'An item with this UID already exists');
    if (!existing && params.storetype === 2) throw new WcapError(MODIFY_NO_EVENT, 'There is no item with this UID to modify');
    try {
      const stored = existing
        ? await modify(ctx, calendar, existing, uid, type, changes)
        : await create(ctx, calendar, uid, type, changes);
      if (!params.fetch) return singleBlock(calendarProperties(calendar.address.calid, calendar.info));
      const items = itemsForOutput(componentsOf(stored, uid, type), {
        emailOrCalid: params.emailorcalid,
        directory: ctx.deps.directory,
      });
      return singleBlock(calendarProperties(calendar.address.calid, calendar.info), items);
    } catch (err) {
      if (createOnly && isGatewayError(err, 'exists')) throw new WcapError(CREATE_EXISTS, 'An item with this UID already exists');
      if (attempt === 0 && (isGatewayError(err, 'changed') || isGatewayError(err, 'exists'))) continue;
      throw err;
    }
  }
}

async function create(
  ctx: CommandContext<StoreParams>,
  calendar: ResolvedCalendar,
  uid: string,
  type: ComponentType,
  changes: ReturnType<typeof changesFromParams>,
): Promise<ICAL.Component> {
  const item = new ICAL.Component(type.toLowerCase());
  item.addPropertyWithValue('uid', uid);
  // WCAP default: all-day events are transparent, others opaque (seed 004, `transparent`).
  if (type === 'VEVENT' && changes.transparent === undefined) changes.transparent = changes.isAllDay === true;
  applyItemChanges(item, changes, { directory: ctx.deps.directory, calendarCalid: calendar.address.calid });
  stampItem(item, new Date(ctx.deps.clock.now()), true);
  const vcalendar = newCalendarObject(item);
  const credentials = credentialsOf(sessionOf(ctx));
  const object = await ctx.deps.backend.createObject(credentials, calendar.info.url, uid, serializeCalendarObject(vcalendar));
  await ctx.deps.guids.set(calendar.info.url, uid, object.url).catch(() => undefined);
  return vcalendar;
}

async function modify(
  ctx: CommandContext<StoreParams>,
  calendar: ResolvedCalendar,
  existing: LoadedItem,
  uid: string,
  type: ComponentType,
  changes: ReturnType<typeof changesFromParams>,
): Promise<ICAL.Component> {
  const { vcalendar } = existing;
  const master = masterOf(vcalendar, type) ?? itemComponents(vcalendar, type).find((c) => uidOf(c) === uid);
  if (!master) {
    // The UID exists but as the other kind of item (an event where a task was expected).
    throw new WcapError(CREATE_EXISTS, `The UID belongs to an item that is not a ${type === 'VEVENT' ? 'event' : 'task'}`);
  }
  const before = contentFingerprint(master);
  applyItemChanges(master, changes, { directory: ctx.deps.directory, calendarCalid: calendar.address.calid });
  if (contentFingerprint(master) === before) return vcalendar;
  stampItem(master, new Date(ctx.deps.clock.now()), false);
  const credentials = credentialsOf(sessionOf(ctx));
  await ctx.deps.backend.updateObject(credentials, existing.object, serializeCalendarObject(vcalendar));
  return vcalendar;
}
