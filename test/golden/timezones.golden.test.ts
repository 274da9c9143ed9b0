import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { timezone } from '../../src/mapping/timezones.js';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  errnoOf,
  timeOf,
  tokenOf,
  type Format,
  type GoldenAnswer,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';
import { meetingParams, simpleEventParams, storeQuery, taskParams } from './lightning-requests.js';

/**
 * Golden answers for `tzidout` (WCAP 7.0 guide, "Time Zones": "For commands that return events
 * and todos, the data is returned in Zulu time, unless the tzidout parameter is passed in. In this
 * case the Zulu time is translated into the time zone specified in the tzidout parameter. A special
 * value of X-S1CS-TZNATIVE for tzidout outputs date strings in the time zone they were created in";
 * docs/wcap-protocol.md#time-zone-parameters, errno 18 for an unknown zone). tzidout is about the
 * answer, so it holds for text/calendar and text/xml alike.
 */

const LA = 'America/Los_Angeles';

function itemsOf(answer: GoldenAnswer): ItemView[] {
  const blocks = componentsOf(answer);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.filter((c) => c.name !== 'VTIMEZONE');
}

/**
 * A date-time given as local time in `tzid`: text/calendar with that TZID (and its VTIMEZONE);
 * text/xml has no standard way to name the zone, so a TZID attribute is allowed, not required.
 */
function expectLocal(item: ItemView, name: string, format: Format, local: string, tzid: string): void {
  const [value, zone] = timeOf(item, name);
  expect(value, `${name} in ${tzid}`).toBe(local);
  if (format.ext === 'ics') expect(zone).toBe(tzid);
  else expect([tzid, undefined]).toContain(zone);
}

/**
 * The instants of a series as Lightning reads the answer
 * (docs/lightning.md#parsing-returned-components): a DTSTART with TZID stays in that zone; a UTC
 * DTSTART is moved into the zone of X-NSCP-DTSTART-TZID; then the rule is expanded there
 * (RFC 5545 §3.3.10). Zones are the gateway's own (get_all_timezones).
 */
function lightningInstants(master: ItemView): string[] {
  const [value, tzid] = timeOf(master, 'DTSTART');
  const hint = master.value('X-NSCP-DTSTART-TZID');
  let start = ICAL.Time.fromDateTimeString(`${value!.slice(0, 4)}-${value!.slice(4, 6)}-${value!.slice(6, 11)}:${value!.slice(11, 13)}:${value!.slice(13, 15)}`);
  if (value!.endsWith('Z')) {
    start.zone = ICAL.Timezone.utcTimezone;
    if (hint) start = start.convertToZone(timezone(hint)!);
  } else start.zone = timezone(tzid ?? hint ?? 'UTC')!;
  const iterator = ICAL.Recur.fromString(master.value('RRULE')!).iterator(start);
  const out: string[] = [];
  for (let next = iterator.next(); next && out.length < 10; next = iterator.next()) {
    out.push(next.convertToZone(ICAL.Timezone.utcTimezone).toICALString());
  }
  return out;
}

