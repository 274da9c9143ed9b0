import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { elementsByTagName, textContent } from '../support/parse-xml.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Range deletes (docs/wcap-protocol.md#range-deletes) against real Radicale and Redis: what is left
 * on the CalDAV server is read back directly, what went is asked of fetch_deletedcomponents.
 * Every test works in calendars of its own.
 */
const USER = 'erin';
const OTHER = 'carol';

const vevent = (uid: string, start: string, end: string, ...extra: string[]) => ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `DTSTART:${start}`, `DTEND:${end}`, ...extra, 'END:VEVENT'];
const vtodo = (uid: string, due: string) => ['BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `DTSTART:${due}`, `DUE:${due}`, 'END:VTODO'];
const ics = (...components: string[][]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...components.flat(), 'END:VCALENDAR', ''].join('\r\n');

describe('range deletes', () => {
  let h: Harness;
  let id: string;
  let calid: string;
  let path: string;
  const made: string[] = [];
  beforeAll(async () => {
    h = await startHarness({ WCAP_RANGE_DELETE_MAX_ITEMS: '5' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());
  const newCalendar = async () => {
    const name = `ranges${randomUUID().slice(0, 8)}`;
    expect((await h.radicale(USER, `/${USER}/${name}/`, { method: 'MKCALENDAR' })).status).toBe(201);
    made.push(`/${USER}/${name}/`);
    return { calid: `${USER}:${name}`, path: `/${USER}/${name}/` };
  };
  beforeEach(async () => {
    ({ calid, path } = await newCalendar());
  });
  afterEach(async () => {
    for (const p of made.splice(0)) await h.radicale(USER, p, { method: 'DELETE' });
  });

  const put = async (uid: string, body: string, at = path) => {
    const res = await h.radicale(USER, `${at}${uid}.ics`, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } });
    expect(res.status).toBe(201);
  };
  const stored = async (uid: string, at = path): Promise<ICAL.Component | null> => {
    const res = await h.radicale(USER, `${at}${uid}.ics`);
    return res.status === 404 ? null : new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
  };
  const del = (command: string, query: string, fmt = 'text%2Fcalendar') => h.wcap(command, `id=${id}&fmt-out=${fmt}&${query}`);
  const deletions = async (cal = calid) => {
    const answer = await h.wcap('fetch_deletedcomponents', `id=${id}&calid=${cal}&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    expect(answer.errno).toBe(0);
    return [...answer.ical!.getAllSubcomponents('vevent'), ...answer.ical!.getAllSubcomponents('vtodo')]
      .map((c) => {
        const rid = c.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;
        return rid ? `${c.getFirstPropertyValue('uid')}@${rid.convertToZone(ICAL.Timezone.utcTimezone).toICALString()}` : String(c.getFirstPropertyValue('uid'));
      })
      .sort();
  };

  it('deleteevents_by_range deletes the events wholly inside, keeps one reaching out of the range and the tasks', async () => {
    await put('in', ics(vevent('in', '20270310T090000Z', '20270310T100000Z')));
    await put('edge', ics(vevent('edge', '20270331T230000Z', '20270401T010000Z')));
    await put('task', ics(vtodo('task', '20270315T090000Z')));
    const answer = await del('deleteevents_by_range', `calid=${calid}&dtstart=20270301T000000Z&dtend=20270401T000000Z`);
    expect(answer.errno).toBe(0);
    expect(await stored('in')).toBeNull();
    expect(await stored('edge')).not.toBeNull();
    expect(await stored('task')).not.toBeNull();
    expect(await deletions()).toEqual(['in']);
  });

  it('open ends with 0: deletecomponents_by_range with dtstart=0&dtend=0 empties the calendar, deletetodos_by_range only tasks', async () => {
    await put('e1', ics(vevent('e1', '20270310T090000Z', '20270310T100000Z')));
    await put('t1', ics(vtodo('t1', '20270101T090000Z')));
    await put('t2', ics(vtodo('t2', '20280101T090000Z')));
    expect((await del('deletetodos_by_range', `calid=${calid}&dtstart=20270601T000000Z&dtend=0`)).errno).toBe(0);
    expect(await stored('t2')).toBeNull();
    expect(await stored('t1')).not.toBeNull();
    expect(await stored('e1')).not.toBeNull();
    expect((await del('deletecomponents_by_range', `calid=${calid}&dtstart=0&dtend=0`)).errno).toBe(0);
    expect(await stored('t1')).toBeNull();
    expect(await stored('e1')).toBeNull();
    expect(await deletions()).toEqual(['e1', 't1', 't2']);
  });

  it('a series partly in the range loses only those instances (EXDATEs, override removed); one wholly inside goes', async () => {
    const weekly = ics(
      vevent('weekly', '20270301T090000Z', '20270301T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=6'),
      ['BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID:20270315T090000Z', 'DTSTART:20270315T120000Z', 'DTEND:20270315T130000Z', 'SUMMARY:moved', 'END:VEVENT'],
    );
    await put('weekly', weekly);
    await put('short', ics(vevent('short', '20270316T090000Z', '20270316T100000Z', 'RRULE:FREQ=DAILY;COUNT=3')));
    const answer = await del('deleteevents_by_range', `calid=${calid}&dtstart=20270308T000000Z&dtend=20270322T000000Z`, 'text%2Fxml');
    expect(answer.errno).toBe(0);
    expect(await stored('short')).toBeNull();
    const left = (await stored('weekly'))!;
    const events = left.getAllSubcomponents('vevent');
    expect(events).toHaveLength(1);
    const exdates = events[0]!.getAllProperties('exdate').flatMap((p) => p.getValues() as ICAL.Time[]).map((t) => t.toICALString());
    expect(exdates.sort()).toEqual(['20270308T090000Z', '20270315T090000Z']);
    expect(events[0]!.getFirstPropertyValue('rrule')!.toString()).toContain('COUNT=6');
    expect(await deletions()).toEqual(['short', 'weekly@20270308T090000Z', 'weekly@20270315T090000Z']);
  });

  it('an open start cuts the leading instances of an endless series; the series goes on after the range', async () => {
    await put('daily', ics(vevent('daily', '20270101T090000Z', '20270101T100000Z', 'RRULE:FREQ=DAILY')));
    expect((await del('deleteevents_by_range', `calid=${calid}&dtstart=0&dtend=20270201T000000Z`)).errno).toBe(0);
    const master = (await stored('daily'))!.getFirstSubcomponent('vevent')!;
    expect((master.getFirstPropertyValue('dtstart') as ICAL.Time).toICALString()).toBe('20270201T090000Z');
    expect(master.hasProperty('exdate')).toBe(false);
  });

  it('several calids: each calendar answers its own errno; one of another user is 28 and the others are still done', async () => {
    const second = await newCalendar();
    await put('a', ics(vevent('a', '20270310T090000Z', '20270310T100000Z')));
    await put('b', ics(vevent('b', '20270310T090000Z', '20270310T100000Z')), second.path);
    for (const fmt of ['text%2Fcalendar', 'text%2Fxml']) {
      const answer = await del('deleteevents_by_range', `calid=${calid};${OTHER};${second.calid};${USER}:nosuch${randomUUID().slice(0, 6)}&dtstart=20270301T000000Z&dtend=20270401T000000Z`, fmt);
      const errnos =
        fmt === 'text%2Fxml'
          ? elementsByTagName(answer.xml!, 'X-NSCP-WCAP-ERRNO').map((e) => Number(textContent(e)))
          : answer.body.split('\r\n').filter((l) => l.startsWith('X-NSCP-WCAP-ERRNO:')).map((l) => Number(l.split(':')[1]));
      expect(errnos).toEqual([0, 28, 0, 29]);
    }
    expect(await stored('a')).toBeNull();
    expect(await stored('b', second.path)).toBeNull();
    expect(await deletions(second.calid)).toEqual(['b']);
  });

  it('more items than WCAP_RANGE_DELETE_MAX_ITEMS: refused with its errno and a message, nothing deleted', async () => {
    for (let i = 0; i < 6; i++) await put(`m${i}`, ics(vevent(`m${i}`, `2027031${i}T090000Z`, `2027031${i}T100000Z`)));
    const answer = await del('deletecomponents_by_range', `calid=${calid}&dtstart=20270301T000000Z&dtend=20270401T000000Z`);
    expect(answer.errno).toBe(21);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message')).toMatch(/6 items .* more than 5 .*nothing was deleted/);
    for (let i = 0; i < 6; i++) expect(await stored(`m${i}`)).not.toBeNull();
    expect(await deletions()).toEqual([]);
  });

  it('dtend before dtstart and an unknown tzid are refused with the command errno before any CalDAV request', async () => {
    const before = h.caldavRequests.length;
    expect((await del('deletetodos_by_range', `calid=${calid}&dtstart=20270401T000000Z&dtend=20270301T000000Z`)).errno).toBe(23);
    expect((await del('deleteevents_by_range', `calid=${calid}&dtstart=20270301T000000&dtend=0&tzid=Mars%2FOlympus`)).errno).toBe(22);
    expect(h.caldavRequests.length).toBe(before);
  });
});
