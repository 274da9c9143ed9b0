import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  errnoOf,
  timeOf,
  tokenOf,
  zoned,
  type Format,
  type GoldenAnswer,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';
import { MEETING_URL, meetingParams, simpleEventParams, storeQuery } from './lightning-requests.js';

/**
 * Golden answers of fetchcomponents_by_range with the output options other WCAP clients send and
 * Lightning does not (docs/wcap-protocol.md#fetch-parameters,
 * docs/wcap-protocol.md#recurring-and-compressed): `compressed` in expanded mode, `attrset` 0 and
 * 1, `relativealarm=0`, `compstate=REPLY-ACCEPTED` and several calids in one request (the PHP
 * client's room calendars, docs/wcap-protocol.md#other-wcap-clients), each block with its own
 * errno.
 */

const NY = 'America/New_York';

/** Wednesdays 14:00 in New York from 4 March, three times, 11 March excluded; two reminders. */
const WEEKLY = foreignObject('golden-ny-weekly', NY, [
  [
    'DTSTART;TZID=America/New_York:20260304T140000',
    'DTEND;TZID=America/New_York:20260304T150000',
    'RRULE:FREQ=WEEKLY;COUNT=3',
    'EXDATE;TZID=America/New_York:20260311T140000',
    'SUMMARY:Board call',
    'LOCATION:NYC office',
    'CLASS:PRIVATE',
    'DESCRIPTION:Numbers only',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'TRIGGER:-PT10M',
    'DESCRIPTION:Board call soon',
    'END:VALARM',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'TRIGGER;RELATED=END:PT5M',
    'DESCRIPTION:Write the minutes',
    'END:VALARM',
  ],
]);

/** An invitation from carol: alice's own PARTSTAT decides its compstate. */
function invitation(uid: string, day: string, partstat: string): string[] {
  return foreignObject(uid, 'Europe/Berlin', [
    [
      `DTSTART;TZID=Europe/Berlin:202603${day}T100000`,
      `DTEND;TZID=Europe/Berlin:202603${day}T110000`,
      `SUMMARY:Partner sync (${partstat})`,
      'ORGANIZER;CN=Carol:mailto:carol@partner.org',
      'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
      `ATTENDEE;PARTSTAT=${partstat};CN=Alice:mailto:alice@example.com`,
    ],
  ]);
}

function itemsOf(answer: GoldenAnswer, block = 0): ItemView[] {
  return componentsOf(answer)[block]!.filter((c) => c.name !== 'VTIMEZONE');
}

const byUid = (items: ItemView[], uid: string) => items.filter((c) => c.value('UID') === uid);