describe('golden: tzidout', () => {
  let g: GoldenGateway;
  let sid: string;
  /** Items of alice's default calendar for 1–15 March (a meeting, a task, a UTC event). */
  const fetchEarlyMarch = (f: Format, tzidout: string) =>
    g.get('fetchcomponents_by_range', `id=${sid}&recurring=1&emailorcalid=1&fmt-out=${f.fmtOut}&tzidout=${tzidout}&dtstart=20260301T000000Z&dtend=20260315T000000Z&calid=alice`);
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.createCalendar('alice', 'series', { displayName: 'Series', timezone: 'Europe/Berlin' });
    const stores: Array<[string, string]> = [
      ['storeevents', storeQuery(sid, meetingParams('20260310T090000Z', '20260310T100000Z'), { tzid: 'Europe/Berlin', uid: 'golden-meeting', storetype: 1, method: 2, fmtOut: 'text%2Fcalendar' })],
      ['storetodos', storeQuery(sid, taskParams('Prepare slides'), { tzid: 'America/New_York', uid: 'golden-task', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })],
      ['storeevents', storeQuery(sid, simpleEventParams({ start: '20260311T150000Z', end: '20260311T153000Z', summary: 'UTC call' }), { uid: 'golden-utc', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })],
    ];
    for (const [command, query] of stores) expect(errnoOf(await g.get(command, query))).toBe(0);
    // Mondays 10:00 in Berlin, 2–30 March: across Los Angeles' DST change (8 March) and Berlin's
    // (29 March), which are three weeks apart.
    await g.putObject('alice', 'series', 'golden-berlin-weekly', foreignObject('golden-berlin-weekly', 'Europe/Berlin', [
      ['DTSTART;TZID=Europe/Berlin:20260302T100000', 'DTEND;TZID=Europe/Berlin:20260302T110000', 'RRULE:FREQ=WEEKLY;COUNT=5', 'SUMMARY:Berlin weekly'],
    ]));
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) tzidout=America/Los_Angeles: every date-time in that zone', async (f) => {
    const answer = await fetchEarlyMarch(f, 'America%2FLos_Angeles');
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items.map((c) => c.value('UID'))).toEqual(['golden-meeting', 'golden-task', 'golden-utc']);
    const [meeting, task, utc] = items;
    // Los Angeles: PST (UTC-8) until 8 March 02:00, PDT (UTC-7) after.
    expectLocal(meeting!, 'DTSTART', f, '20260310T020000', LA);
    expectLocal(meeting!, 'DTEND', f, '20260310T030000', LA);
    expectLocal(task!, 'DTSTART', f, '20260303T000000', LA);
    expectLocal(task!, 'DUE', f, '20260306T090000', LA);
    expectLocal(utc!, 'DTSTART', f, '20260311T080000', LA);
    // Times that are UTC by definition stay UTC.
    expect(meeting!.value('DTSTAMP')).toBe('20260302T100000Z');
    await matchGolden(answer, `fetchcomponents_by_range.tzidout.${f.ext}`);
  });

  // RFC 5545 §3.3.10, §3.8.5.3: a series is expanded in its DTSTART's zone. Translated into another
  // zone, the master must still describe the same instances, or every client shows them an hour off
  // for the weeks in which the two zones' DST rules differ.
  it.each(FORMATS)('fetchevents_by_id.wcap ($ext) tzidout=America/Los_Angeles of a Berlin series: the same instances', async (f) => {
    const query = `id=${sid}&recurring=1&emailorcalid=1&fmt-out=${f.fmtOut}&uid=golden-berlin-weekly&calid=alice%3Aseries`;
    // 10:00 CET is 09:00Z (01:00 PST on 2 March); 10:00 CEST on 30 March is 08:00Z.
    const stored = ['20260302T090000Z', '20260309T090000Z', '20260316T090000Z', '20260323T090000Z', '20260330T080000Z'];
    expect(lightningInstants(itemsOf(await g.get('fetchevents_by_id', query))[0]!)).toEqual(stored);
    const answer = await g.get('fetchevents_by_id', `${query}&tzidout=America%2FLos_Angeles`);
    checkAnswer(answer, f, 0);
    const [master] = itemsOf(answer);
    expect(lightningInstants(master!)).toEqual(stored);
    // A master keeps its own zone: rewritten into Los Angeles time its rule would be expanded there
    // and move instances across the DST changes (RFC 5545 §3.3.10).
    expectLocal(master!, 'DTSTART', f, '20260302T100000', 'Europe/Berlin');
    await matchGolden(answer, `fetchevents_by_id.tzidout-series.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) tzidout=X-S1CS-TZNATIVE: each date-time in the zone it was stored in', async (f) => {
    const answer = await fetchEarlyMarch(f, 'X-S1CS-TZNATIVE');
    checkAnswer(answer, f, 0);
    const [meeting, task, utc] = itemsOf(answer);
    expectLocal(meeting!, 'DTSTART', f, '20260310T100000', 'Europe/Berlin');
    expectLocal(task!, 'DTSTART', f, '20260303T030000', 'America/New_York');
    expectLocal(task!, 'DUE', f, '20260306T120000', 'America/New_York');
    // Created in UTC, so UTC.
    expect(timeOf(utc!, 'DTSTART')).toEqual(['20260311T150000Z', undefined]);
    expect([meeting!.value('X-NSCP-DTSTART-TZID'), task!.value('X-NSCP-DUE-TZID'), utc!.value('X-NSCP-DTSTART-TZID')]).toEqual(['Europe/Berlin', 'America/New_York', undefined]);
    await matchGolden(answer, `fetchcomponents_by_range.tzidout-native.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) with an unknown tzidout: errno 18, nothing else', async (f) => {
    const answer = await fetchEarlyMarch(f, 'Mars%2FOlympus_Mons');
    checkAnswer(answer, f, 18);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toMatch(/\btzidout\b/);
    expect(answer.body).not.toContain('Mars');
    expect(componentsOf(answer)[0]).toEqual([]);
    // The same for an unknown tzid (the zone of floating bounds).
    const tzid = await g.get('fetchcomponents_by_range', `id=${sid}&fmt-out=${f.fmtOut}&tzid=Nowhere%2FLand&dtstart=20260301T000000&dtend=20260315T000000&calid=alice`);
    checkAnswer(tzid, f, 18);
    await matchGolden(answer, `fetchcomponents_by_range.errno-18.${f.ext}`);
  });
});
