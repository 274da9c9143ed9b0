import type { AlarmInput, AlarmTrigger } from '../model/item-changes.js';
import { parseWcapDate } from './datetime.js';
import { decoded, decodedList } from './params.js';
import type { RawValue } from './raw-params.js';
import { WcapError } from './wcap-error.js';
import type { StoreParams } from './store-params.js';

/**
 * The alarm parameters: alarmStart (+ alarmEmails) → EMAIL, alarmPopup → DISPLAY, alarmAudio →
 * AUDIO, alarmFlashing → DISPLAY, each with its own trigger, or WCAP 7's `alarms` list of whole
 * VALARMs (docs/wcap-protocol.md#alarms). Alarms always replace: when any of these parameters is
 * present the result is the complete new set; Lightning clears with
 * `alarmStart=&alarmPopup=&alarmEmails=`. Returns undefined when no alarm parameter was sent.
 */
export function alarmsOf(params: StoreParams, failsWith: number): AlarmInput[] | undefined {
  const sent = [params.alarmStart, params.alarmPopup, params.alarmAudio, params.alarmFlashing, params.alarms];
  if (sent.every((value) => value === undefined)) return undefined;
  const alarms: AlarmInput[] = [];
  const description = params.alarmDescription ?? undefined;
  const withDescription = description ? { description } : {};
  const start = triggerOf(params.alarmStart, 'alarmStart', failsWith);
  if (start) {
    const emails = params.alarmEmails
      ? decodedList(params.alarmEmails, 'alarmEmails', failsWith).map((e) => e.trim()).filter((e) => e !== '')
      : [];
    alarms.push({ action: 'EMAIL', trigger: start, emails, ...withDescription });
  }
  for (const [value, name, action] of [
    [params.alarmPopup, 'alarmPopup', 'DISPLAY'],
    [params.alarmAudio, 'alarmAudio', 'AUDIO'],
    [params.alarmFlashing, 'alarmFlashing', 'DISPLAY'],
  ] as const) {
    const trigger = triggerOf(value, name, failsWith);
    if (trigger) alarms.push({ action, trigger, emails: [], ...withDescription });
  }
  if (params.alarms) alarms.push(...rawAlarms(params.alarms, failsWith));
  return alarms;
}

function triggerOf(value: RawValue | undefined, name: string, failsWith: number): AlarmTrigger | undefined {
  if (value === undefined) return undefined;
  const text = decoded(value, name, failsWith).trim();
  if (text === '') return undefined;
  if (/^[+-]?P(?:\d+W|(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$/i.test(text) && !/^[+-]?P$/i.test(text)) {
    return { duration: text.toUpperCase() };
  }
  // Sun's ceDefaultAlarmStart lacked the T (`P15M`); Lightning repairs it, so does the gateway.
  if (/^[+-]?P\d+[HMS]$/i.test(text)) return { duration: text.toUpperCase().replace('P', 'PT') };
  const date = parseWcapDate(text);
  if (!date) throw new WcapError(failsWith, `Invalid value for parameter ${name}: expected a duration such as -PT15M or a date`);
  return { date };
}

/**
 * `alarms=alarm1;alarm2`: each alarm is property lines separated by CRLF, parameters attached with
 * `^NAME=VALUE` (docs/wcap-protocol.md#alarms). A `;` inside a value arrives escaped as `\;`.
 */
function rawAlarms(value: RawValue, failsWith: number): AlarmInput[] {
  const text = decoded(value, 'alarms', failsWith);
  const alarms: AlarmInput[] = [];
  for (const alarm of text.split(/(?<!\\);/)) {
    const lines = alarm
      .split(/\r\n|\n|\r/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => {
        const colon = line.indexOf(':');
        if (colon <= 0) throw new WcapError(failsWith, 'Invalid value for parameter alarms: expected NAME:VALUE lines');
        const head = line.slice(0, colon).split('^');
        const params = head.slice(1).map((param) => {
          const eq = param.indexOf('=');
          if (eq <= 0) throw new WcapError(failsWith, 'Invalid value for parameter alarms: bad ^PARAM=VALUE');
          return `${param.slice(0, eq)}=${param.slice(eq + 1)}`;
        });
        return [head[0]!, ...params].join(';') + line.slice(colon);
      });
    if (lines.length === 0) continue;
    const names = lines.map((line) => line.split(/[;:]/)[0]!.toUpperCase());
    if (!names.includes('ACTION') || !names.includes('TRIGGER')) {
      throw new WcapError(failsWith, 'Invalid value for parameter alarms: each alarm needs ACTION and TRIGGER');
    }
    alarms.push({ action: 'RAW', lines });
  }
  return alarms;
}
