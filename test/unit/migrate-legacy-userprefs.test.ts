import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarList } from '../../src/migrate/legacy-calendars.js';
import { preferencesOf } from '../../src/migrate/legacy-userprefs.js';

/** A get_userprefs answer as the old server sends it, and as the migration parses it. */
function answer(lines: string[]): { calendars: ICAL.Component[]; text: string } {
  const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'X-NSCP-WCAP-ERRNO:0', 'END:VCALENDAR', ''].join('\r\n');
  return { calendars: [new ICAL.Component(ICAL.parse(text) as unknown[])], text };
}

describe('migrate: reading get_userprefs of the old server', () => {
  it('lists every subscribed calendar in the old order, own ones included', () => {
    const { calendars } = answer([
      'X-NSCP-WCAP-PREF-icsCalendar:jdoe',
      'X-NSCP-WCAP-PREF-icsSubscribed:lucy$,jdoe$John\'s Calendar,jsmith:jdoe$,lucy$',
      "X-NSCP-WCAP-PREF-icsCalendarOwned:jdoe$John's Calendar,jdoe:personal$Personal",
    ]);
    expect(calendarList(calendars, 'jdoe')).toEqual({
      defaultCalid: 'jdoe',
      owned: [
        { calid: 'jdoe', name: "John's Calendar" },
        { calid: 'jdoe:personal', name: 'Personal' },
      ],
      subscribed: [
        { calid: 'lucy', name: '' },
        { calid: 'jdoe', name: "John's Calendar" },
        { calid: 'jsmith:jdoe', name: '' },
      ],
    });
  });

  it('keeps preference names as the old server spells them, and one value per line', () => {
    const { calendars, text } = answer([
      'X-NSCP-WCAP-PREF-ceBgcolor:black',
      'X-NSCP-WCAP-PREF-ceNotifyEmail:a@example.com',
      'X-NSCP-WCAP-PREF-cenotifyemail:b@example.com',
      'X-NSCP-WCAP-PREF-ceColorSet:red,blue',
      'X-NSCP-WCAP-PREF-ceLongText:first part',
      '  and the folded rest',
      'X-NSCP-WCAP-SERVER-PREF-allowcreatecalendars:yes',
    ]);
    expect(preferencesOf(calendars, text)).toEqual({
      ceBgcolor: ['black'],
      ceNotifyEmail: ['a@example.com', 'b@example.com'],
      ceColorSet: ['red,blue'],
      ceLongText: ['first part and the folded rest'],
    });
  });

  it('gives documented names their spelling back from a server that writes names in capitals', () => {
    const { calendars, text } = answer(['X-NSCP-WCAP-PREF-CEDEFAULTALARMSTART:PT30M', 'X-NSCP-WCAP-PREF-ICSTIMEZONE:Europe/Berlin', 'X-NSCP-WCAP-PREF-CEBGCOLOR:black']);
    expect(preferencesOf(calendars, text)).toEqual({ ceDefaultAlarmStart: ['PT30M'], icsTimezone: ['Europe/Berlin'], CEBGCOLOR: ['black'] });
  });
});
