import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { applyItemChanges, stampItem } from '../../mapping/apply-changes.js';
import { calendarProperties } from '../../mapping/calprops.js';
import { newCalendarObject, serializeCalendarObject } from '../../mapping/calendar-object.js';
import { itemsForOutput } from '../../mapping/item-output.js';
import { parseTimezoneOut, type TimezoneOut } from '../../mapping/tzidout.js';
import type { ComponentType } from '../../model/calendar.js';
import { isGatewayError } from '../../model/errors.js';
import type { ItemChanges } from '../../model/item-changes.js';
import type { CommandContext } from '../../wcap/command.js';
import { sessionOf } from '../../wcap/command.js';
import { singleBlock, type WcapResult } from '../../wcap/result.js';
import { WcapError } from '../../wcap/wcap-error.js';
import { ACCESS_DENIED_TO_CALENDAR, credentialsOf, resolveCalendar, type ResolvedCalendar } from './calendars.js';
import { findItem } from './items.js';
import { modifyItem, type Modification } from './store-modify.js';
import { zuluByDefault } from './fetch-params.js';
import { changesFromParams, type StoreParams } from './store-params.js';

const MODIFY_NO_EVENT = 62;
const CREATE_EXISTS = 63;
const REPLY = '4';
const BAD_TZID = 18;

/**
 * storeevents / storetodos: create an item, or modify a whole series (mod=4), one instance (mod=1)
 * or a part of a series (mod=2 / 3) — changing only the fields sent. A store that changes nothing
 * writes nothing (clients echo items back during sync, lightning-client.md §7). A concurrent change
 * between read and write is retried once from a fresh read.
 */
export async function storeItem(ctx: CommandContext<StoreParams>, type: ComponentType, failsWith: number): Promise<WcapResult> {
  const { params } = ctx;
  const timezoneOut = parseTimezoneOut(params.tzidout, zuluByDefault(ctx.format));
  if (!timezoneOut) throw new WcapError(BAD_TZID, 'Unknown time zone in parameter tzidout');
  let changes = changesFromParams(params, ctx.raw, failsWith);
  // A REPLY (method=4) carries the replying attendee's answer and nothing else (seed 004).
  if (params.method === REPLY) changes = { attendees: changes.attendees ?? [], replace: false };
  const calendar = await resolveCalendar(ctx, params.calid);
  if (!calendar.owned) throw new WcapError(ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
  const givenUid = params.uid?.trim();
  const uid = givenUid || randomUUID();
  // A create (storetype=1, or no uid at all) needs no lookup: the conditional PUT itself fails
  // when the UID exists, which saves a UID REPORT on every new item.
  const createOnly = params.storetype === 1 || !givenUid;

  for (let attempt = 0; ; attempt++) {
    try {
      const existing = createOnly ? null : await findItem(ctx, calendar, uid, type);
      if (!existing && params.storetype === 2) throw new WcapError(MODIFY_NO_EVENT, 'There is no item with this UID to modify');
      const stored = existing
        ? await modifyItem(ctx, calendar, existing, uid, type, changes, failsWith)
        : await create(ctx, calendar, uid, type, changes);
      return answer(ctx, calendar, stored, timezoneOut);
    } catch (err) {
      if (createOnly && isGatewayError(err, 'exists')) throw new WcapError(CREATE_EXISTS, 'An item with this UID already exists');
      if (attempt === 0 && (isGatewayError(err, 'changed') || isGatewayError(err, 'exists'))) continue;
      throw err;
    }
  }
}

/** fetch=1: the complete stored series (master plus every exception) in one calendar. */
function answer(
  ctx: CommandContext<StoreParams>,
  calendar: ResolvedCalendar,
  stored: Modification,
  timezoneOut: TimezoneOut,
): WcapResult {
  const properties = calendarProperties(calendar.address.calid, calendar.info);
  if (!ctx.params.fetch) return singleBlock(properties);
  const items = itemsForOutput(stored.components, {
    emailOrCalid: ctx.params.emailorcalid,
    directory: ctx.deps.directory,
    timezoneOut,
    relativeAlarms: ctx.params.relativealarm,
    ...(calendar.info.timezone ? { floatingZone: calendar.info.timezone } : {}),
  });
  return singleBlock(properties, items);
}

async function create(
  ctx: CommandContext<StoreParams>,
  calendar: ResolvedCalendar,
  uid: string,
  type: ComponentType,
  changes: ItemChanges,
): Promise<Modification> {
  if (ctx.params.rid && ctx.params.mod !== 4) {
    throw new WcapError(81, 'There is no recurring item with this UID to store an instance of');
  }
  const item = new ICAL.Component(type.toLowerCase());
  item.addPropertyWithValue('uid', uid);
  // WCAP default: all-day events are transparent, others opaque (seed 004, `transparent`).
  if (type === 'VEVENT' && changes.transparent === undefined) changes.transparent = changes.isAllDay === true;
  applyItemChanges(item, changes, { directory: ctx.deps.directory, calendarCalid: calendar.address.calid, master: true });
  stampItem(item, new Date(ctx.deps.clock.now()), true);
  const vcalendar = newCalendarObject(item);
  const credentials = credentialsOf(sessionOf(ctx));
  const object = await ctx.deps.backend.createObject(credentials, calendar.info.url, uid, serializeCalendarObject(vcalendar));
  await ctx.deps.guids.set(calendar.info.url, uid, object.url).catch(() => undefined);
  return { components: [item] };
}