describe('golden: fetch output options', () => {
  let g: GoldenGateway;
  let sid: string;
  /** A range fetch of March with the given options, emailorcalid=1 as every client sends. */
  const fetchMarch = (f: Format, options: string, calid = 'alice') =>
    g.get('fetchcomponents_by_range', `id=${sid}&emailorcalid=1&fmt-out=${f.fmtOut}${options}&dtstart=20260301T000000Z&dtend=20260401T000000Z&calid=${calid}`);
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.createCalendar('alice', 'work', { displayName: 'Work', timezone: 'Europe/Berlin' });
    const stores = [
      storeQuery(sid, meetingParams('20260310T090000Z', '20260310T100000Z'), { tzid: 'Europe/Berlin', uid: 'golden-meeting', storetype: 1, method: 2, fmtOut: 'text%2Fcalendar' }),
      storeQuery(sid, simpleEventParams({ start: '20260316T070000Z', end: '20260316T080000Z', summary: 'Sprint planning' }), { tzid: 'Europe/Berlin', uid: 'golden-work', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar', calid: 'alice:work' }),
    ];
    for (const query of stores) expect(errnoOf(await g.get('storeevents', query))).toBe(0);
    await g.putObject('alice', 'calendar', 'golden-ny-weekly', WEEKLY);
    await g.putObject('alice', 'calendar', 'golden-accepted', invitation('golden-accepted', '12', 'ACCEPTED'));
    await g.putObject('alice', 'calendar', 'golden-declined', invitation('golden-declined', '13', 'DECLINED'));
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) recurring=0&compressed=1: instances keep RRULE and EXDATE', async (f) => {
    const answer = await fetchMarch(f, '&recurring=0&compressed=1');
    checkAnswer(answer, f, 0);
    const weekly = byUid(itemsOf(answer), 'golden-ny-weekly');
    // 4 March is EST (UTC-5), 18 March EDT (UTC-4); 11 March is excluded.
    expect(weekly.map((c) => timeOf(c, 'RECURRENCE-ID'))).toEqual([
      zoned(f, '20260304T140000', NY, '20260304T190000Z'),
      zoned(f, '20260318T140000', NY, '20260318T180000Z'),
    ]);
    for (const instance of weekly) {
      expect(instance.value('RRULE')).toBe('FREQ=WEEKLY;COUNT=3');
      expect(timeOf(instance, 'EXDATE')).toEqual(zoned(f, '20260311T140000', NY, '20260311T180000Z'));
    }
    // compressed=0 (the default): the same instances without the series properties.
    const plain = byUid(itemsOf(await fetchMarch(f, '&recurring=0')), 'golden-ny-weekly');
    expect(plain.map((c) => [c.value('RECURRENCE-ID'), c.value('RRULE'), c.value('EXDATE')])).toEqual(weekly.map((c) => [c.value('RECURRENCE-ID'), undefined, undefined]));
    await matchGolden(answer, `fetchcomponents_by_range.compressed.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) attrset=0: uid, dtstart, dtend, summary', async (f) => {
    const answer = await fetchMarch(f, '&recurring=1&attrset=0');
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items.map((c) => c.value('UID'))).toEqual(['golden-accepted', 'golden-declined', 'golden-meeting', 'golden-ny-weekly']);
    const [meeting] = byUid(items, 'golden-meeting') as [ItemView];
    expect(timeOf(meeting, 'DTSTART')).toEqual(zoned(f, '20260310T100000', 'Europe/Berlin', '20260310T090000Z'));
    expect(timeOf(meeting, 'DTEND')).toEqual(zoned(f, '20260310T110000', 'Europe/Berlin', '20260310T100000Z'));
    expect(byUid(items, 'golden-ny-weekly')[0]!.value('SUMMARY')).toBe('Board call');
    for (const item of items) {
      const others = ['DESCRIPTION', 'LOCATION', 'CLASS', 'RRULE', 'EXDATE', 'ORGANIZER', 'ATTENDEE', 'CATEGORIES', 'URL', 'DTSTAMP'];
      expect(others.map((name) => item.value(name))).toEqual(others.map(() => undefined));
      expect(item.children('VALARM')).toEqual([]);
    }
    await matchGolden(answer, `fetchcomponents_by_range.attrset-0.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) attrset=1: also rrule, class, location and alarms', async (f) => {
    const answer = await fetchMarch(f, '&recurring=1&attrset=1');
    checkAnswer(answer, f, 0);
    const [weekly] = byUid(itemsOf(answer), 'golden-ny-weekly');
    expect([weekly!.value('RRULE'), weekly!.value('CLASS'), weekly!.value('LOCATION')]).toEqual(['FREQ=WEEKLY;COUNT=3', 'PRIVATE', 'NYC office']);
    // The EXDATEs belong to the rule: without them deleted instances would come back.
    expect(timeOf(weekly!, 'EXDATE')).toEqual(zoned(f, '20260311T140000', NY, '20260311T180000Z'));
    expect(weekly!.children('VALARM').map((a) => a.value('TRIGGER'))).toEqual(['-PT10M', 'PT5M']);
    expect([weekly!.value('DESCRIPTION'), weekly!.value('DTSTAMP')]).toEqual([undefined, undefined]);
    const [meeting] = byUid(itemsOf(answer), 'golden-meeting');
    expect([meeting!.value('ORGANIZER'), meeting!.value('ATTENDEE'), meeting!.value('URL'), meeting!.value('CATEGORIES')]).toEqual([undefined, undefined, undefined, undefined]);
    expect(meeting!.children('VALARM').map((a) => [a.value('ACTION'), a.value('TRIGGER')])).toEqual([['EMAIL', '-PT15M']]);
    await matchGolden(answer, `fetchcomponents_by_range.attrset-1.${f.ext}`);
  });

  // docs/wcap-protocol.md#relativealarm: relativealarm=0 gives absolute triggers;
  // RFC 5545 §3.8.6.3 makes them UTC date-times, RELATED=END counted from DTEND.
  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) relativealarm=0: every trigger an absolute UTC time', async (f) => {
    const answer = await fetchMarch(f, '&recurring=1&relativealarm=0');
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    const [meeting] = byUid(items, 'golden-meeting');
    // 15 minutes before 09:00Z.
    expect(meeting!.children('VALARM').map((a) => [a.value('ACTION'), a.value('TRIGGER')])).toEqual([['EMAIL', '20260310T084500Z']]);
    // The series' first instance: 14:00–15:00 EST is 19:00–20:00Z.
    const [weekly] = byUid(items, 'golden-ny-weekly');
    expect(weekly!.children('VALARM').map((a) => [a.value('TRIGGER'), a.param('TRIGGER', 'RELATED')])).toEqual([
      ['20260304T185000Z', undefined],
      ['20260304T200500Z', undefined],
    ]);
    expect(meeting!.value('URL')).toBe(MEETING_URL);
    await matchGolden(answer, `fetchcomponents_by_range.absolute-alarms.${f.ext}`);
  });

  // docs/wcap-protocol.md#compstate: REPLY-ACCEPTED = the user is an attendee and accepted;
  // REPLY-DECLINED = declined. The meeting alice organizes and the series without attendees are
  // neither.
  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) compstate=REPLY-ACCEPTED: only invitations alice accepted', async (f) => {
    const answer = await fetchMarch(f, '&recurring=1&compstate=REPLY-ACCEPTED');
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items.map((c) => c.value('UID'))).toEqual(['golden-accepted']);
    const own = items[0]!.values('ATTENDEE').indexOf('mailto:alice@example.com');
    expect([items[0]!.param('ATTENDEE', 'PARTSTAT', own), items[0]!.param('ATTENDEE', 'X-S1CS-CALID', own)]).toEqual(['ACCEPTED', 'alice']);
    const declined = await fetchMarch(f, '&recurring=1&compstate=REPLY-DECLINED');
    expect(itemsOf(declined).map((c) => c.value('UID'))).toEqual(['golden-declined']);
    await matchGolden(answer, `fetchcomponents_by_range.reply-accepted.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) with three calids: own, own secondary, foreign → errno 0, 0, 28', async (f) => {
    const calids = ['alice', 'alice:work', 'bob'];
    const answer = await fetchMarch(f, '&recurring=1', calids.map(enc).join(';'));
    checkAnswer(answer, f, 0, 3);
    expect(calids.map((_, i) => tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID', i))).toEqual(calids);
    expect(calids.map((_, i) => Number(tokenOf(answer, 'X-NSCP-WCAP-ERRNO', i)))).toEqual([0, 0, 28]);
    expect(itemsOf(answer, 0).map((c) => c.value('UID'))).toEqual(['golden-accepted', 'golden-declined', 'golden-meeting', 'golden-ny-weekly']);
    const [work] = itemsOf(answer, 1);
    expect([work!.value('UID'), work!.value('SUMMARY')]).toEqual(['golden-work', 'Sprint planning']);
    // 07:00Z on 16 March is 08:00 in Berlin (CET).
    expect(timeOf(work!, 'DTSTART')).toEqual(zoned(f, '20260316T080000', 'Europe/Berlin', '20260316T070000Z'));
    expect(itemsOf(answer, 2)).toEqual([]);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-NAME', 2)).toBeUndefined();
    await matchGolden(answer, `fetchcomponents_by_range.calids.${f.ext}`);
  });
});
