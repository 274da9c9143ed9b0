import { beforeAll, describe, expect, it } from 'vitest';
import { buildGoldenGateway, normalise, type GoldenGateway } from '../support/golden-gateway.js';

/**
 * A range fetch answered from the calendar cache's snapshot (decided in the gateway by RFC 4791
 * §9.9, calendars/object-summaries.ts) must be byte for byte the answer of the plain CalDAV query
 * (decided by the server, here the in-memory fake). Two gateways over the same objects: one without
 * a cache (WCAP_CACHE_MAX_MB=0), one whose snapshot is built before the compared fetches.
 */
const BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];
const wrap = (...components: string[][]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', ...components.flat(), 'END:VCALENDAR'];
const vevent = (uid: string, ...lines: string[]) => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20270101T000000Z', ...lines, 'END:VEVENT'];

const OBJECTS: Record<string, string[]> = {
  // A weekly Berlin series across the DST change, one instance moved, one excluded.
  series: wrap(
    BERLIN,
    vevent('series', 'DTSTART;TZID=Europe/Berlin:20270301T090000', 'DTEND;TZID=Europe/Berlin:20270301T100000', 'RRULE:FREQ=WEEKLY;COUNT=8',
      'EXDATE;TZID=Europe/Berlin:20270315T090000', 'SUMMARY:Weekly'),
    vevent('series', 'RECURRENCE-ID;TZID=Europe/Berlin:20270322T090000', 'DTSTART;TZID=Europe/Berlin:20270501T090000',
      'DTEND;TZID=Europe/Berlin:20270501T100000', 'SUMMARY:Moved to May'),
  ),
  birthday: wrap(vevent('birthday', 'DTSTART;VALUE=DATE:20200331', 'DTEND;VALUE=DATE:20200401', 'RRULE:FREQ=YEARLY', 'SUMMARY:Birthday')),
  floating: wrap(vevent('floating', 'DTSTART:20270331T233000', 'DTEND:20270401T003000', 'SUMMARY:Floating at midnight')),
  endless: wrap(vevent('endless', 'DTSTART:20200106T080000Z', 'DURATION:PT30M', 'RRULE:FREQ=WEEKLY;BYDAY=MO', 'SUMMARY:Every Monday')),
  later: wrap(vevent('later', 'DTSTART:20290101T080000Z', 'DTEND:20290101T090000Z', 'SUMMARY:Far away')),
  instant: wrap(vevent('instant', 'DTSTART:20270401T000000Z', 'SUMMARY:No end, starts at a range end')),
  task: wrap(['BEGIN:VTODO', 'UID:task', 'DTSTAMP:20270101T000000Z', 'DTSTART:20270320T080000Z', 'DUE:20270402T170000Z', 'SUMMARY:Report', 'END:VTODO']),
  undated: wrap(['BEGIN:VTODO', 'UID:undated', 'DTSTAMP:20270101T000000Z', 'SUMMARY:Someday', 'END:VTODO']),
};

const RANGES = [
  ['20270301T000000Z', '20270401T000000Z'],
  ['20270401T000000Z', '20270501T000000Z'],
  ['20270501T000000Z', '20270601T000000Z'],
  ['20200101T000000Z', '20200201T000000Z'],
  ['0', '0'],
] as const;
const TYPES = ['event', 'todo', 'all'] as const;

describe('range fetches from the snapshot and from the server', () => {
  let plain: GoldenGateway;
  let cached: GoldenGateway;
  let plainId: string;
  let cachedId: string;
  const fetch = (g: GoldenGateway, id: string, query: string) => g.get('fetchcomponents_by_range', `id=${id}&calid=alice&${query}`);

  beforeAll(async () => {
    // A small recurrence bound keeps the open-range expansions of the endless series short.
    plain = buildGoldenGateway({ WCAP_CACHE_MAX_MB: '0', WCAP_RECURRENCE_BOUND: '60' });
    cached = buildGoldenGateway({ WCAP_RECURRENCE_BOUND: '60' });
    plainId = await plain.login('alice');
    cachedId = await cached.login('alice');
    for (const g of [plain, cached]) for (const [uid, lines] of Object.entries(OBJECTS)) await g.putObject('alice', 'calendar', uid, lines);
    // Two reads have the snapshot built in the background; once built, every read is served from it.
    for (let i = 0; i < 2; i++) await fetch(cached, cachedId, 'dtstart=0&dtend=0&fmt-out=text%2Fcalendar');
    await cached.deps.calendars.settled();
  });

  const cases = RANGES.flatMap(([start, end]) =>
    TYPES.flatMap((type) => [0, 1].flatMap((recurring) => ['text%2Fcalendar', 'text%2Fxml'].map((fmt) => ({ start, end, type, recurring, fmt })))),
  );

  it.each(cases)('$start–$end, $type, recurring=$recurring, $fmt', async ({ start, end, type, recurring, fmt }) => {
    const query = `dtstart=${start}&dtend=${end}&component-type=${type}&recurring=${recurring}&fmt-out=${fmt}`;
    const expected = await fetch(plain, plainId, query);
    const calls = cached.backend.calls.length;
    const answer = await fetch(cached, cachedId, query);
    // Served from the snapshot: the only CalDAV request is the validation.
    expect(cached.backend.calls.slice(calls)).toEqual(['getCalendar']);
    expect(normalise(answer.body)).toBe(normalise(expected.body));
  });

  it('the compared answers are not empty', async () => {
    const answer = await fetch(plain, plainId, 'dtstart=20270301T000000Z&dtend=20270401T000000Z&component-type=all&recurring=0&fmt-out=text%2Fcalendar');
    for (const uid of ['series', 'birthday', 'floating', 'endless', 'task']) expect(answer.body).toContain(`UID:${uid}`);
    expect(answer.body).not.toContain('UID:later');
  });
});
