import ICAL from 'ical.js';
import { makeAlarmsAbsolute } from './alarm-output.js';
import { applyAttrset, type Attrset } from './attrset.js';
import { usedTimezoneIds } from './calendar-object.js';
import { stripMailto, type Directory } from './directory.js';
import { copyItems, storedZoneOf } from './item-copy.js';
import { vtimezone } from './timezones.js';
import { convertToZone, type TimezoneOut } from './tzidout.js';

export interface ItemOutputOptions {
  /**
   * WCAP `emailorcalid`: true → ATTENDEE/ORGANIZER values are `mailto:` addresses with the calid in
   * X-S1CS-CALID (what Lightning sends and needs, docs/lightning.md#method-and-invitations); false
   * (the WCAP default) → the value is the calid and the address goes in X-S1CS-EMAIL.
   */
  emailOrCalid: boolean;
  directory: Directory;
  /** WCAP `tzidout` (see tzidout.ts); default: as stored. */
  timezoneOut?: TimezoneOut;
  /** WCAP `relativealarm`: true (default) keeps triggers as stored, false makes them absolute UTC. */
  relativeAlarms?: boolean;
  /** WCAP `attrset`; default 2 (everything). */
  attrset?: Attrset;
  /** Zone for DATE and floating alarm anchors (the calendar's zone); UTC when absent. */
  floatingZone?: string;
  /**
   * WCAP `fetchattach`: true writes inline attachments (ATTACH;VALUE=BINARY) with their bytes;
   * false, the default, only their information, as 7.0 did: `X-S1CS-ATTACH-ID` with the file's name
   * and type, the bytes being one fetchattachment away (docs/wcap-protocol.md#attachments).
   */
  attachmentBodies?: boolean;
}

const TZID_HINTS: Array<[string, string]> = [
  ['dtstart', 'X-NSCP-DTSTART-TZID'],
  ['dtend', 'X-NSCP-DTEND-TZID'],
  ['due', 'X-NSCP-DUE-TZID'],
];

/**
 * Copies stored items for a WCAP answer: standard iCalendar (local times with TZID plus the
 * VTIMEZONEs, placed first: the gateway's canonical definition for zones it knows, the stored one
 * for others) plus the Sun hints X-NSCP-*-TZID naming each value's stored zone, shaped by the
 * options: alarms, attrset, tzidout, calendar users. The stored components are not modified.
 */
export function itemsForOutput(items: readonly ICAL.Component[], options: ItemOutputOptions): ICAL.Component[] {
  const copies = copyItems(items);
  for (const item of copies) {
    if (options.relativeAlarms === false) makeAlarmsAbsolute(item, options.floatingZone);
    if (options.attrset !== undefined) applyAttrset(item, options.attrset);
    if (!options.attachmentBodies) attachmentsAsInformation(item);
    // The hints name the zone the item lives in, whatever zone tzidout shows the values in: that
    // is what Sun's UTC output plus X-NSCP-DTSTART-TZID meant
    // (docs/lightning.md#parsing-returned-components).
    for (const [name, hint] of TZID_HINTS) {
      const tzid = item.getFirstProperty(name)?.getParameter('tzid');
      item.removeAllProperties(hint.toLowerCase());
      if (typeof tzid === 'string') item.addPropertyWithValue(hint.toLowerCase(), tzid);
    }
    // A series is expanded in its DTSTART's zone (RFC 5545 §3.3.10): a master moved to another
    // named zone would move its instances across DST changes, so it stays as stored. Zulu is
    // Sun's own form: clients re-zone a UTC master with X-NSCP-DTSTART-TZID
    // (docs/lightning.md#parsing-returned-components).
    const master = item.hasProperty('rrule') || item.hasProperty('rdate');
    const out = options.timezoneOut;
    if (out?.kind === 'zone' && (!master || out.tzid === 'UTC')) convertToZone(item, out.tzid);
    for (const property of [...item.getAllProperties('organizer'), ...item.getAllProperties('attendee')]) {
      shapeCalendarUser(property, options);
    }
  }
  return [...zonesOf(copies), ...copies];
}

