import type ICAL from 'ical.js';
import { importInto, type ImportOutcome } from '../calendars/bulk-import.js';
import { calendarProperties } from '../mapping/calprops.js';
import { IcalStructureError, splitIcalendar } from '../mapping/ical-splitter.js';
import { importEntries, zoneOf } from '../mapping/import-items.js';
import { isGatewayError } from '../model/errors.js';
import { defineCommand, type CommandContext } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { errorToErrno } from '../wcap/error-mapping.js';
import { windowOf } from '../wcap/fetch-params.js';
import { calidsOf } from '../wcap/per-calendar.js';
import { p, type ParamsOf } from '../wcap/params.js';
import type { WcapBlock, WcapProperty } from '../wcap/result.js';
import { firstUpload, uploadText } from '../wcap/upload-text.js';
import type { Upload } from '../wcap/upload.js';
import { WcapError } from '../wcap/wcap-error.js';
import { xmlImportComponents } from '../mapping/xml-import.js';

const params = { calid: p.list(), 'content-in': p.string(), dtstart: p.date(), dtend: p.date(), tzid: p.string() };
type ImportParams = ParamsOf<typeof params>;

/** Writes in flight per import; see calendars/bulk-import.ts. */
const CONCURRENCY = 4;
/** Failures listed in the answer at most (all are counted). */
const MAX_REPORTED = 1000;
/** Distinct time zone definitions one file may bring. */
const MAX_ZONES = 1000;

/**
 * import (docs/wcap-protocol.md#import): the events and tasks of an iCalendar or WCAP XML file
 * (`content-in`), posted as a multipart file part or as the whole body, into each calendar of
 * `calid`. UIDs are kept and an existing item with the same UID is replaced. The file, spooled to
 * disk by app.ts, is read twice as a stream: once to check its structure, count its components
 * and collect its VTIMEZONEs (a broken or too large file changes nothing: errno 77), then to
 * write its items a few at a time through the calendar repository. Items that cannot be stored
 * are listed by UID with the reason (X-WCAP-IMPORT-FAILED) and the calendar's errno is 35.
 */
export default defineCommand({
  name: 'import',
  needsSession: true,
  failsWith: Errno.BAD_IMPORT_ARGUMENTS,
  takesUploads: 'files-or-body',
  params,
  async run(ctx) {
    const upload = firstUpload(ctx.uploads);
    if (!upload) throw new WcapError(Errno.BAD_IMPORT_ARGUMENTS, 'No file to import: post it as a multipart file part or as the request body');
    const format = formatOf(ctx.params['content-in'], upload);
    const range = windowOf(ctx.params, ctx.params.tzid, Errno.BAD_IMPORT_ARGUMENTS);
    const zones = await checkFile(ctx, upload, format);
    const calids = calidsOf(ctx.params.calid, ctx.calendars.user);
    const blocks: WcapBlock[] = [];
    // One calendar after the other: an import is already as parallel as it may be.
    for (const calid of calids) blocks.push(await importOne(ctx, calid, upload, format, { zones, range }, calids.length > 1));
    return { blocks };
  },
});

type Format = 'text/calendar' | 'text/xml';

function formatOf(contentIn: string | undefined, upload: Upload): Format {
  const given = (contentIn ?? '').trim().toLowerCase() || upload.contentType;
  if (given === 'text/calendar' || given === 'text/xml') return given;
  throw new WcapError(Errno.BAD_IMPORT_ARGUMENTS, 'content-in must be text/calendar or text/xml');
}

function componentsOf(upload: Upload, format: Format, ctx: CommandContext<ImportParams>) {
  const text = uploadText(upload, Errno.BAD_IMPORT_ARGUMENTS);
  const limits = { maxComponentChars: ctx.limits.maxImportComponentBytes };
  return format === 'text/calendar' ? splitIcalendar(text, limits) : xmlImportComponents(text, limits);
}

