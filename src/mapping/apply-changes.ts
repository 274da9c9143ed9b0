import ICAL from 'ical.js';
import type { AttachedFile, ItemChanges } from '../model/item-changes.js';
import { applyAlarms } from './alarms.js';
import { applyDates } from './apply-dates.js';
import { applyRecurrence } from './apply-recurrence.js';
import { applyAttendees, resolveCalendarUser, setOrganizer } from './attendees.js';
import type { Directory } from './directory.js';
import { setTimeProperty, toIcalTime, utcTime } from './ical-time.js';

export interface ApplyContext {
  directory: Directory;
  /** The calid of the calendar being written: the default organizer of meetings. */
  calendarCalid: string;
  /** Whether recurrence parameters apply (false for one overridden instance). */
  master: boolean;
}

const TEXT_FIELDS = ['summary', 'description', 'location'] as const;

/**
 * Applies a store request to a VEVENT or VTODO in place. Fields the request does not mention are
 * left exactly as stored (a modify "changes only the fields sent"). Throws GatewayError 'invalid'
 * for requests that would produce an invalid item (event without start, end before start).
 */
export function applyItemChanges(component: ICAL.Component, changes: ItemChanges, ctx: ApplyContext): void {
  applyDates(component, changes);
  const oldSummary = component.getFirstPropertyValue('summary');
  setText(component, 'summary', changes.summary);
  setText(component, 'description', changes.description);
  setText(component, 'location', changes.location);
  setText(component, 'url', changes.url);
  setValue(component, 'priority', changes.priority);
  setValue(component, 'class', changes.classification);
  setValue(component, 'status', changes.status);
  if (changes.transparent !== undefined && component.name === 'vevent') {
    component.updatePropertyWithValue('transp', changes.transparent ? 'TRANSPARENT' : 'OPAQUE');
  }
  if (component.name === 'vtodo') {
    setValue(component, 'percent-complete', changes.percent);
    if (changes.completed === null) component.removeAllProperties('completed');
    else if (changes.completed) setTimeProperty(component, 'completed', toIcalTime(changes.completed, 'UTC'));
  }
  setList(component, 'categories', changes.categories, changes.replace);
  setList(component, 'resources', changes.resources, changes.replace);
  setAttachments(component, changes.attachments, changes.replace);
  setFiles(component, changes.files ?? [], changes.deleteAttachIds ?? []);
  if (changes.organizer && (changes.organizer.calid || changes.organizer.email)) {
    const address = changes.organizer.calid ?? changes.organizer.email ?? '';
    setOrganizer(component, resolveCalendarUser(address, ctx.directory), changes.organizer.cn);
  }
  if (changes.attendees !== undefined) {
    applyAttendees(component, changes.attendees, ctx.directory, changes.replace);
  }
  // A meeting needs an organizer (RFC 5545 §3.8.4.3); WCAP's default is the calendar's owner.
  // Only when this request sets attendees: other edits change only the fields they send.
  if (changes.attendees !== undefined && component.hasProperty('attendee') && !component.hasProperty('organizer')) {
    setOrganizer(component, resolveCalendarUser(ctx.calendarCalid, ctx.directory), undefined);
  }
  setList(component, 'related-to', changes.relatedTos, changes.replace, true);
  setList(component, 'contact', changes.contacts, changes.replace, true);
  if (changes.geo === null) component.removeAllProperties('geo');
  else if (changes.geo) component.updatePropertyWithValue('geo', [changes.geo.latitude, changes.geo.longitude]);
  setValue(component, 'sequence', changes.sequence);
  if (changes.language !== undefined) setLanguage(component, changes.language);
  setXProperties(component, changes.xProperties);
  if (ctx.master) applyRecurrence(component, changes);
  if (changes.alarms === undefined) retitleAlarms(component, oldSummary, component.getFirstPropertyValue('summary'));
  else {
    const owner = ctx.calendarCalid.split(':')[0] ?? ctx.calendarCalid;
    applyAlarms(component, changes.alarms, { tzid: changes.tzid, defaultEmail: ctx.directory.mailOf(owner) });
  }
}

/**
 * Alarms the gateway wrote carry the item's title as their subject and text; when only the title
 * changes, a reminder must not keep announcing the old one.
 */
function retitleAlarms(component: ICAL.Component, before: unknown, after: unknown): void {
  if (before === after || typeof before !== 'string' || typeof after !== 'string') return;
  for (const alarm of component.getAllSubcomponents('valarm')) {
    for (const name of ['summary', 'description']) {
      if (alarm.getFirstPropertyValue(name) === before) alarm.updatePropertyWithValue(name, after);
    }
  }
}

/** LANGUAGE on the text properties (RFC 5545 §3.2.10); null removes it. */
function setLanguage(component: ICAL.Component, language: string | null): void {
  for (const name of TEXT_FIELDS) {
    for (const property of component.getAllProperties(name)) {
      if (language === null) property.removeParameter('language');
      else property.setParameter('language', language);
    }
  }
}

