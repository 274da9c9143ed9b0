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
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { elementsByTagName, parseXml, textContent } from '../support/parse-xml.js';
import { foreignObject } from './foreign-objects.js';
import {
  expectMeeting,
  fetchByIdQuery,
  meetingParams,
  rangeQuery,
  simpleEventParams,
  storeQuery,
  taskParams,
} from './lightning-requests.js';

/**
 * Golden answers of the reading commands (docs/lightning.md#calendar-properties-request,
 * docs/lightning.md#reading-items, docs/lightning.md#free-busy): get_calprops,
 * fetchcomponents_by_range, fetchevents_by_id, fetchtodos_by_id, get_freebusy. The calendar is
 * filled through storeevents/storetodos exactly as Lightning sends them, plus one recurring series
 * with an exception written by another CalDAV client.
 */

const TASK_SUMMARY = 'Prepare slides; "v2" & <notes>';

/** alice's weekly series in New York: one EXDATE, one moved instance, an external attendee. */
const WEEKLY = foreignObject('golden-weekly', 'America/New_York', [
  [
    'CREATED:20260201T120000Z',
    'LAST-MODIFIED:20260201T120000Z',
    'DTSTART;TZID=America/New_York:20260304T140000',
    'DTEND;TZID=America/New_York:20260304T150000',
    'RRULE:FREQ=WEEKLY;COUNT=6',
    'EXDATE;TZID=America/New_York:20260325T140000',
    'SUMMARY:Weekly sync',
    'ORGANIZER;CN=Alice:mailto:alice@example.com',
    'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
  ],
  [
    'RECURRENCE-ID;TZID=America/New_York:20260311T140000',
    'DTSTART;TZID=America/New_York:20260311T160000',
    'DTEND;TZID=America/New_York:20260311T170000',
    'SUMMARY:Weekly sync (moved)',
    'ORGANIZER;CN=Alice:mailto:alice@example.com',
    'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
  ],
]);

/** An invitation from an external organizer, accepted by another client (April: outside every range below). */
const INVITATION = foreignObject('golden-invitation', 'Europe/Berlin', [
  [
    'DTSTART;TZID=Europe/Berlin:20260415T100000',
    'DTEND;TZID=Europe/Berlin:20260415T110000',
    'SUMMARY:Partner kickoff',
    'ORGANIZER;CN=Carol:mailto:carol@partner.org',
    'ATTENDEE;PARTSTAT=ACCEPTED;CN=Alice:mailto:alice@example.com',
    'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
  ],
]);


/** An invitation alice has not answered yet (April). */
const PENDING = foreignObject('golden-pending', 'Europe/Berlin', [
  [
    'DTSTART;TZID=Europe/Berlin:20260416T100000',
    'DTEND;TZID=Europe/Berlin:20260416T110000',
    'SUMMARY:Partner review',
    'ORGANIZER;CN=Carol:mailto:carol@partner.org',
    'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carol:mailto:carol@partner.org',
    'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Alice:mailto:alice@example.com',
  ],
]);

function byUid(items: ItemView[], uid: string, recurrence = false): ItemView {
  const found = items.filter((c) => c.value('UID') === uid && (c.value('RECURRENCE-ID') !== undefined) === recurrence);
  expect(found, `${uid}${recurrence ? ' (exception)' : ''}`).toHaveLength(1);
  return found[0]!;
}