/** First pass: structure, component count and the file's time zones. */
async function checkFile(ctx: CommandContext<ImportParams>, upload: Upload, format: Format): Promise<Map<string, ICAL.Component>> {
  const zones = new Map<string, ICAL.Component>();
  let count = 0;
  try {
    for await (const component of componentsOf(upload, format, ctx)) {
      if (++count > ctx.limits.maxImportComponents) {
        throw new WcapError(Errno.BAD_IMPORT_ARGUMENTS, `The file has more than ${ctx.limits.maxImportComponents} components (WCAP_MAX_IMPORT_COMPONENTS)`);
      }
      if (component.kind === 'component' && component.name === 'VTIMEZONE' && zones.size < MAX_ZONES) {
        const zone = zoneOf(component.text);
        if (zone && !zones.has(zone.tzid)) zones.set(zone.tzid, zone.zone);
      }
    }
  } catch (err) {
    if (err instanceof IcalStructureError) throw new WcapError(Errno.BAD_IMPORT_ARGUMENTS, `The file is not usable ${format === 'text/xml' ? 'WCAP XML' : 'iCalendar'}: ${err.message}`);
    throw err;
  }
  if (count === 0) throw new WcapError(Errno.BAD_IMPORT_ARGUMENTS, 'The file holds no calendar components');
  return zones;
}

async function importOne(
  ctx: CommandContext<ImportParams>,
  calid: string,
  upload: Upload,
  format: Format,
  options: { zones: Map<string, ICAL.Component>; range: ReturnType<typeof windowOf> },
  several: boolean,
): Promise<WcapBlock> {
  try {
    const calendar = await ctx.calendars.resolve(calid);
    if (!calendar.owned) throw new WcapError(Errno.ACCESS_DENIED_TO_CALENDAR, 'Access denied to calendar');
    const info = await calendar.properties();
    const entries = importEntries(componentsOf(upload, format, ctx), { ...options, maxComponentsPerItem: ctx.limits.maxListItems });
    const outcome = await importInto(calendar, entries, { concurrency: CONCURRENCY, maxReported: MAX_REPORTED, log: ctx.log, progressEvery: 1000 });
    return blockOf(calendarProperties(calid, info), outcome);
  } catch (err) {
    const outcome = errorToErrno(err, Errno.WRITE_IMPORT_FAILED);
    // A calid naming no calendar of this user is the protocol's "cannot expand calid".
    const errno = outcome.errno === Errno.CALENDAR_DOES_NOT_EXIST ? Errno.WRITE_IMPORT_CANT_EXPAND_CALID : outcome.errno;
    if (!several || errno === Errno.LOGIN_FAILED) throw new WcapError(errno, outcome.message);
    return { properties: [{ name: 'X-NSCP-CALPROPS-RELATIVE-CALID', value: calid }], components: [], errno, errnoMessage: outcome.message };
  }
}

/** Why a write failed, in words for the client (the server's own answer may name URLs). */
function reasonOf(cause: unknown): string {
  if (isGatewayError(cause, 'invalid')) return `The calendar server refused to store it${cause.status ? ` (HTTP ${cause.status})` : ''}`;
  return errorToErrno(cause, Errno.WRITE_IMPORT_FAILED).message;
}

function blockOf(properties: WcapProperty[], outcome: ImportOutcome): WcapBlock {
  const report: WcapProperty[] = [{ name: 'X-WCAP-IMPORT-STORED', value: String(outcome.stored) }];
  if (outcome.skipped > 0) report.push({ name: 'X-WCAP-IMPORT-SKIPPED', value: String(outcome.skipped) });
  report.push({ name: 'X-WCAP-IMPORT-FAILED-COUNT', value: String(outcome.failed) });
  for (const failure of outcome.failures) {
    const reason = failure.cause === undefined ? failure.reason : reasonOf(failure.cause);
    // A double quote cannot appear in a quoted iCalendar parameter value (RFC 5545 §3.2).
    const uid = (failure.uid ?? '').replace(/"/g, "'").slice(0, 255);
    report.push({ name: 'X-WCAP-IMPORT-FAILED', value: reason, params: { UID: uid, COMPONENT: failure.name } });
  }
  const block: WcapBlock = { properties: [...properties, ...report], components: [], errno: Errno.OK };
  if (outcome.stoppedBy !== undefined) {
    const stopped = errorToErrno(outcome.stoppedBy, Errno.WRITE_IMPORT_FAILED);
    return { ...block, errno: stopped.errno, errnoMessage: `${stopped.message}; ${outcome.stored} items were stored before the import stopped` };
  }
  if (outcome.failed > 0) {
    return { ...block, errno: Errno.WRITE_IMPORT_FAILED, errnoMessage: `Items not imported: ${outcome.failed} (listed in X-WCAP-IMPORT-FAILED); items stored: ${outcome.stored}` };
  }
  return block;
}