/**
 * The VTIMEZONEs the copies use: the gateway's definition for zones it knows, else each object's
 * own. Zones are per object (see timezones.ts), so two objects may define the same custom TZID
 * with different rules; one answer can hold only one VTIMEZONE per TZID, so each further variant is
 * renamed `<tzid> (2)`, `(3)` … in the items that use it.
 */
function zonesOf(copies: ICAL.Component[]): ICAL.Component[] {
  const zones: ICAL.Component[] = [];
  for (const tzid of usedTimezoneIds(copies)) {
    const canonical = vtimezone(tzid);
    if (canonical) {
      zones.push(canonical);
      continue;
    }
    const variants = new Map<string, { zone: ICAL.Component; users: ICAL.Component[] }>();
    for (const copy of copies) {
      const zone = usedTimezoneIds([copy]).has(tzid) ? storedZoneOf(copy, tzid) : undefined;
      if (!zone) continue;
      const key = zone.toString();
      const variant = variants.get(key) ?? { zone, users: [] };
      variant.users.push(copy);
      variants.set(key, variant);
    }
    [...variants.values()].forEach(({ zone, users }, i) => {
      if (i > 0) {
        const name = `${tzid} (${i + 1})`;
        zone.updatePropertyWithValue('tzid', name);
        for (const user of users) renameZone(user, tzid, name, zone);
      }
      zones.push(zone);
    });
  }
  return zones;
}

/** Makes an item use `to` wherever it named zone `from`, with the definition in its holder too. */
function renameZone(item: ICAL.Component, from: string, to: string, zone: ICAL.Component): void {
  const visit = (component: ICAL.Component) => {
    for (const property of component.getAllProperties()) if (property.getParameter('tzid') === from) property.setParameter('tzid', to);
    component.getAllSubcomponents().forEach(visit);
  };
  visit(item);
  item.parent?.addSubcomponent(new ICAL.Component(structuredClone(zone.jCal)));
}

function shapeCalendarUser(property: ICAL.Property, options: ItemOutputOptions): void {
  const value = String(property.getFirstValue() ?? '');
  const storedCalid = property.getParameter('x-s1cs-calid');
  const isAddress = /^mailto:/i.test(value) || value.includes('@');
  const mail = isAddress ? stripMailto(value) : options.directory.mailOf(value.split(':')[0] ?? value);
  const calid =
    typeof storedCalid === 'string' ? storedCalid : isAddress ? options.directory.userOfMail(mail) : value;
  property.removeParameter('x-s1cs-calid');
  property.removeParameter('x-s1cs-email');
  if (options.emailOrCalid) {
    property.setValue(`mailto:${mail}`);
    // An external organizer gets its address as calid: Lightning recognises an invitation (and
    // answers it with a REPLY) only when ORGANIZER carries an X-S1CS-CALID other than the user's
    // (docs/lightning.md#method-and-invitations).
    const organizerCalid = property.name === 'organizer' ? mail : undefined;
    if (calid ?? organizerCalid) property.setParameter('x-s1cs-calid', (calid ?? organizerCalid)!);
  } else if (calid) {
    property.setValue(calid);
    property.setParameter('x-s1cs-email', mail);
  } else {
    property.setValue(`mailto:${mail}`);
  }
}

/** Inline and managed (RFC 8607) attachments as their X-S1CS-ATTACH-ID, file name and type, without the bytes. */
function attachmentsAsInformation(item: ICAL.Component): void {
  for (const attach of item.getAllProperties('attach')) {
    if (attach.type !== 'binary' && attach.getParameter('x-s1cs-attach-id') === undefined) continue;
    item.removeProperty(attach);
    const id = attach.getParameter('x-s1cs-attach-id');
    if (typeof id !== 'string') continue;
    const info = new ICAL.Property('x-s1cs-attach-id', item);
    info.setValue(id);
    for (const name of ['x-s1cs-filename', 'fmttype']) {
      const value = attach.getParameter(name);
      if (typeof value === 'string') info.setParameter(name, value);
    }
    item.addProperty(info);
  }
}
