import ICAL from 'ical.js';
import { GatewayError } from '../model/errors.js';
import type { AlarmInput } from '../model/item-changes.js';
import { setTimeProperty, toIcalTime } from './ical-time.js';

const DEFAULT_DESCRIPTION = 'Reminder';

/**
 * Replaces the item's alarms (WCAP alarms always replace, seed 003 "Updating values"): null removes
 * them all; an input adds an EMAIL alarm for its addresses and/or a DISPLAY alarm for alarmPopup,
 * both with the same trigger. Relative triggers are stored relative to the start, as WCAP sends them.
 */
export function applyAlarm(component: ICAL.Component, alarm: AlarmInput | null, tzid: string | undefined): void {
  for (const existing of [...component.getAllSubcomponents('valarm')]) component.removeSubcomponent(existing);
  if (alarm === null) return;
  const summary = String(component.getFirstPropertyValue('summary') ?? DEFAULT_DESCRIPTION);
  const description = alarm.description ?? summary;
  if (alarm.emails.length > 0) {
    const valarm = newAlarm('EMAIL', alarm, description, tzid);
    valarm.addPropertyWithValue('summary', summary);
    for (const email of alarm.emails) valarm.addPropertyWithValue('attendee', `mailto:${email.replace(/^mailto:/i, '')}`);
    component.addSubcomponent(valarm);
  }
  if (alarm.popup) component.addSubcomponent(newAlarm('DISPLAY', alarm, description, tzid));
}

function newAlarm(action: string, alarm: AlarmInput, description: string, tzid: string | undefined): ICAL.Component {
  const valarm = new ICAL.Component('valarm');
  valarm.addPropertyWithValue('action', action);
  if ('duration' in alarm.trigger) {
    const text = alarm.trigger.duration.trim().toUpperCase();
    if (!/^[+-]?P/.test(text)) throw new GatewayError('invalid', 'alarmStart must be a duration such as -PT15M or a date');
    let duration: ICAL.Duration;
    try {
      duration = ICAL.Duration.fromString(text);
    } catch {
      throw new GatewayError('invalid', 'alarmStart must be a duration such as -PT15M or a date');
    }
    valarm.addPropertyWithValue('trigger', duration);
  } else {
    const time = toIcalTime(alarm.trigger.date, tzid).convertToZone(ICAL.Timezone.utcTimezone);
    setTimeProperty(valarm, 'trigger', time);
    valarm.getFirstProperty('trigger')?.setParameter('value', 'DATE-TIME');
  }
  valarm.addPropertyWithValue('description', description);
  return valarm;
}
