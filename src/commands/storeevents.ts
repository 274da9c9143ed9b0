import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import type { Calendar } from '../calendars/calendar.js';
import type { Outbox } from '../calendars/calendar-repository.js';
import { componentsOf, type Item } from '../calendars/item.js';
import { attachManagedFiles } from '../calendars/managed-files.js';
import { retryOnConflict } from '../calendars/merge-retry.js';
import { applyItemChanges, stampItem } from '../mapping/apply-changes.js';
import { calendarProperties } from '../mapping/calprops.js';
import { newCalendarObject } from '../mapping/calendar-object.js';
import { itemsForOutput } from '../mapping/item-output.js';
import { editSeries, type EditTarget } from '../mapping/series-edit.js';
import type { ComponentType } from '../model/calendar.js';
import { isGatewayError } from '../model/errors.js';
import type { ItemChanges } from '../model/item-changes.js';
import { defineCommand, type CommandContext } from '../wcap/command.js';
import { refuseDoubleBooking } from '../wcap/double-booking.js';
import { Errno } from '../wcap/errno.js';
import { fetchSettings } from '../wcap/fetch-params.js';
import { attachedFiles } from '../wcap/attach-ids.js';
import { singleBlock, type WcapProperty, type WcapResult } from '../wcap/result.js';
import { deliverMail, mailWanted } from '../wcap/notify-params.js';
import { changesFromParams, storeParams, type StoreParams } from '../wcap/store-params.js';
import { WcapError } from '../wcap/wcap-error.js';

const REPLY = '4';

/**
 * storeevents and (with VTODO) storetodos: create an item, or modify a whole series (mod=4), one
 * instance (mod=1) or a part of a series (mod=2 / 3), changing only the fields sent
 * (docs/wcap-protocol.md#storeevents-and-storetodos). The parameters become ItemChanges
 * (wcap/store-params.ts), mapping applies them (mapping/apply-changes.ts for a new item,
 * mapping/series-edit.ts for a stored one), the calendar repository reads and writes
 * (calendars/calendar.ts). A store that changes nothing writes nothing (clients echo items back
 * during sync, docs/lightning.md#offline-sync). A concurrent change between read and write is
 * redone from a fresh read a few times (calendars/merge-retry.ts); a split is written so that an
 * interruption is completed by the next access (calendars/series-split.ts). fetch=1 answers the
 * whole stored series.
 */
