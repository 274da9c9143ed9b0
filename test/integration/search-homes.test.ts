import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, xmlValue, type Harness, type WcapAnswer } from '../support/gateway-harness.js';
import { childElements, parseXml } from '../support/parse-xml.js';

/**
 * search_calprops over every calendar the CalDAV server lets the user find: Radicale's rights file
 * lets jdoe see team's home and read its calendars (SHARING_RIGHTS in test/support/services.ts);
 * alice sees only her own.
 */
const XML = 'fmt-out=text%2Fxml';

async function ensureCalendar(h: Harness, user: string, name: string, displayName: string): Promise<void> {
  const body = `<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${displayName}</D:displayname></D:prop></D:set></C:mkcalendar>`;
  const res = await h.radicale(user, `/${user}/${name}/`, { method: 'MKCALENDAR', body });
  expect([201, 405, 409]).toContain(res.status);
}

const found = (answer: WcapAnswer) =>
  childElements(parseXml(answer.body).root, 'iCal')
    .map((b) => xmlValue(b, 'X-NSCP-CALPROPS-RELATIVE-CALID'))
    .filter((calid): calid is string => calid !== undefined);

describe('search_calprops across the homes Radicale shares', () => {
  let h: Harness;
  let jdoe: string;
  let alice: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.login('team');
    await ensureCalendar(h, 'team', 'cal', 'cal');
    await ensureCalendar(h, 'team', 'board', 'Project Board');
    jdoe = await h.login('jdoe');
    alice = await h.login('alice');
  });
  afterAll(() => h.close());

  const search = (id: string, text: string, options: string) => h.wcap('search_calprops', `id=${id}&search-string=${enc(text)}&${options}&${XML}`);

  it('finds team:cal for jdoe, who may read it, and nothing of team for alice', async () => {
    const answer = await search(jdoe, 'team', 'calid=1&name=1&primaryOwner=1&searchOpts=0&maxResults=50');
    expect(answer.errno).toBe(0);
    expect(found(answer)).toEqual(expect.arrayContaining(['team:cal', 'team:board', 'team']));
    const block = childElements(parseXml(answer.body).root, 'iCal').find((b) => xmlValue(b, 'X-NSCP-CALPROPS-RELATIVE-CALID') === 'team:board')!;
    expect(xmlValue(block, 'X-NSCP-CALPROPS-NAME')).toBe('Project Board');
    expect(xmlValue(block, 'X-NSCP-CALPROPS-PRIMARY-OWNER')).toBe('team');
    // (alice's own calendars may have "team" in their names: other test files make some.)
    const none = await search(alice, 'team', 'calid=1&name=1&primaryOwner=1&searchOpts=0');
    expect(none.errno).toBe(0);
    expect(found(none).filter((calid) => calid === 'team' || calid.startsWith('team:'))).toEqual([]);
    expect(found(await search(alice, 'team', 'primaryOwner=1&searchOpts=3'))).toEqual([]);
    // Only PROPFINDs: no calendar's contents are read for a search.
    expect(new Set(h.caldavRequests.map((r) => r.method))).not.toContain('REPORT');
  });

  it('honours the four searchOpts, the fields searched and maxResults', async () => {
    expect(found(await search(jdoe, 'team:c', 'calid=1&searchOpts=1'))).toEqual(['team:cal']);
    expect(found(await search(jdoe, 'm:cal', 'calid=1&searchOpts=2'))).toEqual(['team:cal']);
    expect(found(await search(jdoe, 'TEAM:CAL', 'calid=1&searchOpts=3'))).toEqual(['team:cal']);
    expect(found(await search(jdoe, 'team:ca', 'calid=1&searchOpts=3'))).toEqual([]);
    expect(found(await search(jdoe, 'project', 'name=1&searchOpts=0'))).toEqual(['team:board']);
    expect(found(await search(jdoe, 'project', 'calid=1&searchOpts=0'))).toEqual([]);
    expect(found(await search(jdoe, 'team', 'primaryOwner=1&searchOpts=3')).sort()).toEqual(['team', 'team:board', 'team:cal']);
    expect(found(await search(jdoe, 'team', 'primaryOwner=1&searchOpts=3&maxResults=1'))).toHaveLength(1);
    // The text/calendar form carries the same calendars.
    const ics = await h.wcap('search_calprops', `id=${jdoe}&search-string=board&name=1&fmt-out=text%2Fcalendar`);
    expect(ics.errno).toBe(0);
    expect(ics.body).toContain('X-NSCP-CALPROPS-RELATIVE-CALID:team:board');
  });

  it('finds a calendar shared without its home once it is subscribed', async () => {
    const carol = await h.login('carol');
    await ensureCalendar(h, 'carol', 'shared', 'Carol Shared');
    const clear = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:G="urn:wcap-gateway:properties"><D:remove><D:prop><G:subscribed-calendars/></D:prop></D:remove></D:propertyupdate>`;
    expect((await h.radicale('jdoe', '/jdoe/', { method: 'PROPPATCH', body: clear })).status).toBe(207);
    expect(found(await search(jdoe, 'carol', 'name=1&primaryOwner=1'))).toEqual([]);
    expect((await h.wcap('subscribe_calendars', `id=${jdoe}&calid=carol:shared&${XML}`)).errno).toBe(0);
    expect(found(await search(jdoe, 'carol', 'name=1&primaryOwner=1'))).toEqual(['carol:shared']);
    // carol's other calendars stay hidden from jdoe, and carol's own search is unchanged.
    expect(found(await search(jdoe, 'carol', 'primaryOwner=1&searchOpts=3'))).toEqual(['carol:shared']);
    expect(found(await search(carol, 'carol:shared', 'calid=1&searchOpts=3'))).toEqual(['carol:shared']);
    expect((await h.radicale('jdoe', '/jdoe/', { method: 'PROPPATCH', body: clear })).status).toBe(207);
  });

  it('answers 19 for an empty search string', async () => {
    expect((await search(jdoe, ' ', 'calid=1')).errno).toBe(19);
  });
});
