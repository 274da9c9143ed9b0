import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALDAV_NS, DAV_NS, clark, parseMultistatus, propText, type DavResponse } from '../../src/backend/multistatus.js';
import { childrenOf } from '../../src/backend/xml-reader.js';
import { closeRedis, createRedis, waitUntilReady } from '../../src/state/redis/connection.js';
import { RedisSnapshotStore } from '../../src/state/redis/snapshot-store.js';
import { enc, startHarness, xmlValue, type Harness, type WcapAnswer } from '../support/gateway-harness.js';
import { elementsByTagName, textContent } from '../support/parse-xml.js';

/**
 * createcalendar, set_calprops, get_calprops and deletecalendar on Radicale and Redis, everything
 * read back from Radicale directly. quinn creates calendars (a fresh name per test); ravi is the
 * other user. Radicale 3.1.8 has no WebDAV ACL, so `acl` must fail without changing anything.
 */
const USER = 'quinn';
const OTHER = 'ravi';
const GATEWAY_NS = 'urn:wcap-gateway:properties';
const PROPS = ['D:displayname', 'C:calendar-description', 'C:calendar-timezone', 'C:supported-calendar-component-set']
  .concat(['categories', 'owners', 'allow-double-booking', 'freebusy-include', 'language', 'charset', 'calmaster'].map((n) => `W:${n}`));

let a: Harness;
let session: string;

beforeAll(async () => {
  a = await startHarness();
  session = await a.login(USER);
});
afterAll(async () => {
  await a.close();
});

const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const call = (h: Harness, id: string, command: string, query: string, fmt = 'text/calendar') => h.wcap(command, `id=${id}&fmt-out=${enc(fmt)}&${query}`);
const values = (answer: WcapAnswer, name: string): string[] =>
  answer.ical
    ? answer.ical.getAllProperties(name.toLowerCase()).map((p) => p.toICALString().slice(p.toICALString().indexOf(':') + 1))
    : elementsByTagName(answer.xml!, name).map((e) => textContent(e));
