import { beforeAll, describe, expect, it } from 'vitest';
import { FORMATS, buildGoldenGateway, matchGolden, checkAnswer, componentsOf, errnoOf, tokenOf, type GoldenAnswer, type GoldenGateway } from '../support/golden-gateway.js';
import { foreignObject } from './foreign-objects.js';

/**
 * Golden answers of the range deletes (docs/wcap-protocol.md#range-deletes) and of the alarm and
 * attendee-error fetches (docs/wcap-protocol.md#fetchcomponents_by_alarmrange,
 * docs/wcap-protocol.md#fetchcomponents_by_attendee_error), over the in-memory CalDAV fake. Each
 * format works on calendars of its own, as the deletes change them.
 */
const UTC = undefined;

/** A weekly meeting on Mondays 09:00Z, 2–23 March 2026 (4 instances); 16 March moved to 14:00Z. */
const WEEKLY = foreignObject('golden-weekly', UTC, [
  ['DTSTART:20260302T090000Z', 'DTEND:20260302T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=4', 'SUMMARY:Weekly', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Weekly', 'TRIGGER:-PT15M', 'END:VALARM'],
  ['RECURRENCE-ID:20260316T090000Z', 'DTSTART:20260316T140000Z', 'DTEND:20260316T150000Z', 'SUMMARY:Weekly (afternoon)', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Weekly', 'TRIGGER:-PT15M', 'END:VALARM'],
]);
const LUNCH = foreignObject('golden-lunch', UTC, [['DTSTART:20260310T120000Z', 'DTEND:20260310T130000Z', 'SUMMARY:Lunch']]);
const REVIEW = foreignObject('golden-review', UTC, [
  ['DTSTART:20260311T150000Z', 'DTEND:20260311T160000Z', 'SUMMARY:Review', 'ORGANIZER:mailto:alice@example.com', 'ATTENDEE;SCHEDULE-STATUS=5.1:mailto:nobody@unreachable.test', 'ATTENDEE;SCHEDULE-STATUS=2.0:mailto:bob@example.com'],
]);
const REPORT = foreignObject('golden-report', UTC, [['DUE:20260320T170000Z', 'SUMMARY:Report', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Report', 'TRIGGER;VALUE=DATE-TIME:20260309T080000Z', 'END:VALARM']], 'VTODO');

describe('golden: range deletes, alarm range and attendee errors', () => {
  let g: GoldenGateway;
  let sid: string;
  const calendarOf = (ext: string) => `ranges-${ext}`;
  const items = (answer: GoldenAnswer, block = 0) => componentsOf(answer)[block]!.filter((c) => c.name !== 'VTIMEZONE');
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    for (const f of FORMATS) {
      await g.createCalendar('alice', calendarOf(f.ext), { displayName: `Ranges ${f.ext}` });
      for (const [uid, lines] of [['golden-weekly', WEEKLY], ['golden-lunch', LUNCH], ['golden-review', REVIEW], ['golden-report', REPORT]] as const) {
        await g.putObject('alice', calendarOf(f.ext), uid, [...lines]);
      }
    }
  });

  // Read before the deletes below change the calendars (vitest runs a file's tests in order).
  it.each(FORMATS)('fetchcomponents_by_alarmrange.wcap ($ext): the instances ringing 9–16 March, and the task by its absolute alarm', async (f) => {
    const answer = await g.get('fetchcomponents_by_alarmrange', `id=${sid}&calid=alice:${calendarOf(f.ext)}&dtstart=20260309T000000Z&dtend=20260316T140000Z&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    // Objects in URL order. The task's alarm on 9 March 08:00Z; the weekly meeting's 9 March 08:45Z
    // and the moved 16 March at 13:45Z (its 2 March and 23 March ring outside). Lunch has no alarm.
    expect(items(answer).map((c) => [c.name, c.value('UID'), c.value('RECURRENCE-ID'), c.value('DTSTART')])).toEqual([
      ['VTODO', 'golden-report', undefined, undefined],
      ['VEVENT', 'golden-weekly', '20260309T090000Z', '20260309T090000Z'],
      ['VEVENT', 'golden-weekly', '20260316T090000Z', '20260316T140000Z'],
    ]);
    await matchGolden(answer, `fetchcomponents_by_alarmrange.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_attendee_error.wcap ($ext): only the event whose delivery failed', async (f) => {
    const answer = await g.get('fetchcomponents_by_attendee_error', `id=${sid}&calid=alice:${calendarOf(f.ext)}&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    expect(items(answer).map((c) => c.value('UID'))).toEqual(['golden-review']);
    await matchGolden(answer, `fetchcomponents_by_attendee_error.${f.ext}`);
  });

  it.each(FORMATS)('deleteevents_by_range.wcap ($ext): two calendars, one of another user (28); what went is in the delete log', async (f) => {
    const calid = `alice:${calendarOf(f.ext)}`;
    const answer = await g.get('deleteevents_by_range', `id=${sid}&calid=${calid};bob&dtstart=20260309T000000Z&dtend=20260315T000000Z&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0, 2);
    expect([errnoOf(answer), tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID', 0), tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID', 1)]).toEqual([0, calid, 'bob']);
    await matchGolden(answer, `deleteevents_by_range.${f.ext}`);
    // Lunch and the review went whole; the weekly meeting lost 9 March only; the task is no event.
    const log = await g.get('fetch_deletedcomponents', `id=${sid}&calid=${calid}&dtstart=0&dtend=0&fmt-out=${f.fmtOut}`);
    expect(items(log).map((c) => [c.value('UID'), c.value('RECURRENCE-ID')])).toEqual([
      ['golden-lunch', undefined],
      ['golden-review', undefined],
      ['golden-weekly', '20260309T090000Z'],
    ]);
  });

  it.each(FORMATS)('deletecomponents_by_range.wcap ($ext): dtstart=0&dtend=0 takes everything left', async (f) => {
    const calid = `alice:${calendarOf(f.ext)}`;
    const answer = await g.get('deletecomponents_by_range', `id=${sid}&calid=${calid}&dtstart=0&dtend=0&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 0);
    await matchGolden(answer, `deletecomponents_by_range.${f.ext}`);
    const left = await g.get('fetchcomponents_by_range', `id=${sid}&calid=${calid}&dtstart=0&dtend=0&fmt-out=${f.fmtOut}`);
    expect(items(left)).toEqual([]);
  });

  it.each(FORMATS)('deletetodos_by_range.wcap ($ext): dtend before dtstart is errno 23 with a message', async (f) => {
    const answer = await g.get('deletetodos_by_range', `id=${sid}&dtstart=20260401T000000Z&dtend=20260301T000000Z&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 23);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBe('dtend is before dtstart');
    await matchGolden(answer, `deletetodos_by_range.errno-23.${f.ext}`);
  });
});
