import ICAL from 'ical.js';
import { isFloating, zoneOf } from './expand.js';

/**
 * WCAP `relativealarm=0`: every relative TRIGGER of the item's alarms becomes the absolute UTC
 * DATE-TIME it denotes (RFC 5545 §3.8.6.3), `RELATED=END` counted from DTEND (tasks: DUE). The
 * anchor is the component's own start or end, so an expanded instance gets its own trigger and a
 * series master the trigger of its first instance. DATEs and floating anchors are read in
 * `floatingZone` (the calendar's zone), else UTC. Day and week parts are added in local time
 * (nominal durations, RFC 5545 §3.3.6). Triggers without an anchor stay relative.
 */
export function makeAlarmsAbsolute(item: ICAL.Component, floatingZone: string | undefined): void {
  for (const alarm of item.getAllSubcomponents('valarm')) {
    const trigger = alarm.getFirstProperty('trigger');
    const offset = trigger?.getFirstValue();
    if (!trigger || !(offset instanceof ICAL.Duration)) continue;
    const related = String(trigger.getParameter('related') ?? 'START').toUpperCase();
    const anchor = related === 'END' ? endOf(item) : startOf(item);
    if (!anchor) continue;
    const at = anchored(anchor, floatingZone);
    at.addDuration(offset);
    trigger.removeParameter('related');
    trigger.removeParameter('value');
    trigger.resetType('date-time');
    trigger.setValue(at.convertToZone(ICAL.Timezone.utcTimezone));
  }
}

function startOf(item: ICAL.Component): ICAL.Time | undefined {
  return (item.getFirstPropertyValue('dtstart') as ICAL.Time | null) ?? undefined;
}

function endOf(item: ICAL.Component): ICAL.Time | undefined {
  const explicit = item.getFirstPropertyValue(item.name === 'vtodo' ? 'due' : 'dtend') as ICAL.Time | null;
  if (explicit) return explicit;
  const start = startOf(item);
  const duration = item.getFirstPropertyValue('duration') as ICAL.Duration | null;
  if (!start) return undefined;
  const end = start.clone();
  if (duration) end.addDuration(duration);
  else if (end.isDate) end.day += 1;
  return end;
}

/** A date-time copy of the anchor with a real zone (DATEs at midnight; floating times in `floatingZone`, else UTC). */
export function anchored(time: ICAL.Time, floatingZone: string | undefined): ICAL.Time {
  if (!isFloating(time)) return time.clone();
  const zone = zoneOf(floatingZone) ?? ICAL.Timezone.utcTimezone;
  return ICAL.Time.fromData(
    { year: time.year, month: time.month, day: time.day, hour: time.isDate ? 0 : time.hour, minute: time.isDate ? 0 : time.minute, second: time.isDate ? 0 : time.second },
    zone,
  );
}
