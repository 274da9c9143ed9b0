import type ICAL from 'ical.js';
import type { Item } from '../calendars/item.js';
import { calendarProperties } from '../mapping/calprops.js';
import { cloneInTree } from '../mapping/timezones.js';
import type { ComponentType } from '../model/calendar.js';
import { defineCommand } from '../wcap/command.js';
import { Errno } from '../wcap/errno.js';
import { windowOf } from '../wcap/fetch-params.js';
import { p } from '../wcap/params.js';
import { calidsOf } from '../wcap/per-calendar.js';
import type { WcapProperty } from '../wcap/result.js';
import { WcapError } from '../wcap/wcap-error.js';

const TYPES: readonly ComponentType[] = ['VEVENT', 'VTODO'];
const FORMATS = new Set(['text/calendar', 'text/xml']);

// Properties only the gateway writes (docs/architecture.md#series-splits) stay inside.
const RESERVED_PREFIX = 'x-wcap-gateway-';

/**
 * export (docs/wcap-protocol.md#export): every event and task of the calendars of `calid` that
 * overlaps dtstart/dtend (`0` or absent: open) as one file in `content-out` (text/calendar or
 * text/xml, which also decides the answer's format): one VCALENDAR with the VTIMEZONEs the items
 * use, then each item as stored — master and overrides, not expanded — so that an import of the
 * file gives back the same items. XML is WCAP's Zulu vocabulary, as in fetch answers. Every
 * calendar is read (and access decided) before the first byte is sent; then the items are parsed
 * one at a time while the answer streams out.
 */
export default defineCommand({
  name: 'export',
  needsSession: true,
  failsWith: Errno.FETCHBYDATERANGE_FAILED,
  formatParam: 'content-out',
  params: { calid: p.list(), 'content-out': p.string(), 'fmt-out': p.string(), dtstart: p.date(), dtend: p.date(), tzid: p.string() },
  async run({ params, calendars }) {
    // The format the pipeline answers in: content-out, else fmt-out, else text/calendar.
    const asked = params['content-out']?.trim() || params['fmt-out']?.trim() || 'text/calendar';
    const format = asked.toLowerCase();
    if (!FORMATS.has(format)) throw new WcapError(Errno.WCAP_NO_SUCH_FORMAT, 'content-out must be text/calendar or text/xml');
    const range = windowOf(params, params.tzid, Errno.FETCHBYDATERANGE_FAILED);
    const calids = calidsOf(params.calid, calendars.user);
    const read = await Promise.all(
      calids.map(async (calid) => {
        const calendar = await calendars.resolve(calid);
        const query = await calendar.queryLazily(range, TYPES);
        return { calid, info: await calendar.properties(), ...query };
      }),
    );
    const zones = new Map<string, ICAL.Component>();
    for (const { zones: used } of read) for (const zone of used) zones.set(String(zone.getFirstPropertyValue('tzid')), zone);
    const properties: WcapProperty[] = read.length === 1 ? calendarProperties(read[0]!.calid, read[0]!.info) : [];
    const xml = format === 'text/xml';
    return {
      saveAs: 'export',
      blocks: [
        {
          properties,
          // XML is Zulu: its items need no zones.
          components: xml ? [] : [...zones.values()],
          errno: Errno.OK,
          timesAsStored: xml,
          streamed: exported(read.map((r) => r.items)),
        },
      ],
    };
  },
});

/** The items' components, as stored, one item at a time. */
async function* exported(calendars: Iterable<Item>[]): AsyncGenerator<ICAL.Component> {
  for (const items of calendars) {
    for (const item of items) {
      for (const component of item.components) {
        const copy = cloneInTree(component);
        removeReserved(copy);
        yield copy;
      }
    }
  }
}

function removeReserved(component: ICAL.Component): void {
  for (const property of [...component.getAllProperties()]) {
    if (property.name.startsWith(RESERVED_PREFIX)) component.removeProperty(property);
  }
}