const message = (answer: WcapAnswer) => values(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')[0] ?? '';

/** Depth 0 PROPFIND straight to Radicale as the owner; null on 404. */
async function onServer(name: string, user = USER): Promise<DavResponse | null> {
  const body =
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:W="urn:wcap-gateway:properties"><D:prop>' +
    PROPS.map((p) => `<${p}/>`).join('') +
    '</D:prop></D:propfind>';
  const res = await a.radicale(user, `/${USER}/${name}/`, { method: 'PROPFIND', body, headers: { Depth: '0', 'Content-Type': 'application/xml' } });
  if (res.status === 404) return null;
  expect(res.status).toBe(207);
  return parseMultistatus(await res.text())[0]!;
}

const dead = (response: DavResponse, name: string) => propText(response, GATEWAY_NS, name);

describe('createcalendar', () => {
  it('6.x form with set_calprops=1: one MKCALENDAR carries every property, read back from Radicale', async () => {
    const name = fresh('team');
    const before = a.caldavRequests.length;
    const answer = await call(
      a,
      session,
      'createcalendar',
      `calid=${name}&set_calprops=1&name=${enc('Team Plan')}&description=${enc('Who is where')}&tzid=Europe%2FBerlin` +
        `&categories=business;work&owners=${OTHER}&doublebooking=0&fbinclude=0&lang=de-CH&charset=UTF-8&master=${enc('mailto:boss@example.com')}`,
    );
    expect(answer.errno).toBe(0);
    expect(values(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toEqual([`${USER}:${name}`]);
    expect(values(answer, 'X-NSCP-CALPROPS-CATEGORIES')).toEqual(['business', 'work']);
    expect(values(answer, 'X-S1CS-CALPROPS-ALLOW-DOUBLEBOOKING')).toEqual(['0']);
    expect(a.caldavRequests.slice(before).map((r) => r.method)).toEqual(['PROPFIND', 'MKCALENDAR', 'PROPFIND']);

    const stored = (await onServer(name))!;
    expect(propText(stored, DAV_NS, 'displayname')).toBe('Team Plan');
    expect(propText(stored, CALDAV_NS, 'calendar-description')).toBe('Who is where');
    expect(propText(stored, CALDAV_NS, 'calendar-timezone')).toContain('TZID:Europe/Berlin');
    const comps = childrenOf(stored.props.get(clark(CALDAV_NS, 'supported-calendar-component-set')), CALDAV_NS, 'comp').map((c) => c.attrs.name);
    expect(comps).toEqual(['VEVENT', 'VTODO']);
    expect(JSON.parse(dead(stored, 'categories')!)).toEqual(['business', 'work']);
    expect(JSON.parse(dead(stored, 'owners')!)).toEqual([OTHER]);
    expect([dead(stored, 'allow-double-booking'), dead(stored, 'freebusy-include')]).toEqual(['0', '0']);
    expect([dead(stored, 'language'), dead(stored, 'charset'), dead(stored, 'calmaster')]).toEqual(['de-CH', 'UTF-8', 'boss@example.com']);
  });

  it('answers 25 for a calendar that exists and leaves it as it was', async () => {
    const name = fresh('twice');
    expect((await call(a, session, 'createcalendar', `calid=${USER}:${name}&name=First`)).errno).toBe(0);
    const again = await call(a, session, 'createcalendar', `calid=${name}&set_calprops=1&name=Second`, 'text/xml');
    expect(again.errno).toBe(25);
    expect(again.contentType).toMatch(/^text\/xml/);
    expect(propText((await onServer(name))!, DAV_NS, 'displayname')).toBe('First');
  });

  it('answers 30 for an illegal calid and 38 for none, without asking the server', async () => {
    const before = a.caldavRequests.length;
    for (const calid of ['.hidden', 'a%2Fb', `${OTHER}:stolen`, 'x'.repeat(65), 'sp%20ace']) {
      const answer = await call(a, session, 'createcalendar', `calid=${calid}`);
      expect([calid, answer.errno]).toEqual([calid, 30]);
    }
    expect((await call(a, session, 'createcalendar', 'set_calprops=1')).errno).toBe(38);
    expect(a.caldavRequests.length).toBe(before);
  });

  it('7.0 form: the calid is built from the name, and a taken one gets a suffix', async () => {
    const title = `Project ${randomUUID().slice(0, 6)}`;
    const first = await call(a, session, 'createcalendar', `name=${enc(title)}&desc=${enc('7.0 style')}&fbinclude=1`, 'text/xml');
    expect(first.errno).toBe(0);
    const calid = xmlValue(first.xml!, 'X-NSCP-CALPROPS-RELATIVE-CALID')!;
    expect(calid).toBe(`${USER}:${title.toLowerCase().replace(' ', '-')}`);
    const second = await call(a, session, 'createcalendar', `name=${enc(title)}`, 'text/xml');
    const other = xmlValue(second.xml!, 'X-NSCP-CALPROPS-RELATIVE-CALID')!;
    expect(other).toMatch(new RegExp(`^${calid}-[0-9a-f]{6}$`));
    const stored = (await onServer(calid.split(':')[1]!))!;
    expect([propText(stored, DAV_NS, 'displayname'), propText(stored, CALDAV_NS, 'calendar-description')]).toEqual([title, '7.0 style']);
  });

  it('acl on Radicale: errno 10, rights are managed on the server, and the calendar is not left behind', async () => {
    const name = fresh('acl');
    const answer = await call(a, session, 'createcalendar', `calid=${name}&acl=${enc(`${OTHER}^a^r^g`)}`);
    expect(answer.errno).toBe(10);
    expect(message(answer)).toContain('managed on the CalDAV server');
    expect(await onServer(name)).toBeNull();
  });

  it('subscribe=1 adds the new calendar to the subscription list kept on the server; deletecalendar takes it off', async () => {
    const name = fresh('sub');
    const calid = `${USER}:${name}`;
    const subscribed = async () => values(await call(a, session, 'list_subscribed', ''), 'X-S1CS-CALPROPS-SUBSCRIBED-CALENDAR');
    expect(await subscribed()).not.toContain(calid);
    expect((await call(a, session, 'createcalendar', `calid=${name}&subscribe=1`)).errno).toBe(0);
    expect(await onServer(name)).not.toBeNull();
    expect(await subscribed()).toContain(calid);
    expect((await call(a, session, 'deletecalendar', `calid=${name}`)).errno).toBe(0);
    expect(await subscribed()).not.toContain(calid);
  });
});

describe('set_calprops and get_calprops', () => {
  it('stores every property on Radicale, so a restarted gateway, one without the Redis state, and a second replica all see them', async () => {
    const name = fresh('props');
    const calid = `${USER}:${name}`;
    expect((await call(a, session, 'createcalendar', `calid=${name}&name=Before`)).errno).toBe(0);
    const b = await startHarness();
    try {
      const bSession = await b.login(USER);
      // b reads the calendar first, so it has the old properties memoed.
      expect(values(await call(b, bSession, 'get_calprops', `calid=${calid}`), 'X-NSCP-CALPROPS-NAME')).toEqual(['Before']);
      const set = await call(a, session, 'set_calprops', `calid=${calid}&name=Renamed&categories=x;y&owners=${OTHER}&doublebooking=0&fbinclude=0&lang=fr&tzid=America%2FNew_York`);
      expect(set.errno).toBe(0);
      const onB = await call(b, bSession, 'get_calprops', `calid=${calid}`, 'text/xml');
      expect(onB.errno).toBe(0);
      for (const [token, expected] of [
        ['X-NSCP-CALPROPS-NAME', ['Renamed']],
        ['X-NSCP-CALPROPS-TZID', ['America/New_York']],
        ['X-NSCP-CALPROPS-CATEGORIES', ['x', 'y']],
        ['X-NSCP-CALPROPS-OWNERS', [OTHER]],
        ['X-NSCP-CALPROPS-LANGUAGE', ['fr']],
        ['X-S1CS-CALPROPS-FB-INCLUDE', ['0']],
        ['X-S1CS-CALPROPS-ALLOW-DOUBLEBOOKING', ['0']],
        ['X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY', ['@@o^a^rsf^g', '@@o^c^wdeic^g']],
      ] as const) {
        expect([token, values(onB, token)]).toEqual([token, expected]);
      }
    } finally {
      await b.close();
    }
    await a.close();
    // Restarted, and with no Redis at all: nothing but Radicale holds the properties.
    a = await startHarness({ WCAP_REDIS_URL: '' });
    session = await a.login(USER);
    const after = await call(a, session, 'get_calprops', `calid=${calid}`);
    expect(values(after, 'X-NSCP-CALPROPS-NAME')).toEqual(['Renamed']);
    expect(values(after, 'X-NSCP-CALPROPS-CATEGORIES')).toEqual(['x', 'y']);
    await a.close();
    a = await startHarness();
    session = await a.login(USER);
  });

  it('an empty value removes a property; the default calendar says X-S1CS-DEFAULTCALENDAR', async () => {
    const name = fresh('clear');
    await call(a, session, 'createcalendar', `calid=${name}&set_calprops=1&categories=a;b&description=Text`);
    expect((await call(a, session, 'set_calprops', `calid=${USER}:${name}&categories=&description=`)).errno).toBe(0);
    const stored = (await onServer(name))!;
    expect([dead(stored, 'categories'), propText(stored, CALDAV_NS, 'calendar-description')]).toEqual([undefined, undefined]);
    const own = await call(a, session, 'get_calprops', `calid=${USER};${USER}:${name}`, 'text/xml');
    const blocks = elementsByTagName(own.xml!, 'iCal');
    expect(blocks.map((block) => elementsByTagName(block, 'X-S1CS-DEFAULTCALENDAR').map(textContent))).toEqual([['1'], []]);
  });

  it('fbinclude=0 takes the calendar out of free/busy, fbinclude=1 puts it back', async () => {
    const name = fresh('fb');
    const calid = `${USER}:${name}`;
    await call(a, session, 'createcalendar', `calid=${name}`);
    expect((await call(a, session, 'storeevents', `calid=${calid}&uid=${fresh('busy')}&summary=b&dtstart=20300301T100000Z&dtend=20300301T110000Z`)).errno).toBe(0);
    const busy = async () => {
      const answer = await call(a, session, 'get_freebusy', `calid=${calid}&dtstart=20300301T000000Z&dtend=20300302T000000Z`);
      expect(answer.errno).toBe(0);
      return answer.ical!.getFirstSubcomponent('vfreebusy')!.getAllProperties('freebusy').length;
    };
    expect(await busy()).toBe(1);
    expect((await call(a, session, 'set_calprops', `calid=${calid}&fbinclude=0`)).errno).toBe(0);
    expect(await busy()).toBe(0);
    expect((await call(a, session, 'set_calprops', `calid=${calid}&fbinclude=1`)).errno).toBe(0);
    expect(await busy()).toBe(1);
  });

  it('acl on Radicale fails with errno 8 and changes nothing, not even the other properties sent with it', async () => {
    const name = fresh('noacl');
    await call(a, session, 'createcalendar', `calid=${name}&name=Kept`);
    const answer = await call(a, session, 'set_calprops', `calid=${USER}:${name}&name=Changed&acl=${enc(`${OTHER}^c^wd^g;@^a^r^g`)}`);
    expect(answer.errno).toBe(8);
    expect(message(answer)).toContain('managed on the CalDAV server');
    expect(propText((await onServer(name))!, DAV_NS, 'displayname')).toBe('Kept');
  });

  it('refuses bad values with errno 8 before any request, and names the parameter', async () => {
    const before = a.caldavRequests.length;
    const cases: Array<[string, string]> = [
      [`acl=${enc('bob^x^r^g')}`, 'acl'],
      [`acl=${enc('bob^c^rr^g')}`, 'acl'],
      [`acl=${enc('@@n^a^r^g')}`, 'acl'],
      [`acl=${enc('bob^a^r')}`, 'acl'],
      ['tzid=Mars%2FOlympus', 'tzid'],
      [`categories=${Array.from({ length: 51 }, (_, i) => `c${i}`).join(';')}`, 'categories'],
      ['owners=bad%20user', 'owners'],
      ['doublebooking=2', 'doublebooking'],
      [`name=${'n'.repeat(257)}`, 'name'],
      ['lang=not_a_tag', 'lang'],
      ['master=nobody', 'master'],
      ['read=1', 'read'],
    ];
    for (const [query, parameter] of cases) {
      const answer = await call(a, session, 'set_calprops', `calid=${USER}&${query}`);
      expect([query, answer.errno]).toEqual([query, 8]);
      expect(message(answer)).toContain(parameter);
    }
    expect(a.caldavRequests.length).toBe(before);
  });

  it('29 for a calendar that does not exist, 28 for one of another user', async () => {
    expect((await call(a, session, 'set_calprops', `calid=${USER}:${fresh('none')}&name=x`)).errno).toBe(29);
    expect((await call(a, session, 'set_calprops', `calid=${OTHER}&name=x`)).errno).toBe(28);
  });
});

describe('deletecalendar', () => {
  it('deletes the collection on Radicale and forgets it: the next fetch answers 29', async () => {
    const name = fresh('gone');
    await call(a, session, 'createcalendar', `calid=${name}`);
    const store = await call(a, session, 'storeevents', `calid=${USER}:${name}&uid=${fresh('u')}&dtstart=20300101T100000Z&dtend=20300101T110000Z&summary=x`);
    expect(store.errno).toBe(0);
    // Read twice so that the calendar cache holds a snapshot of it.
    for (let i = 0; i < 2; i++) expect((await call(a, session, 'fetchcomponents_by_range', `calid=${USER}:${name}&dtstart=0&dtend=0`)).errno).toBe(0);
    await a.settled();
    // The replicas' shared snapshot of it, in Redis.
    const redis = createRedis(inject('redisUrl'));
    await waitUntilReady(redis);
    const shared = new RedisSnapshotStore({ redis, clock: { now: () => Date.now() }, maxBytes: 1 << 30 });
    const url = new URL(`/${USER}/${name}/`, inject('radicaleUrl')).href;
    expect(await shared.tag(url)).not.toBeNull();
    const before = a.caldavRequests.length;
    const answer = await call(a, session, 'deletecalendar', `calid=${name}&unsubscribe=1`, 'text/xml');
    expect(answer.errno).toBe(0);
    expect(xmlValue(answer.xml!, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe(`${USER}:${name}`);
    // Check, delete, and the subscription list read (it never held the calendar: no PROPPATCH).
    expect(a.caldavRequests.slice(before).map((r) => r.method)).toEqual(['PROPFIND', 'DELETE', 'PROPFIND']);
    expect(await onServer(name)).toBeNull();
    // Dropped before the answer, not when a later read finds the calendar gone.
    expect(await shared.tag(url)).toBeNull();
    await closeRedis(redis);
    expect((await call(a, session, 'fetchcomponents_by_range', `calid=${USER}:${name}&dtstart=0&dtend=0`)).errno).toBe(29);
    // Another replica, sharing the Redis snapshot store, does not serve the deleted calendar either.
    const b = await startHarness();
    try {
      const onB = await b.login(USER);
      expect((await call(b, onB, 'fetchcomponents_by_range', `calid=${USER}:${name}&dtstart=0&dtend=0`)).errno).toBe(29);
      expect((await call(b, onB, 'get_calprops', `calid=${USER}:${name}`)).errno).toBe(29);
    } finally {
      await b.close();
    }
  });

  it('refuses the default calendar (11), another user’s (28) and a missing one (29)', async () => {
    const before = a.caldavRequests.length;
    for (const calid of [USER, `${USER}:calendar`, `mailto:${USER}@example.com`]) {
      const answer = await call(a, session, 'deletecalendar', `calid=${enc(calid)}`);
      expect([calid, answer.errno]).toEqual([calid, 11]);
      expect(message(answer)).toContain('default calendar');
    }
    expect(a.caldavRequests.length).toBe(before);
    expect((await call(a, session, 'deletecalendar', `calid=${OTHER}:calendar`)).errno).toBe(28);
    expect((await call(a, session, 'deletecalendar', `calid=${fresh('never')}`)).errno).toBe(29);
    expect((await call(a, session, 'deletecalendar', '')).errno).toBe(38);
    expect(await onServer('calendar')).not.toBeNull();
  });
});