export function storeCommand(name: string, type: ComponentType, failsWith: number) {
  return defineCommand({
    name,
    needsSession: true,
    failsWith,
    params: storeParams,
    takesUploads: 'files',
    async run(ctx) {
      const { params } = ctx;
      const { timezoneOut } = fetchSettings({ tzid: undefined, tzidout: params.tzidout }, ctx.server);
      // Bad values answer here, before any CalDAV request.
      const parsed = changesFromParams(params, failsWith, ctx.server);
      // A REPLY (method=4) carries the replying attendee's answer and nothing else.
      const requested: ItemChanges = params.method === REPLY ? { attendees: parsed.attendees ?? [], replace: false } : parsed;
      // Applying may fill in defaults: each attempt gets its own copy.
      const changesOf = (): ItemChanges => structuredClone(requested);
      const calendar = await ctx.calendars.resolve(params.calid);
      if (!calendar.owned) throw new WcapError(Errno.ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
      const outbox = ctx.calendars.outbox(calendar, mailWanted(params));
      const givenUid = params.uid?.trim();
      const uid = givenUid || randomUUID();
      // File parts of a multipart store become inline attachments (docs/wcap-protocol.md#attachments).
      const files = await attachedFiles(ctx.uploads, calendar.calid, uid, ctx.limits.maxAttachmentBytes);
      // …or managed attachments (RFC 8607) where the server keeps files itself, added once the item is stored.
      const managed = files.length > 0 && (await calendar.managesAttachments());
      if (files.length > 0 && !managed) requested.files = files;
      let created = false;
      // A create (storetype=1, or no uid at all) needs no lookup: the conditional PUT itself fails
      // when the UID exists, which saves a UID REPORT on every new item.
      const createOnly = params.storetype === 1 || !givenUid;
      // Each attempt reads the item afresh and applies only the fields sent (fresh ItemChanges:
      // applying may fill in defaults), so a concurrent store of other fields is merged
      // (calendars/merge-retry.ts). A create that met a concurrent create of the same UID becomes
      // a modify of it, unless the client asked for a create only.
      const stored = await retryOnConflict(
        calendar.conflictRetry,
        async () => {
          const existing = createOnly ? null : await calendar.find(uid, type);
          if (!existing && params.storetype === 2) throw new WcapError(Errno.WCAP_MODIFY_NO_EVENT, 'There is no item with this UID to modify');
          created = !existing;
          return existing ? modify(ctx, calendar, existing, changesOf(), failsWith, outbox) : create(ctx, calendar, uid, type, changesOf(), outbox);
        },
        (err) => !createOnly && isGatewayError(err, 'exists'),
      ).catch((err: unknown) => {
        if (createOnly && isGatewayError(err, 'exists')) throw new WcapError(Errno.WCAP_CREATE_EXISTS, 'An item with this UID already exists');
        throw err;
      });
      const final = managed ? await attachManagedFiles(calendar, await storedItem(calendar, stored, uid, type), files, created) : stored;
      await deliverMail(outbox);
      const attachIds = files.map((file): WcapProperty => ({ name: 'X-S1CS-ATTACH-ID', value: file.attachId }));
      return answer(ctx, calendar, final.components, timezoneOut, attachIds);
    },
  });
}

export default storeCommand('storeevents', 'VEVENT', Errno.STOREEVENTS_FAILED);

async function create(ctx: CommandContext<StoreParams>, calendar: Calendar, uid: string, type: ComponentType, changes: ItemChanges, outbox: Outbox): Promise<Item> {
  if (ctx.params.rid && ctx.params.mod !== 4) {
    throw new WcapError(Errno.RECURRING_COMPONENT_NOT_FOUND, 'There is no recurring item with this UID to store an instance of');
  }
  const item = new ICAL.Component(type.toLowerCase());
  item.addPropertyWithValue('uid', uid);
  // WCAP default: all-day events are transparent, others opaque (docs/wcap-protocol.md#storeevents-parameters).
  if (type === 'VEVENT' && changes.transparent === undefined) changes.transparent = changes.isAllDay === true;
  applyItemChanges(item, changes, { directory: ctx.server.directory, calendarCalid: calendar.calid, master: true });
  stampItem(item, new Date(ctx.clock.now()), true);
  if (type === 'VEVENT') await refuseDoubleBooking(calendar, [item], ctx.server);
  const created = await calendar.create(uid, type, newCalendarObject(item));
  outbox.note(null, created);
  return created;
}

async function modify(
  ctx: CommandContext<StoreParams>,
  calendar: Calendar,
  existing: Item,
  changes: ItemChanges,
  failsWith: number,
  outbox: Outbox,
): Promise<{ components: ICAL.Component[] }> {
  const { rid, method } = ctx.params;
  const target: EditTarget = { rid, mod: (ctx.params.mod ?? (rid ? 1 : 4)) as EditTarget['mod'], reply: method === REPLY };
  const apply = { directory: ctx.server.directory, calendarCalid: calendar.calid, master: true };
  const before = outbox.snapshot(existing);
  const edit = editSeries(existing.vcalendar, existing.components, existing.type, changes, target, apply, new Date(ctx.clock.now()));
  switch (edit.kind) {
    case 'not-this-type':
      throw new WcapError(Errno.WCAP_CREATE_EXISTS, `The UID belongs to an item that is not a ${existing.type === 'VEVENT' ? 'event' : 'task'}`);
    case 'no-such-instance':
      throw new WcapError(Errno.RECURRING_COMPONENT_NOT_FOUND, 'The series has no instance at rid');
    case 'rules-on-instance':
      throw new WcapError(failsWith, 'Recurrence rules cannot be changed on one instance (use mod=4)');
    case 'unchanged':
      return edit;
    case 'update':
      // A reply (method=4) changes only the replying attendee's answer, never the time taken.
      if (existing.type === 'VEVENT' && !target.reply) await refuseDoubleBooking(calendar, componentsOf(existing.vcalendar, existing.uid, 'VEVENT'), ctx.server);
      // Exceptions a rule change dropped are reported by fetch_deletedcomponents.
      await calendar.save(existing, edit.deleted);
      outbox.note(before, existing, target.reply);
      return edit;
    case 'split':
      if (existing.type === 'VEVENT') {
        const parts = [...componentsOf(existing.vcalendar, existing.uid, 'VEVENT'), ...componentsOf(edit.separate, edit.newUid, 'VEVENT')];
        await refuseDoubleBooking(calendar, parts, ctx.server);
      }
      await calendar.split({ original: existing, newUid: edit.newUid, separate: edit.separate, rid: edit.rid, mod: edit.mod });
      outbox.note(before, existing);
      outbox.note(null, { vcalendar: edit.separate, uid: edit.newUid, type: existing.type });
      return edit;
  }
}

/** The item as stored: a create returns it, a modify is read back (one lookup). */
async function storedItem(calendar: Calendar, stored: Item | { components: ICAL.Component[] }, uid: string, type: ComponentType): Promise<Item> {
  if ('stored' in stored) return stored;
  const item = await calendar.find(uid, type);
  if (!item) throw new WcapError(Errno.WCAP_MODIFY_NO_EVENT, 'The item vanished while its files were being attached');
  return item;
}

/** fetch=1: the complete stored series (master plus every exception) in one calendar. */
async function answer(
  ctx: CommandContext<StoreParams>,
  calendar: Calendar,
  components: ICAL.Component[],
  timezoneOut: ReturnType<typeof fetchSettings>['timezoneOut'],
  attachIds: WcapProperty[],
): Promise<WcapResult> {
  const info = await calendar.properties();
  const properties = [...calendarProperties(calendar.calid, info), ...attachIds];
  if (!ctx.params.fetch) return singleBlock(properties);
  const items = itemsForOutput(components, {
    emailOrCalid: ctx.params.emailorcalid,
    directory: ctx.server.directory,
    ...(timezoneOut ? { timezoneOut } : {}),
    relativeAlarms: ctx.params.relativealarm,
    ...(info.timezone ? { floatingZone: info.timezone } : {}),
  });
  return { blocks: [{ ...singleBlock(properties, items).blocks[0]!, timesAsStored: !timezoneOut }] };
}
