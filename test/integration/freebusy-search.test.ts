import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vtimezone } from '../../src/mapping/timezones.js';
import { enc, startHarness, xmlValue, type Harness } from '../support/gateway-harness.js';
import { childElements, elementsByTagName, parseXml, textContent, type ParsedElement } from '../support/parse-xml.js';

/**
 * get_freebusy and search_calprops over HTTP against the real Radicale, as Lightning sends them
 * (docs/lightning.md#free-busy, docs/lightning.md#calendar-search). User bob; data in November
 * 2032, written straight to Radicale.
 */
const USER = 'bob';

describe('get_freebusy and search_calprops against Radicale', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
    const event = (...lines: string[]) => ['BEGIN:VEVENT', `UID:${randomUUID()}`, 'DTSTAMP:20320101T000000Z', ...lines, 'END:VEVENT'];
    // A weekly Monday 09:00–10:00 Berlin meeting across the end of summer time (31 October 2032),
    // a tentative event, a transparent one, and an invitation bob declined.
    const items = [
      event('DTSTART;TZID=Europe/Berlin:20321025T090000', 'DTEND;TZID=Europe/Berlin:20321025T100000', 'RRULE:FREQ=WEEKLY;COUNT=2', 'SUMMARY:Weekly'),
      event('DTSTART:20321026T120000Z', 'DTEND:20321026T130000Z', 'STATUS:TENTATIVE', 'SUMMARY:Maybe'),
      event('DTSTART:20321026T140000Z', 'DTEND:20321026T150000Z', 'TRANSP:TRANSPARENT', 'SUMMARY:Reminder'),
      event('DTSTART:20321027T090000Z', 'DTEND:20321027T100000Z', 'SUMMARY:Declined', 'ORGANIZER:mailto:carol@partner.org',
        'ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com'),
    ];
    for (const lines of items) {
      const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other client//EN', ...vtimezone('Europe/Berlin')!.toString().split('\r\n'), ...lines, 'END:VCALENDAR'].join('\r\n');
      const uid = lines[1]!.slice(4);
      const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => h.close());

  const RANGE = 'dtstart=20321025T000000Z&dtend=20321102T000000Z';
  const icals = (body: string) => childElements(parseXml(body).root, 'iCal');
  const fbs = (ical: ParsedElement) => elementsByTagName(ical, 'FB').map((fb) => [fb.attributes.FBTYPE, textContent(fb)]);

  it('one block per calid: own calendar with its periods, a foreign calendar 28, another domain 29', async () => {
    const calids = [USER, 'alice', 'mailto:someone@elsewhere.org'];
    const answer = await h.wcap('get_freebusy', `appid=mozilla-calendar&id=${id}&calid=${calids.map(enc).join(';')}&busyonly=1&${RANGE}&fmt-out=text%2Fxml`);
    expect(answer.status).toBe(200);
    const blocks = icals(answer.body);
    expect(blocks.map((b) => [xmlValue(b, 'X-NSCP-CALPROPS-RELATIVE-CALID'), Number(xmlValue(b, 'X-NSCP-WCAP-ERRNO'))])).toEqual([
      [USER, 0],
      ['alice', 28],
      ['mailto:someone@elsewhere.org', 29],
    ]);
    // 09:00 Berlin is 07:00Z in summer time and 08:00Z after 31 October; the transparent event and
    // the declined invitation take no time; the tentative one is BUSY-TENTATIVE.
    expect(fbs(blocks[0]!)).toEqual([
      ['BUSY', '20321025T070000Z/20321025T080000Z'],
      ['BUSY-TENTATIVE', '20321026T120000Z/20321026T130000Z'],
      ['BUSY', '20321101T080000Z/20321101T090000Z'],
    ]);
    expect(fbs(blocks[1]!)).toEqual([]);
    expect(fbs(blocks[2]!)).toEqual([]);
  });

  it('busyonly=0 in text/calendar: one VCALENDAR per calid, one FREEBUSY line per period, FREE gaps included', async () => {
    const answer = await h.wcap('get_freebusy', `id=${id}&calid=${USER};${enc('mailto:bob@example.com')}&busyonly=0&dtstart=20321026T000000Z&dtend=20321027T000000Z&fmt-out=text%2Fcalendar`);
    const calendars = (ICAL.parse(answer.body) as unknown[][]).map((jcal) => new ICAL.Component(jcal));
    expect(calendars).toHaveLength(2);
    for (const calendar of calendars) {
      expect(calendar.getFirstPropertyValue('x-nscp-wcap-errno')).toBe('0');
      const freebusy = calendar.getFirstSubcomponent('vfreebusy')!;
      const lines = freebusy.getAllProperties('freebusy').map((p) => p.toICALString());
      expect(lines).toEqual([
        'FREEBUSY;FBTYPE=FREE:20321026T000000Z/20321026T120000Z',
        'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20321026T120000Z/20321026T130000Z',
        'FREEBUSY;FBTYPE=FREE:20321026T130000Z/20321027T000000Z',
      ]);
    }
  });

  describe('search_calprops', () => {
    const name = `search${randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      const body =
        '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
        `<D:set><D:prop><D:displayname>Team Plans ${name.toUpperCase()}</D:displayname></D:prop></D:set></C:mkcalendar>`;
      const res = await h.radicale(USER, `/${USER}/${name}/`, { method: 'MKCALENDAR', body, headers: { 'Content-Type': 'application/xml' } });
      expect(res.status).toBe(201);
    });
    // Exactly Lightning's request (docs/lightning.md#calendar-search).
    const search = (text: string, searchOpts: 0 | 3, maxResults?: number) =>
      h.wcap(
        'search_calprops',
        `appid=mozilla-calendar&id=${id}&fmt-out=text%2Fxml&search-string=${enc(text)}${maxResults ? `&maxResults=${maxResults}` : ''}&name=1&calid=1&primaryOwner=1&searchOpts=${searchOpts}`,
      );
    const found = (body: string) => icals(body).map((b) => [xmlValue(b, 'X-NSCP-CALPROPS-RELATIVE-CALID'), xmlValue(b, 'X-NSCP-WCAP-ERRNO')]);

    it('exact (searchOpts=3) on the calid: exactly that calendar, with its properties', async () => {
      const answer = await search(`${USER}:${name}`, 3, 20);
      expect(answer.errno).toBe(0);
      expect(found(answer.body)).toEqual([[`${USER}:${name}`, '0']]);
      const block = icals(answer.body)[0]!;
      expect(xmlValue(block, 'X-NSCP-CALPROPS-NAME')).toBe(`Team Plans ${name.toUpperCase()}`);
      expect(xmlValue(block, 'X-NSCP-CALPROPS-PRIMARY-OWNER')).toBe(USER);
    });

    it('exact on the user name: every calendar bob owns (primaryOwner=1), the default first with RELATIVE-CALID = the user', async () => {
      const all = found((await search(USER, 3)).body);
      expect(all[0]).toEqual([USER, '0']);
      expect(all).toContainEqual([`${USER}:${name}`, '0']);
    });

    it('contains (searchOpts=0), case-insensitive, on the display name', async () => {
      expect(found((await search(`plans ${name.slice(0, 10)}`, 0)).body)).toEqual([[`${USER}:${name}`, '0']]);
      // Every calendar of bob's contains "bob" in its calid and owner: the default comes first.
      const all = found((await search('BO', 0)).body);
      expect(all[0]).toEqual([USER, '0']);
      expect(all).toContainEqual([`${USER}:${name}`, '0']);
    });

    it('no match: one block without a calendar and errno 0; an empty search string: errno 19', async () => {
      const none = await search(`no-such-${name}`, 0);
      expect(none.errno).toBe(0);
      expect(found(none.body)).toEqual([[undefined, '0']]);
      expect((await search('  ', 0)).errno).toBe(19);
    });

    it("another user's calendar is not found (Radicale shows only the user's own home)", async () => {
      expect(found((await search('alice', 3)).body)).toEqual([[undefined, '0']]);
    });
  });
});