/** DTSTAMP always; CREATED on creation; LAST-MODIFIED on every real change. */
export function stampItem(component: ICAL.Component, now: Date, created: boolean): void {
  const stamp = utcTime(new Date(Math.floor(now.getTime() / 1000) * 1000));
  if (created) setTimeProperty(component, 'created', stamp);
  setTimeProperty(component, 'last-modified', stamp);
  setTimeProperty(component, 'dtstamp', stamp);
}

/**
 * Text values: CRLF/CR → LF (Radicale 3.1.8 rejects escaped text holding a raw CR,
 * docs/caldav-servers.md#line-breaks-in-text-values).
 */
function setText(component: ICAL.Component, name: string, value: string | null | undefined): void {
  if (value === undefined) return;
  if (value === null) component.removeAllProperties(name);
  else component.updatePropertyWithValue(name, value.replace(/\r\n?/g, '\n'));
}

/**
 * X-properties as sent; null removes one. Their values are written as sent, which is how other
 * clients read properties they do not know. ical.js writes names it does not know unescaped, so a
 * line break would end the property and start one of the sender's choosing: it becomes the TEXT
 * escape `\n` (RFC 5545 §3.3.11), which every reader takes for a line break or shows as is. All
 * are applied in one pass over the item's properties: one by one, each lookup would scan them all.
 */
function setXProperties(component: ICAL.Component, xProperties: Record<string, string | null> | undefined): void {
  const changed = new Map(Object.entries(xProperties ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  if (changed.size === 0) return;
  for (const property of [...component.getAllProperties()]) if (changed.has(property.name)) component.removeProperty(property);
  for (const [name, value] of changed) {
    if (value !== null) component.addPropertyWithValue(name, value.replace(/\r\n?|\n/g, '\\n'));
  }
}

function setValue(component: ICAL.Component, name: string, value: string | number | null | undefined): void {
  if (value === undefined) return;
  if (value === null) component.removeAllProperties(name);
  else component.updatePropertyWithValue(name, value);
}

/**
 * A multi-valued field, replaced or appended to. `onePerValue` writes one property per value
 * (RELATED-TO, CONTACT are single-valued properties); otherwise one comma list (CATEGORIES).
 */
function setList(
  component: ICAL.Component,
  name: string,
  values: string[] | null | undefined,
  replace: boolean,
  onePerValue = false,
): void {
  if (values === undefined) return;
  const kept = replace || values === null ? [] : component.getAllProperties(name).flatMap((p) => p.getValues() as string[]);
  component.removeAllProperties(name);
  const all = [...new Set([...kept, ...(values ?? [])].map((v) => String(v).trim()).filter((v) => v !== ''))];
  if (all.length === 0) return;
  if (onePerValue) {
    for (const value of all) component.addPropertyWithValue(name, value);
    return;
  }
  const property = new ICAL.Property(name, component);
  property.setValues(all);
  component.addProperty(property);
}

function urlAttachments(component: ICAL.Component): ICAL.Property[] {
  // Files (inline, or RFC 8607 managed ones with their MANAGED-ID) are not URLs of the `attachments` list.
  return component.getAllProperties('attach').filter((p) => p.type !== 'binary' && p.getParameter('managed-id') === undefined);
}

/** Inline files (RFC 5545 §3.8.1.1, VALUE=BINARY with ENCODING=BASE64), named by X-S1CS-ATTACH-ID. */
function setFiles(component: ICAL.Component, files: AttachedFile[], deleteIds: string[]): void {
  const deleted = new Set(deleteIds);
  for (const property of component.getAllProperties('attach')) {
    if (deleted.has(String(property.getParameter('x-s1cs-attach-id') ?? ''))) component.removeProperty(property);
  }
  for (const file of files) {
    const property = new ICAL.Property('attach', component);
    property.resetType('binary');
    property.setParameter('encoding', 'BASE64');
    property.setParameter('fmttype', file.contentType);
    property.setParameter('x-s1cs-attach-id', file.attachId);
    property.setParameter('x-s1cs-filename', file.filename);
    property.setValue(file.base64);
    component.addProperty(property);
  }
}

function setAttachments(component: ICAL.Component, urls: string[] | null | undefined, replace: boolean): void {
  if (urls === undefined) return;
  // The `attachments` list holds URLs only: files stored inline stay until `deleteattach` names them
  // (Lightning sends replace=1 with its URL list on every edit).
  if (replace || urls === null) for (const property of urlAttachments(component)) component.removeProperty(property);
  const present = new Set(urlAttachments(component).map((p) => String(p.getFirstValue())));
  for (const url of urls ?? []) {
    if (url.trim() === '' || present.has(url)) continue;
    component.addPropertyWithValue('attach', url.trim());
    present.add(url);
  }
}
