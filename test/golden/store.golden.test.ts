import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  errnoOf,
  normalise,
  timeOf,
  tokenOf,
  zoned,
  type Format,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import {
  SUMMARY,
  deleteQuery,
  expectMeeting,
  fetchByIdQuery,
  meetingParams,
  simpleEventParams,
  storeQuery,
  taskParams,
} from './lightning-requests.js';
import { foreignObject } from './foreign-objects.js';

/**
 * Golden answers of the writing commands (docs/lightning.md#writing-items): storeevents,
 * storetodos, deleteevents_by_id, deletetodos_by_id, with Lightning's parameter sets, and their
 * error answers. Every store answer must be the complete stored item
 * (docs/lightning.md#store-answer); every failure must leave the calendar unchanged.
 */

const TASK_SUMMARY = 'Slides für „Q2“; <draft> & notes';

/** The items (not the VTIMEZONEs) of the only block. */
function itemsOf(answer: Awaited<ReturnType<GoldenGateway['get']>>): ItemView[] {
  const blocks = componentsOf(answer);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.filter((c) => c.name !== 'VTIMEZONE');
}

describe('golden: writing commands', () => {
  let g: GoldenGateway;
  let sid: string;
  const fetchEvent = (uid: string, f: Format = FORMATS[0]) => g.get('fetchevents_by_id', fetchByIdQuery(sid, uid, f.fmtOut));
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
  });

  it.each(FORMATS)('storeevents.wcap ($ext), a new meeting: the complete stored event comes back', async (f) => {
    const uid = `golden-store-${f.ext}`;
    const query = storeQuery(sid, meetingParams('20260317T130000Z', '20260317T143000Z'), { tzid: 'Europe/Berlin', uid, storetype: 1, method: 2, fmtOut: f.fmtOut });
    const answer = await g.get('storeevents', query);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice');
    const items = itemsOf(answer);
    expect(items.map((c) => c.value('UID'))).toEqual([uid]);
    // 13:00Z on 17 March is 14:00 in Berlin (UTC+1 until 29 March).
    const local = { start: '20260317T140000', end: '20260317T153000' };
    const utc = { start: '20260317T130000Z', end: '20260317T143000Z' };
    expectMeeting(items[0]!, f, local, utc);
    // Zulu (text/xml) answers use no zone, so they carry no VTIMEZONE.
    expect(componentsOf(answer)[0]!.filter((c) => c.name === 'VTIMEZONE').map((z) => z.value('TZID'))).toEqual(f.ext === 'ics' ? ['Europe/Berlin'] : []);
    // And it is stored: a later fetch says the same.
    expectMeeting(itemsOf(await fetchEvent(uid))[0]!, FORMATS[0], local, utc);
    await matchGolden(answer, `storeevents.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) without uid: the server makes one and returns it', async (f) => {
    const params = simpleEventParams({ start: '20260318T080000Z', end: '20260318T083000Z', summary: `Stand-up ${f.ext}` });
    const answer = await g.get('storeevents', storeQuery(sid, params, { storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    const uid = event!.value('UID') ?? '';
    expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // A UTC start without tzid stays UTC (docs/lightning.md#outbound-time-zones).
    expect([event!.value('DTSTART'), event!.param('DTSTART', 'TZID'), event!.value('SUMMARY')]).toEqual(['20260318T080000Z', undefined, `Stand-up ${f.ext}`]);
    expect(itemsOf(await fetchEvent(uid)).map((c) => c.value('SUMMARY'))).toEqual([`Stand-up ${f.ext}`]);
    const body = normalise(answer.body);
    expect(body).not.toContain(uid);
    await matchGolden(answer, `storeevents.generated-uid.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) modify (storetype=2): only the fields sent change', async (f) => {
    const uid = `golden-modify-${f.ext}`;
    const create = storeQuery(sid, meetingParams('20260319T130000Z', '20260319T140000Z'), { tzid: 'Europe/Berlin', uid, storetype: 1, method: 2, fmtOut: 'text%2Fcalendar' });
    expect(errnoOf(await g.get('storeevents', create))).toBe(0);
    // Lightning sends the diff: a new description, the location cleared, one category less
    // (replace=1: the list replaces the stored one) (docs/lightning.md#diff-against-the-old-item,
    // docs/lightning.md#store-request-layout).
    const diff = `&categories=Business&desc=${enc('Agenda v2:\r\n– numbers <final> & "signed"')}&location=`;
    const answer = await g.get('storeevents', storeQuery(sid, diff, { tzid: 'Europe/Berlin', uid, storetype: 2, method: 2, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    expect(event!.value('DESCRIPTION')).toBe('Agenda v2:\n– numbers <final> & "signed"');
    expect(event!.value('LOCATION')).toBeUndefined();
    expect(event!.value('CATEGORIES')).toBe('Business');
    expect(event!.value('SUMMARY')).toBe(SUMMARY);
    expect(timeOf(event!, 'DTSTART')).toEqual(zoned(f, '20260319T140000', 'Europe/Berlin', '20260319T130000Z'));
    expect(event!.values('ATTENDEE')).toHaveLength(2);
    expect(event!.children('VALARM')).toHaveLength(1);
    await matchGolden(answer, `storeevents.modify.${f.ext}`);
  });

  // The reminder text was made from the title when the alarm was stored (no alarmDescription was
  // sent); Lightning sends only the new title on a rename
  // (docs/lightning.md#diff-against-the-old-item), so the reminder must follow, or the e-mail
  // reminder announces an event that no longer has that name.
  it.each(FORMATS)('storeevents.wcap ($ext) renaming an event: its e-mail reminder carries the new title', async (f) => {
    const uid = `golden-rename-${f.ext}`;
    const create = storeQuery(sid, meetingParams('20260320T130000Z', '20260320T140000Z'), { tzid: 'Europe/Berlin', uid, storetype: 1, method: 2, fmtOut: 'text%2Fcalendar' });
    expect(errnoOf(await g.get('storeevents', create))).toBe(0);
    const answer = await g.get('storeevents', storeQuery(sid, `&summary=${enc('Q1 review – moved to Q2')}`, { tzid: 'Europe/Berlin', uid, storetype: 2, method: 2, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    expect(event!.value('SUMMARY')).toBe('Q1 review – moved to Q2');
    const [alarm] = event!.children('VALARM');
    expect([alarm?.value('SUMMARY'), alarm?.value('DESCRIPTION')]).toEqual(['Q1 review – moved to Q2', 'Q1 review – moved to Q2']);
    await matchGolden(answer, `storeevents.rename.${f.ext}`);
  });

  // Lightning sends recurrence rules quoted and encoded, and EXDATEs only when adding
  // (docs/lightning.md#store-request-layout); a weekly series created in Lightning must not be
  // stored as a single event.
  it.each(FORMATS)('storeevents.wcap ($ext) of a new weekly series: RRULE and EXDATE are stored', async (f) => {
    const uid = `golden-series-${f.ext}`;
    const params = simpleEventParams({ start: '20260323T090000Z', end: '20260323T100000Z', summary: 'Weekly 1:1' }).replace(
      '&rrules=&rdates=&exrules=&exdates=',
      `&rrules="${enc('FREQ=WEEKLY;COUNT=5')}"&rdates=&exrules=&exdates=20260330T080000Z`,
    );
    const answer = await g.get('storeevents', storeQuery(sid, params, { tzid: 'Europe/Berlin', uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [series] = itemsOf(answer);
    expect(series!.value('RRULE')).toBe('FREQ=WEEKLY;COUNT=5');
    // 30 March 08:00Z is 10:00 in Berlin (summer time from 29 March): the EXDATE in the series' zone.
    expect(timeOf(series!, 'EXDATE')).toEqual(zoned(f, '20260330T100000', 'Europe/Berlin', '20260330T080000Z'));
    await matchGolden(answer, `storeevents.recurring.${f.ext}`);
  });

  it.each(FORMATS)('storetodos.wcap ($ext), a new task: DUE, PERCENT-COMPLETE, STATUS, PRIORITY, CLASS', async (f) => {
    const uid = `golden-todo-${f.ext}`;
    const answer = await g.get('storetodos', storeQuery(sid, taskParams(TASK_SUMMARY), { tzid: 'America/New_York', uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    expect(items.map((c) => [c.name, c.value('UID')])).toEqual([['VTODO', uid]]);
    const task = items[0]!;
    expect(task.value('SUMMARY')).toBe(TASK_SUMMARY);
    // 08:00Z on 3 March is 03:00 in New York (EST, UTC-5); the due date 17:00Z is 12:00.
    expect(timeOf(task, 'DTSTART')).toEqual(zoned(f, '20260303T030000', 'America/New_York', '20260303T080000Z'));
    expect(timeOf(task, 'DUE')).toEqual(zoned(f, '20260306T120000', 'America/New_York', '20260306T170000Z'));
    expect([task.value('X-NSCP-DTSTART-TZID'), task.value('X-NSCP-DUE-TZID')]).toEqual(['America/New_York', 'America/New_York']);
    expect([task.value('STATUS'), task.value('PERCENT-COMPLETE'), task.value('PRIORITY'), task.value('CLASS'), task.value('CATEGORIES')]).toEqual(['IN-PROCESS', '40', '1', 'PRIVATE', 'Prep']);
    expect(task.value('COMPLETED')).toBeUndefined();
    expect(task.children('VALARM')).toEqual([]);
    await matchGolden(answer, `storetodos.${f.ext}`);
  });

  it.each(FORMATS)('storetodos.wcap ($ext) completing a task: COMPLETED in UTC, 100 %', async (f) => {
    const uid = `golden-done-${f.ext}`;
    const create = storeQuery(sid, taskParams('Send invoice'), { tzid: 'America/New_York', uid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' });
    expect(errnoOf(await g.get('storetodos', create))).toBe(0);
    const diff = '&status=4&percent=100&completed=20260302T093000Z';
    const answer = await g.get('storetodos', storeQuery(sid, diff, { tzid: 'America/New_York', uid, storetype: 2, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [task] = itemsOf(answer);
    expect([task!.value('STATUS'), task!.value('PERCENT-COMPLETE'), task!.value('COMPLETED')]).toEqual(['COMPLETED', '100', '20260302T093000Z']);
    expect(task!.value('SUMMARY')).toBe('Send invoice');
    await matchGolden(answer, `storetodos.complete.${f.ext}`);
  });

  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) of a whole event (mod=4, rid=0): gone afterwards', async (f) => {
    const uid = `golden-delete-${f.ext}`;
    const params = simpleEventParams({ start: '20260324T120000Z', end: '20260324T130000Z', summary: 'Lunch' });
    expect(errnoOf(await g.get('storeevents', storeQuery(sid, params, { uid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })))).toBe(0);
    const answer = await g.get('deleteevents_by_id', deleteQuery(sid, uid, f.fmtOut));
    checkAnswer(answer, f, 0);
    checkAnswer(await fetchEvent(uid), FORMATS[0], 59);
    await matchGolden(answer, `deleteevents_by_id.${f.ext}`);
  });

  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) of two occurrences (mod=1): EXDATEs on the master in its zone', async (f) => {
    const uid = `golden-daily-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, foreignObject(uid, 'Europe/Berlin', [
      ['DTSTART;TZID=Europe/Berlin:20260325T090000', 'DTEND;TZID=Europe/Berlin:20260325T093000', 'RRULE:FREQ=DAILY;COUNT=7', 'SUMMARY:Daily check-in'],
    ]));
    // docs/lightning.md#deleting-occurrences: the uid repeated once per rid, the rids in UTC; 26
    // March is still winter time (08:00Z), 30 March summer time (07:00Z).
    const answer = await g.get('deleteevents_by_id', deleteQuery(sid, uid, f.fmtOut, ['20260326T080000Z', '20260330T070000Z']));
    checkAnswer(answer, f, 0);
    const [master] = itemsOf(await fetchEvent(uid));
    expect(master!.values('EXDATE').sort()).toEqual(['20260326T090000', '20260330T090000']);
    expect([0, 1].map((i) => master!.param('EXDATE', 'TZID', i))).toEqual(['Europe/Berlin', 'Europe/Berlin']);
    expect(master!.value('RRULE')).toBe('FREQ=DAILY;COUNT=7');
    await matchGolden(answer, `deleteevents_by_id.instances.${f.ext}`);
  });

  // docs/lightning.md#deleting-occurrences for an all-day series: the rid is the occurrence date as
  // a floating midnight.
  it.each(FORMATS)('deleteevents_by_id.wcap ($ext) of an all-day occurrence: an EXDATE that is a DATE', async (f) => {
    const uid = `golden-allday-series-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, foreignObject(uid, undefined, [
      ['DTSTART;VALUE=DATE:20260404', 'DTEND;VALUE=DATE:20260405', 'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:Holiday', 'TRANSP:TRANSPARENT'],
    ]));
    const answer = await g.get('deleteevents_by_id', deleteQuery(sid, uid, f.fmtOut, ['20260405T000000']));
    checkAnswer(answer, f, 0);
    const [master] = itemsOf(await fetchEvent(uid));
    expect(master!.values('EXDATE')).toEqual(['20260405']);
    expect(master!.value('DTSTART')).toBe('20260404');
    await matchGolden(answer, `deleteevents_by_id.all-day-instance.${f.ext}`);
  });

  it.each(FORMATS)('deletetodos_by_id.wcap ($ext): the task is gone, events are not touched', async (f) => {
    const uid = `golden-deltodo-${f.ext}`;
    const create = storeQuery(sid, taskParams('Throwaway task'), { tzid: 'America/New_York', uid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' });
    expect(errnoOf(await g.get('storetodos', create))).toBe(0);
    // An event's UID is not a task: 59, and the event survives.
    const eventUid = `golden-keep-${f.ext}`;
    const event = simpleEventParams({ start: '20260324T150000Z', end: '20260324T160000Z', summary: 'Keep me' });
    expect(errnoOf(await g.get('storeevents', storeQuery(sid, event, { uid: eventUid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })))).toBe(0);
    checkAnswer(await g.get('deletetodos_by_id', deleteQuery(sid, eventUid, f.fmtOut)), f, 59);
    checkAnswer(await fetchEvent(eventUid), FORMATS[0], 0);
    const answer = await g.get('deletetodos_by_id', deleteQuery(sid, uid, f.fmtOut));
    checkAnswer(answer, f, 0);
    checkAnswer(await g.get('fetchtodos_by_id', fetchByIdQuery(sid, uid, 'text%2Fcalendar')), FORMATS[0], 59);
    await matchGolden(answer, `deletetodos_by_id.${f.ext}`);
  });

  // docs/lightning.md#modifying-occurrences: changing one occurrence sends mod=1&rid=<RID> with
  // every field and no storetype. The gateway must store an exception (RECURRENCE-ID) and leave the
  // series alone.
  it.each(FORMATS)('storeevents.wcap ($ext) with mod=1&rid: only that occurrence moves', async (f) => {
    const uid = `golden-move-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, foreignSeries(uid, 'RRULE:FREQ=WEEKLY;COUNT=4', []));
    // The 8 April occurrence (09:00 Berlin = 07:00Z, summer time) moves to 11:00 Berlin.
    const params = simpleEventParams({ start: '20260408T090000Z', end: '20260408T100000Z', summary: 'Planning (moved)' }).replace('&rrules=&rdates=&exrules=&exdates=', '');
    const answer = await g.get('storeevents', storeQuery(sid, params, { tzid: 'Europe/Berlin', uid, rid: '20260408T070000Z', method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const items = itemsOf(answer);
    // docs/lightning.md#store-answer: the master plus all its exceptions, in one VCALENDAR.
    expect(items.map((c) => (c.value('RECURRENCE-ID') === undefined ? 'master' : 'exception'))).toEqual(['master', 'exception']);
    const [master, moved] = items;
    // Berlin is on CEST (UTC+2) from 29 March.
    expect([master!.value('RRULE'), master!.value('SUMMARY')]).toEqual(['FREQ=WEEKLY;COUNT=4', 'Planning']);
    expect(timeOf(master!, 'DTSTART')).toEqual(zoned(f, '20260401T090000', 'Europe/Berlin', '20260401T070000Z'));
    // The RECURRENCE-ID names the instance as the rule makes it (09:00), not where it moved to.
    expect(timeOf(moved!, 'RECURRENCE-ID')).toEqual(zoned(f, '20260408T090000', 'Europe/Berlin', '20260408T070000Z'));
    expect(timeOf(moved!, 'DTSTART')).toEqual(zoned(f, '20260408T110000', 'Europe/Berlin', '20260408T090000Z'));
    expect(moved!.value('SUMMARY')).toBe('Planning (moved)');
    await matchGolden(answer, `storeevents.occurrence.${f.ext}`);
  });

  // docs/lightning.md#method-and-invitations: accepting an invitation sends only
  // `attendees=PARTSTAT=…^<own id>` with method=4 and the fixed trailer (which holds replace=1).
  // Only the user's own PARTSTAT may change.
  it.each(FORMATS)('storeevents.wcap ($ext) REPLY (method=4): only the own PARTSTAT changes', async (f) => {
    const uid = `golden-reply-${f.ext}`;
    await g.putObject('alice', 'calendar', uid, foreignSeries(uid, 'RRULE:FREQ=WEEKLY;COUNT=2', [
      'ORGANIZER;CN=Carol:mailto:carol@partner.org',
      'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Alice:mailto:alice@example.com',
      'ATTENDEE;PARTSTAT=TENTATIVE;CN=Dave:mailto:dave@partner.org',
    ]));
    const reply = `&attendees=PARTSTAT=ACCEPTED^${enc('mailto:alice@example.com')}`;
    const answer = await g.get('storeevents', storeQuery(sid, reply, { tzid: 'Europe/Berlin', uid, storetype: 2, method: 4, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    expect(event!.value('ORGANIZER')).toBe('mailto:carol@partner.org');
    // Still an invitation for Lightning: the organizer's X-S1CS-CALID is not alice's
    // (docs/lightning.md#method-and-invitations).
    expect(event!.param('ORGANIZER', 'X-S1CS-CALID')).toMatch(/^(?!alice$)./);
    const attendees = event!.values('ATTENDEE').map((address, i) => [address, event!.param('ATTENDEE', 'PARTSTAT', i)]);
    expect(attendees).toEqual([
      ['mailto:carol@partner.org', 'ACCEPTED'],
      ['mailto:alice@example.com', 'ACCEPTED'],
      ['mailto:dave@partner.org', 'TENTATIVE'],
    ]);
    await matchGolden(answer, `storeevents.reply.${f.ext}`);
  });
});

/** A weekly series in Berlin from 1 April 09:00 as another CalDAV client writes it. */
function foreignSeries(uid: string, rrule: string, extra: string[]): string[] {
  return foreignObject(uid, 'Europe/Berlin', [
    ['DTSTART;TZID=Europe/Berlin:20260401T090000', 'DTEND;TZID=Europe/Berlin:20260401T100000', rrule, 'SUMMARY:Planning', ...extra],
  ]);
}
