import ICAL from 'ical.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildGoldenGateway, parseIcs, type GoldenGateway } from '../support/golden-gateway.js';

/**
 * The change-log commands over the in-memory CalDAV fake. This file registers no time zone before
 * its first request, like a freshly started replica: Europe/Berlin below is first met in stored data.
 */
const SYNC = 'appid=mozilla-calendar&relativealarm=1&compressed=1&recurring=1&emailorcalid=1';

describe('change-log commands over the memory backend', () => {
  let g: GoldenGateway;
  let id: string;
  // Every test starts from the same two stored objects, whichever tests ran before it.
  beforeEach(async () => {
    g = buildGoldenGateway();
    id = await g.login('alice');
    // Written by another CalDAV client: a weekly series in Berlin time with one moved instance, a task.
    await g.putObject('alice', 'calendar', 'berlin-weekly', [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN',
      'BEGIN:VEVENT', 'UID:berlin-weekly', 'DTSTAMP:20260301T000000Z', 'DTSTART;TZID=Europe/Berlin:20270405T090000',
      'DTEND;TZID=Europe/Berlin:20270405T100000', 'RRULE:FREQ=WEEKLY;COUNT=6', 'SUMMARY:Weekly', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:berlin-weekly', 'DTSTAMP:20260301T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20270412T090000',
      'DTSTART;TZID=Europe/Berlin:20270412T140000', 'DTEND;TZID=Europe/Berlin:20270412T150000', 'SUMMARY:Moved', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:berlin-weekly', 'DTSTAMP:20260301T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20270503T090000',
      'DTSTART;TZID=Europe/Berlin:20270503T150000', 'DTEND;TZID=Europe/Berlin:20270503T160000', 'SUMMARY:Moved too', 'END:VEVENT',
      'END:VCALENDAR',
    ]);
    await g.putObject('alice', 'calendar', 'task-1', [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN',
      'BEGIN:VTODO', 'UID:task-1', 'DTSTAMP:20260302T120000Z', 'SUMMARY:Task', 'END:VTODO', 'END:VCALENDAR',
    ]);
  });

  const first = async (command: string, query: string) => {
    const answer = await g.get(command, `${SYNC}&id=${id}${query}&calid=alice`);
    return parseIcs(answer.body)[0]!;
  };
  const errno = (vcalendar: ICAL.Component) => Number(vcalendar.getFirstProperty('x-nscp-wcap-errno')!.toICALString().split(':').pop());
  /** Deletes the 19 April occurrence and the moved 3 May one (09:00 Berlin summer time is 07:00Z). */
  const deleteTwoOccurrences = async () => {
    for (const rid of ['20270419T070000Z', '20270503T070000Z']) {
      const answer = await g.get('deleteevents_by_id', `appid=mozilla-calendar&id=${id}&uid=berlin-weekly&mod=1&rid=${rid}&fmt-out=text%2Fcalendar&calid=alice`);
      expect(errno(parseIcs(answer.body)[0]!)).toBe(0);
    }
  };

  // Meant to run with no request before it having registered Europe/Berlin: true when it runs
  // first in this file (ical.js's TimezoneService is process-global, src/mapping/timezones.ts).
  it('deleting occurrences of a Berlin series read from storage dates them in UTC', async () => {
    // The moved instance keeps its own start (15:00 = 13:00Z).
    await deleteTwoOccurrences();
    const answer = await first('fetch_deletedcomponents', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&component-type=event');
    const stubs = answer.getAllSubcomponents('vevent').map((c) =>
      ['recurrence-id', 'dtstart'].map((name) => (c.getFirstPropertyValue(name) as ICAL.Time).toICALString()).join(' '),
    );
    expect(stubs).toEqual(['20270419T070000Z 20270419T070000Z', '20270503T070000Z 20270503T130000Z']);
  });

  it('lastmod keeps a series whole under maxResults (one item = master plus exceptions)', async () => {
    await deleteTwoOccurrences();
    const answer = await first('fetchcomponents_by_lastmod', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&maxResults=1');
    expect(errno(answer)).toBe(0);
    const items = [...answer.getAllSubcomponents('vevent'), ...answer.getAllSubcomponents('vtodo')];
    // The series changed (by those deletes) before the task's stamp: it is the one item.
    expect(items.map((c) => c.getFirstPropertyValue('uid'))).toEqual(['berlin-weekly', 'berlin-weekly']);
    expect(items[1]!.getFirstPropertyValue('summary')).toBe('Moved');
  });

  it('refuses an unknown zone with 18 and an inverted window with the command errno', async () => {
    expect(errno(await first('fetchcomponents_by_lastmod', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&tzid=Mars%2FOlympus'))).toBe(18);
    expect(errno(await first('fetch_deletedcomponents', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&tzidout=Mars%2FOlympus'))).toBe(18);
    const inverted = '&fmt-out=text%2Fcalendar&dtstart=20260302T000000Z&dtend=20260301T000000Z';
    expect(errno(await first('fetchcomponents_by_lastmod', inverted))).toBe(36);
    expect(errno(await first('fetch_deletedcomponents', inverted))).toBe(56);
  });

  it('filters deletions by component-type, cuts the list at maxResults with errno 0 (never 57), and renders XML', async () => {
    await deleteTwoOccurrences();
    await g.get('deletetodos_by_id', `id=${id}&uid=task-1&rid=0&mod=4&fmt-out=text%2Fcalendar&calid=alice`);
    const todos = await first('fetch_deletedcomponents', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&component-type=todo');
    expect(todos.getAllSubcomponents('vtodo').map((c) => c.getFirstPropertyValue('uid'))).toEqual(['task-1']);
    expect(todos.getAllSubcomponents('vevent')).toEqual([]);
    const all = await first('fetch_deletedcomponents', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0');
    expect([...all.getAllSubcomponents('vevent'), ...all.getAllSubcomponents('vtodo')]).toHaveLength(3);
    // Lightning treats 57 ("partial result") as a failure: a cut list is a success, oldest deletions first.
    const cut = await first('fetch_deletedcomponents', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&maxResults=2');
    expect(errno(cut)).toBe(0);
    expect(cut.getAllSubcomponents('vevent').map((c) => (c.getFirstPropertyValue('recurrence-id') as ICAL.Time).toICALString())).toEqual([
      '20270419T070000Z',
      '20270503T070000Z',
    ]);
    expect(cut.getAllSubcomponents('vtodo')).toEqual([]);
    const exact = await first('fetch_deletedcomponents', '&fmt-out=text%2Fcalendar&dtstart=0&dtend=0&maxResults=3');
    expect(errno(exact)).toBe(0);
    expect(exact.getAllSubcomponents('vtodo')).toHaveLength(1);
    const xml = await g.get('fetch_deletedcomponents', `${SYNC}&id=${id}&fmt-out=text%2Fxml&dtstart=0&dtend=0&calid=alice`);
    expect(xml.body).toMatch(/<EVENT>\s*<UID>berlin-weekly<\/UID>\s*<RECURID>20270419T070000Z<\/RECURID>\s*<START>20270419T070000Z<\/START>/);
    expect(xml.body).toMatch(/<TODO>\s*<UID>task-1<\/UID>/);
  });
});
