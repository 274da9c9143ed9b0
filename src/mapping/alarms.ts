import ICAL from 'ical.js';
import { GatewayError } from '../model/errors.js';
import type { AlarmInput, AlarmTrigger } from '../model/item-changes.js';
import { toIcalTime } from './ical-time.js';

const DEFAULT_DESCRIPTION = 'Reminder';

/**
 * Replaces the item's alarms (WCAP alarms always replace, docs/wcap-protocol.md#updating-values).
 * EMAIL alarms without addresses go to `defaultEmail` (the calendar owner, as Sun's
 * ceDefaultAlarmEmail). Relative triggers are stored relative to the start, as WCAP sends them.
 */
export function applyAlarms(
  component: ICAL.Component,
  alarms: AlarmInput[],
  options: { tzid: string | undefined; defaultEmail: string },
): void {
  for (const existing of [...component.getAllSubcomponents('valarm')]) component.removeSubcomponent(existing);
  const summary = String(component.getFirstPropertyValue('summary') ?? DEFAULT_DESCRIPTION);
  for (const alarm of alarms) {
    if (alarm.action === 'RAW') {
      component.addSubcomponent(rawAlarm(alarm.lines));
      continue;
    }
    const valarm = new ICAL.Component('valarm');
    valarm.addPropertyWithValue('action', alarm.action);
    setTrigger(valarm, alarm.trigger, options.tzid);
    valarm.addPropertyWithValue('description', alarm.description ?? summary);
    if (alarm.action === 'EMAIL') {
      valarm.addPropertyWithValue('summary', summary);
      const emails = alarm.emails.length > 0 ? alarm.emails : [options.defaultEmail];
      for (const email of emails) valarm.addPropertyWithValue('attendee', `mailto:${email.replace(/^mailto:/i, '')}`);
    }
    component.addSubcomponent(valarm);
  }
}

function setTrigger(valarm: ICAL.Component, trigger: AlarmTrigger, tzid: string | undefined): void {
  if ('duration' in trigger) {
    let duration: ICAL.Duration;
    try {
      duration = ICAL.Duration.fromString(trigger.duration);
    } catch {
      throw new GatewayError('invalid', 'An alarm trigger must be a duration such as -PT15M or a date');
    }
    valarm.addPropertyWithValue('trigger', duration);
    return;
  }
  // Absolute triggers are UTC date-times (RFC 5545 §3.8.6.3).
  const time = toIcalTime(trigger.date, tzid).convertToZone(ICAL.Timezone.utcTimezone);
  const property = new ICAL.Property('trigger', valarm);
  property.resetType('date-time');
  property.setValue(time);
  valarm.addProperty(property);
}

function rawAlarm(lines: string[]): ICAL.Component {
  try {
    const valarm = new ICAL.Component(ICAL.parse(`BEGIN:VALARM\r\n${lines.join('\r\n')}\r\nEND:VALARM`) as unknown[]);
    valarm.getFirstPropertyValue('trigger');
    return valarm;
  } catch (err) {
    throw new GatewayError('invalid', `An alarm in parameter alarms cannot be read: ${(err as Error).message.slice(0, 80)}`);
  }
}