describe('golden: reading commands', () => {
  let g: GoldenGateway;
  let sid: string;
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    await g.createCalendar('alice', 'work', {
      displayName: 'Work & "Play" <Team>',
      description: 'Team; shared, ü',
      timezone: 'Europe/Berlin',
    });
    const stores: Array<[string, string]> = [
      ['storeevents', storeQuery(sid, meetingParams('20260310T090000Z', '20260310T100000Z'), { tzid: 'Europe/Berlin', uid: 'golden-meeting', storetype: 1, method: 2, fmtOut: 'text%2Fcalendar' })],
      ['storeevents', storeQuery(sid, simpleEventParams({ start: '20260312', end: '20260313', allDay: true, summary: 'Team offsite' }), { tzid: 'Europe/Berlin', uid: 'golden-allday', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })],
      ['storeevents', storeQuery(sid, simpleEventParams({ start: '20260313T130000Z', end: '20260313T140000Z', summary: 'Maybe: dentist', status: 2 }), { uid: 'golden-tentative', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })],
      ['storetodos', storeQuery(sid, taskParams(TASK_SUMMARY), { tzid: 'America/New_York', uid: 'golden-task', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })],
      ['storeevents', storeQuery(sid, simpleEventParams({ start: '20260504T080000Z', end: '20260504T090000Z', summary: 'Out of range' }), { tzid: 'Europe/Berlin', uid: 'golden-may', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })],
      ['storeevents', storeQuery(sid, simpleEventParams({ start: '20260320T070000Z', end: '20260320T080000Z', summary: 'Work breakfast' }), { tzid: 'Europe/Berlin', uid: 'golden-work', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar', calid: 'alice:work' })],
    ];
    for (const [command, query] of stores) {
      const answer = await g.get(command, query);
      expect(errnoOf(answer), answer.body).toBe(0);
    }
    await g.putObject('alice', 'calendar', 'golden-weekly', WEEKLY);
    await g.putObject('alice', 'calendar', 'golden-invitation', INVITATION);
    await g.putObject('alice', 'calendar', 'golden-pending', PENDING);
  });

  it.each(FORMATS)('get_calprops.wcap ($ext): one block per calid, errno 0 / 0 / 29 / 28, RELATIVE-CALID as sent', async (f) => {
    const calids = ['alice', 'alice:work', 'alice:nope', 'bob'];
    const answer = await g.get('get_calprops', `appid=mozilla-calendar&id=${sid}&fmt-out=${f.fmtOut}&calid=${calids.map(enc).join(';')}`);
    checkAnswer(answer, f, 0, 4);
    expect(calids.map((_, i) => tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID', i))).toEqual(calids);
    expect(calids.map((_, i) => Number(tokenOf(answer, 'X-NSCP-WCAP-ERRNO', i)))).toEqual([0, 0, 29, 28]);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-PRIMARY-OWNER', 0)).toBe('alice');
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-PRIMARY-OWNER', 1)).toBe('alice');
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-NAME', 1)).toBe('Work & "Play" <Team>');
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-DESCRIPTION', 1)).toBe('Team; shared, ü');
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-TZID', 1)).toBe('Europe/Berlin');
    for (const i of [2, 3]) {
      expect(tokenOf(answer, 'X-NSCP-CALPROPS-NAME', i)).toBeUndefined();
      expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE', i)).toBeTruthy();
    }
    await matchGolden(answer, `get_calprops.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext): masters, exceptions and tasks of March, zones inline', async (f) => {
    const answer = await g.get('fetchcomponents_by_range', rangeQuery(sid, { fmtOut: f.fmtOut, dtstart: '20260301T000000Z', dtend: '20260401T000000Z' }));
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice');
    // Date-only bounds arrive as floating midnights (docs/lightning.md#range-fetch); without tzid
    // they mean UTC here (docs/wcap-protocol.md#time-zone-parameters).
    const floating = await g.get('fetchcomponents_by_range', rangeQuery(sid, { fmtOut: f.fmtOut, dtstart: '20260301T000000', dtend: '20260401T000000' }));
    expect(floating.body).toBe(answer.body);
    const [components] = componentsOf(answer);
    const items = components!.filter((c) => c.name !== 'VTIMEZONE');
    // Items come in the order of their objects' URLs, whichever way the gateway read them.
    expect(items.map((c) => c.value('UID'))).toEqual(['golden-allday', 'golden-meeting', 'golden-task', 'golden-tentative', 'golden-weekly', 'golden-weekly']);
    // VTIMEZONEs come first and carry the IANA names used in TZID parameters; a Zulu (text/xml)
    // answer uses no zone and carries none.
    const zones = components!.filter((c) => c.name === 'VTIMEZONE').map((z) => z.value('TZID'));
    expect(zones.sort()).toEqual(f.ext === 'ics' ? ['America/New_York', 'Europe/Berlin'] : []);
    expect(components!.findIndex((c) => c.name !== 'VTIMEZONE')).toBe(zones.length);

    // 09:00Z on 10 March is 10:00 in Berlin (CET, UTC+1).
    expectMeeting(byUid(items, 'golden-meeting'), f, { start: '20260310T100000', end: '20260310T110000' }, { start: '20260310T090000Z', end: '20260310T100000Z' });

    const allDay = byUid(items, 'golden-allday');
    expect([allDay.value('DTSTART'), allDay.value('DTEND'), allDay.value('TRANSP')]).toEqual(['20260312', '20260313', 'TRANSPARENT']);
    const tentative = byUid(items, 'golden-tentative');
    expect([tentative.value('DTSTART'), tentative.param('DTSTART', 'TZID'), tentative.value('STATUS')]).toEqual(['20260313T130000Z', undefined, 'TENTATIVE']);
    expect(tentative.value('X-NSCP-DTSTART-TZID')).toBeUndefined();

    const master = byUid(items, 'golden-weekly');
    expect(master.value('RRULE')).toBe('FREQ=WEEKLY;COUNT=6');
    // New York is on EDT (UTC-4) from 8 March: 14:00 on 25 March is 18:00Z; 4 March is still EST
    // (UTC-5): 19:00Z.
    expect(timeOf(master, 'EXDATE')).toEqual(zoned(f, '20260325T140000', 'America/New_York', '20260325T180000Z'));
    expect(timeOf(master, 'DTSTART')).toEqual(zoned(f, '20260304T140000', 'America/New_York', '20260304T190000Z'));
    expect(master.value('X-NSCP-DTSTART-TZID')).toBe('America/New_York');
    // emailorcalid=1: the user's own organizer line carries X-S1CS-CALID
    // (docs/lightning.md#method-and-invitations) even when another client stored it without one.
    expect([master.value('ORGANIZER'), master.param('ORGANIZER', 'X-S1CS-CALID')]).toEqual(['mailto:alice@example.com', 'alice']);
    expect(master.value('ATTENDEE')).toBe('mailto:carol@partner.org');
    const moved = byUid(items, 'golden-weekly', true);
    // Every exception has a DTSTART, or Lightning rejects the whole answer
    // (docs/lightning.md#parsing-returned-components).
    expect(timeOf(moved, 'RECURRENCE-ID')).toEqual(zoned(f, '20260311T140000', 'America/New_York', '20260311T180000Z'));
    expect(timeOf(moved, 'DTSTART')).toEqual(zoned(f, '20260311T160000', 'America/New_York', '20260311T200000Z'));
    expect(moved.value('X-NSCP-DTSTART-TZID')).toBe('America/New_York');
    expect(moved.value('SUMMARY')).toBe('Weekly sync (moved)');

    const task = byUid(items, 'golden-task');
    expect(task.name).toBe('VTODO');
    expect(task.value('SUMMARY')).toBe(TASK_SUMMARY);
    await matchGolden(answer, `fetchcomponents_by_range.${f.ext}`);
  });

  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) for the task list: component-type=todo, open range', async (f) => {
    const answer = await g.get('fetchcomponents_by_range', rangeQuery(sid, { fmtOut: f.fmtOut, dtstart: '0', dtend: '0', componentType: 'todo' }));
    checkAnswer(answer, f, 0);
    const items = componentsOf(answer)[0]!.filter((c) => c.name !== 'VTIMEZONE');
    expect(items.map((c) => [c.name, c.value('UID')])).toEqual([['VTODO', 'golden-task']]);
    const task = items[0]!;
    // 08:00Z on 3 March is 03:00 in New York (EST); the due date 17:00Z is 12:00.
    expect(timeOf(task, 'DTSTART')).toEqual(zoned(f, '20260303T030000', 'America/New_York', '20260303T080000Z'));
    expect(timeOf(task, 'DUE')).toEqual(zoned(f, '20260306T120000', 'America/New_York', '20260306T170000Z'));
    expect([task.value('X-NSCP-DTSTART-TZID'), task.value('X-NSCP-DUE-TZID')]).toEqual(['America/New_York', 'America/New_York']);
    expect([task.value('STATUS'), task.value('PERCENT-COMPLETE'), task.value('PRIORITY'), task.value('CLASS')]).toEqual(['IN-PROCESS', '40', '1', 'PRIVATE']);
    expect(task.value('COMPLETED')).toBeUndefined();
    await matchGolden(answer, `fetchcomponents_by_range.todos.${f.ext}`);
  });

  it.each(FORMATS)("fetchcomponents_by_range.wcap ($ext) of another user's calendar: errno 28 (Lightning falls back to free-busy)", async (f) => {
    const answer = await g.get('fetchcomponents_by_range', rangeQuery(sid, { fmtOut: f.fmtOut, dtstart: '20260301T000000Z', dtend: '20260401T000000Z', calid: 'bob' }));
    checkAnswer(answer, f, 28);
    expect(componentsOf(answer)[0]).toEqual([]);
    await matchGolden(answer, `fetchcomponents_by_range.access-denied.${f.ext}`);
  });

  it.each(FORMATS)('fetchevents_by_id.wcap ($ext): the master with its exception, one VCALENDAR', async (f) => {
    const answer = await g.get('fetchevents_by_id', fetchByIdQuery(sid, 'golden-weekly', f.fmtOut));
    checkAnswer(answer, f, 0);
    const [components] = componentsOf(answer);
    expect(components!.map((c) => [c.name, c.value('TZID') ?? (c.value('RECURRENCE-ID') ? 'exception' : 'master')])).toEqual([
      ...(f.ext === 'ics' ? [['VTIMEZONE', 'America/New_York']] : []),
      ['VEVENT', 'master'],
      ['VEVENT', 'exception'],
    ]);
    const [master, moved] = components!.filter((c) => c.name === 'VEVENT');
    // 4 March is EST (UTC-5), 11 March EDT (UTC-4).
    expect(timeOf(master!, 'DTSTART')).toEqual(zoned(f, '20260304T140000', 'America/New_York', '20260304T190000Z'));
    expect(master!.value('X-NSCP-DTSTART-TZID')).toBe('America/New_York');
    expect(timeOf(moved!, 'RECURRENCE-ID')).toEqual(zoned(f, '20260311T140000', 'America/New_York', '20260311T180000Z'));
    expect(timeOf(moved!, 'DTSTART')).toEqual(zoned(f, '20260311T160000', 'America/New_York', '20260311T200000Z'));
    await matchGolden(answer, `fetchevents_by_id.${f.ext}`);
  });

  it.each(FORMATS)('fetchevents_by_id.wcap ($ext) for a UID no event has: errno 59, so Lightning tries the tasks', async (f) => {
    for (const uid of ['golden-missing', 'golden-task']) {
      const answer = await g.get('fetchevents_by_id', fetchByIdQuery(sid, uid, f.fmtOut));
      checkAnswer(answer, f, 59);
      expect(componentsOf(answer)[0]).toEqual([]);
      if (uid === 'golden-missing') await matchGolden(answer, `fetchevents_by_id.not-found.${f.ext}`);
    }
  });

  it.each(FORMATS)('fetchevents_by_id.wcap ($ext) without any uid: errno 46, not a silent empty success', async (f) => {
    const answer = await g.get('fetchevents_by_id', `appid=mozilla-calendar&id=${sid}&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=${f.fmtOut}&calid=alice`);
    checkAnswer(answer, f, 46);
    await matchGolden(answer, `fetchevents_by_id.no-uid.${f.ext}`);
  });

  it.each(FORMATS)('fetchtodos_by_id.wcap ($ext): the task with DUE in its zone', async (f) => {
    const answer = await g.get('fetchtodos_by_id', fetchByIdQuery(sid, 'golden-task', f.fmtOut));
    checkAnswer(answer, f, 0);
    const items = componentsOf(answer)[0]!.filter((c) => c.name !== 'VTIMEZONE');
    expect(items).toHaveLength(1);
    expect([items[0]!.name, items[0]!.value('UID'), items[0]!.value('SUMMARY')]).toEqual(['VTODO', 'golden-task', TASK_SUMMARY]);
    expect(items[0]!.value('ORGANIZER')).toBe('mailto:alice@example.com');
    const missing = await g.get('fetchtodos_by_id', fetchByIdQuery(sid, 'golden-meeting', f.fmtOut));
    checkAnswer(missing, f, 59);
    await matchGolden(answer, `fetchtodos_by_id.${f.ext}`);
  });

  it.each(FORMATS)('get_freebusy.wcap ($ext) for a mailto: attendee: exact start/end periods in UTC', async (f) => {
    const query = `appid=mozilla-calendar&id=${sid}&calid=${enc('mailto:alice@example.com')}&busyonly=1&dtstart=20260309T000000Z&dtend=20260316T000000Z&fmt-out=${f.fmtOut}`;
    const answer = await g.get('get_freebusy', query);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('mailto:alice@example.com');
    // Busy: the meeting, the moved weekly instance (16:00 EDT); tentative: the dentist; the
    // transparent all-day offsite is free.
    const expected = [
      ['BUSY', '20260310T090000Z/20260310T100000Z'],
      ['BUSY', '20260311T200000Z/20260311T210000Z'],
      ['BUSY-TENTATIVE', '20260313T130000Z/20260313T140000Z'],
    ];
    if (f.ext === 'xml') {
      // Lightning reads every <FB> untrimmed and needs FBTYPE
      // (docs/lightning.md#free-busy-request-and-answer).
      const fbs = elementsByTagName(parseXml(answer.body).root, 'FB');
      expect(fbs.map((fb) => [fb.attributes.FBTYPE, textContent(fb)])).toEqual(expected);
    } else {
      const [freebusy] = componentsOf(answer)[0]!;
      expect(freebusy!.name).toBe('VFREEBUSY');
      expect(freebusy!.values('FREEBUSY').map((v, i) => [freebusy!.param('FREEBUSY', 'FBTYPE', i), v])).toEqual(expected);
      expect([freebusy!.value('DTSTART'), freebusy!.value('DTEND')]).toEqual(['20260309T000000Z', '20260316T000000Z']);
    }
    await matchGolden(answer, `get_freebusy.${f.ext}`);
  });

  it.each(FORMATS)('get_freebusy.wcap ($ext) with busyonly=0: the gaps as FREE periods', async (f) => {
    const query = `appid=mozilla-calendar&id=${sid}&calid=alice&busyonly=0&dtstart=20260310T000000Z&dtend=20260311T000000Z&fmt-out=${f.fmtOut}`;
    const answer = await g.get('get_freebusy', query);
    checkAnswer(answer, f, 0);
    const [freebusy] = componentsOf(answer)[0]!;
    const periods = freebusy!.values(f.ext === 'xml' ? 'FB' : 'FREEBUSY').map((v, i) => [freebusy!.param(f.ext === 'xml' ? 'FB' : 'FREEBUSY', 'FBTYPE', i), v]);
    expect(periods).toEqual([
      ['FREE', '20260310T000000Z/20260310T090000Z'],
      ['BUSY', '20260310T090000Z/20260310T100000Z'],
      ['FREE', '20260310T100000Z/20260311T000000Z'],
    ]);
    await matchGolden(answer, `get_freebusy.free.${f.ext}`);
  });

  it.each(FORMATS)('get_freebusy.wcap ($ext) for an address of another domain: errno 29, no periods', async (f) => {
    const query = `appid=mozilla-calendar&id=${sid}&calid=${enc('mailto:jane@example.org')}&busyonly=1&dtstart=20260309T000000Z&dtend=20260316T000000Z&fmt-out=${f.fmtOut}`;
    const answer = await g.get('get_freebusy', query);
    checkAnswer(answer, f, 29);
    expect(answer.body).not.toMatch(/FREEBUSY|<FB/);
    await matchGolden(answer, `get_freebusy.unknown-user.${f.ext}`);
  });

  // Lightning recognises an invitation, and answers it with method 4 (REPLY) so the organizer
  // hears back, only when ORGANIZER carries an X-S1CS-CALID different from the calendar's calid;
  // for an outside organizer any value that differs from the user's calid will do, for example the
  // address itself (docs/lightning.md#method-and-invitations, docs/lightning.md#checklist).
  it.each(FORMATS)('fetchevents_by_id.wcap ($ext) of an external invitation: ORGANIZER carries X-S1CS-CALID', async (f) => {
    const answer = await g.get('fetchevents_by_id', fetchByIdQuery(sid, 'golden-invitation', f.fmtOut));
    checkAnswer(answer, f, 0);
    const invitation = byUid(componentsOf(answer)[0]!, 'golden-invitation');
    expect(invitation.value('ORGANIZER')).toBe('mailto:carol@partner.org');
    expect(invitation.param('ATTENDEE', 'X-S1CS-CALID', 0)).toBe('alice');
    const organizerCalid = invitation.param('ORGANIZER', 'X-S1CS-CALID');
    expect(organizerCalid, 'ORGANIZER without X-S1CS-CALID: Lightning takes the invitation for its own copy').toBeTruthy();
    expect(organizerCalid).not.toBe('alice');
    await matchGolden(answer, `fetchevents_by_id.invitation.${f.ext}`);
  });

  // Answers honour tzidout (docs/architecture.md#time-and-recurrence): without it WCAP answers in
  // UTC ("Zulu"), with it "the Zulu time is translated into the time zone specified in the tzidout
  // parameter" (WCAP 7.0 guide, "Time Zones"; docs/wcap-protocol.md#time-zone-parameters) — in
  // text/xml as well: Zulu is only the answer to a missing tzidout.
  it.each(FORMATS)('fetchevents_by_id.wcap ($ext) with tzidout: times are given in that zone', async (f) => {
    const answer = await g.get('fetchevents_by_id', `${fetchByIdQuery(sid, 'golden-meeting', f.fmtOut)}&tzidout=${enc('America/Los_Angeles')}`);
    checkAnswer(answer, f, 0);
    const meeting = byUid(componentsOf(answer)[0]!, 'golden-meeting');
    // 09:00Z on 10 March is 02:00 in Los Angeles (PDT since 8 March).
    expect(meeting.value('DTSTART')).toBe('20260310T020000');
    expect(meeting.param('DTSTART', 'TZID') ?? meeting.value('X-NSCP-DTSTART-TZID')).toBe('America/Los_Angeles');
    await matchGolden(answer, `fetchevents_by_id.tzidout.${f.ext}`);
  });

  // Lightning's invitation counter asks for compstate=REQUEST-NEEDS-ACTION: items where the user is
  // an attendee who has not answered and someone else organizes (docs/lightning.md#range-fetch,
  // docs/wcap-protocol.md#compstate).
  it.each(FORMATS)('fetchcomponents_by_range.wcap ($ext) with compstate=REQUEST-NEEDS-ACTION: only open invitations', async (f) => {
    const answer = await g.get('fetchcomponents_by_range', rangeQuery(sid, { fmtOut: f.fmtOut, compstate: 'REQUEST-NEEDS-ACTION', dtstart: '20260401T000000Z', dtend: '20260501T000000Z' }));
    checkAnswer(answer, f, 0);
    const items = componentsOf(answer)[0]!.filter((c) => c.name !== 'VTIMEZONE');
    expect(items.map((c) => c.value('UID'))).toEqual(['golden-pending']);
    await matchGolden(answer, `fetchcomponents_by_range.needs-action.${f.ext}`);
  });
});
