import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enc, startHarness, xmlValue, type Harness, type WcapAnswer } from '../support/gateway-harness.js';
import { childElements, parseXml } from '../support/parse-xml.js';

/**
 * Subscriptions and preferences against the real Radicale and Redis: jdoe may read team's
 * calendars (SHARING_RIGHTS in test/support/services.ts) and nobody else's. What lands on the
 * server is read back with a raw PROPFIND of jdoe's home. Every test starts from a home without
 * gateway settings.
 */
const NS = 'urn:wcap-gateway:properties';
const XML = 'fmt-out=text%2Fxml';
const ICS = 'fmt-out=text%2Fcalendar';

/** The gateway's dead properties of jdoe's home, as Radicale returns them. */
async function storedSettings(h: Harness): Promise<{ subscriptions?: unknown; preferences?: unknown }> {
  const body = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:G="${NS}"><D:prop><G:subscribed-calendars/><G:user-preferences/></D:prop></D:propfind>`;
  const res = await h.radicale('jdoe', '/jdoe/', { method: 'PROPFIND', headers: { Depth: '0' }, body });
  expect(res.status).toBe(207);
  const text = await res.text();
  const value = (name: string) => {
    const match = new RegExp(`<[^>]*:?${name}>([^<]*)</`).exec(text);
    return match ? (JSON.parse(match[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<')) as unknown) : undefined;
  };
  const result: { subscriptions?: unknown; preferences?: unknown } = {};
  if (value('subscribed-calendars') !== undefined) result.subscriptions = value('subscribed-calendars');
  if (value('user-preferences') !== undefined) result.preferences = value('user-preferences');
  return result;
}

async function clearSettings(h: Harness): Promise<void> {
  const body = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:G="${NS}"><D:remove><D:prop><G:subscribed-calendars/><G:user-preferences/></D:prop></D:remove></D:propertyupdate>`;
  const res = await h.radicale('jdoe', '/jdoe/', { method: 'PROPPATCH', body });
  expect(res.status).toBe(207);
}

/** A calendar made directly on Radicale, named like its collection. */
async function ensureCalendar(h: Harness, user: string, name: string): Promise<void> {
  const body = `<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${name}</D:displayname></D:prop></D:set></C:mkcalendar>`;
  const res = await h.radicale(user, `/${user}/${name}/`, { method: 'MKCALENDAR', body });
  expect([201, 405, 409]).toContain(res.status);
}

const blocks = (answer: WcapAnswer) =>
  childElements(parseXml(answer.body).root, 'iCal').map((b) => [xmlValue(b, 'X-NSCP-CALPROPS-RELATIVE-CALID'), Number(xmlValue(b, 'X-NSCP-WCAP-ERRNO'))]);
const pref = (answer: WcapAnswer, name: string) => answer.ical?.getFirstPropertyValue(`x-nscp-wcap-pref-${name.toLowerCase()}`);
/** jdoe's own calendars, as list answers them (other tests may add some). */
async function owned(h: Harness, id: string): Promise<string[]> {
  const answer = await h.wcap('list', `id=${id}&${ICS}`);
  return answer.ical!.getAllProperties('x-s1cs-calprops-owned-calendar').map((p) => String(p.getFirstValue()));
}
/** icsSubscribed's `calid$name`: own calendars carry their name (the collection's), others none. */
const entries = (calids: string[]) => calids.map((calid) => `${calid}$${calid === 'jdoe' ? 'jdoe' : calid.startsWith('jdoe:') ? calid.slice(5) : ''}`).join(',');
const subscribed = (answer: WcapAnswer) => answer.ical!.getAllProperties('x-s1cs-calprops-subscribed-calendar').map((p) => p.getFirstValue());

describe('subscriptions and preferences on the CalDAV server', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.login('team');
    await ensureCalendar(h, 'team', 'cal');
    id = await h.login('jdoe');
  });
  beforeEach(() => clearSettings(h));
  afterAll(() => h.close());

  it("subscribes to a colleague's calendar the server shares, in text/xml, and stores the list on jdoe's home", async () => {
    const own = await owned(h, id);
    expect(own[0]).toBe('jdoe');
    const before = await h.wcap('list_subscribed', `id=${id}&${ICS}`);
    expect(subscribed(before)).toEqual(own);
    const answer = await h.wcap('subscribe_calendars', `id=${id}&calid=${enc('team:cal')}&${XML}`);
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(blocks(answer)).toEqual([['team:cal', 0]]);
    expect(await storedSettings(h)).toEqual({ subscriptions: [...own, 'team:cal'] });
    expect(subscribed(await h.wcap('list_subscribed', `id=${id}&${ICS}`))).toEqual([...own, 'team:cal']);
    const xml = await h.wcap('list_subscribed', `id=${id}&${XML}`);
    expect(xml.errno).toBe(0);
    expect(childElements(childElements(xml.xml!, 'iCal')[0]!, 'X-S1CS-CALPROPS-SUBSCRIBED-CALENDAR').length).toBe(own.length + 1);
    expect(pref(await h.wcap('get_userprefs', `id=${id}&${ICS}`), 'icsSubscribed')).toBe(entries([...own, 'team:cal']));
    // Subscribing again changes nothing, and a mailto: address names the same calendar as the calid.
    expect(blocks(await h.wcap('subscribe_calendars', `id=${id}&calid=${enc('team:cal')};${enc('mailto:team@example.com')}&${XML}`))).toEqual([
      ['team:cal', 0],
      ['mailto:team@example.com', 0],
    ]);
    expect(await storedSettings(h)).toEqual({ subscriptions: [...own, 'team:cal', 'team'] });
  });

  it('answers 28 and 29 per calendar, subscribes the rest, and 73 / 76 for the request', async () => {
    const answer = await h.wcap('subscribe_calendars', `id=${id}&calid=team:cal;alice;team:nosuch;${enc('../x')}&${XML}`);
    expect(blocks(answer)).toEqual([
      ['team:cal', 0],
      ['alice', 28],
      ['team:nosuch', 29],
      ['../x', 29],
    ]);
    expect(await storedSettings(h)).toEqual({ subscriptions: [...(await owned(h, id)), 'team:cal'] });
    const single = await h.wcap('subscribe_calendars', `id=${id}&calid=alice&${ICS}`);
    expect(single.errno).toBe(28);
    expect(single.ical?.getFirstPropertyValue('x-nscp-wcap-errno-message')).toMatch(/does not let this user read/);
    expect((await h.wcap('subscribe_calendars', `id=${id}&${XML}`)).errno).toBe(73);
    expect((await h.wcap('unsubscribe_calendars', `id=${id}&calid=&${ICS}`)).errno).toBe(74);
    expect((await h.wcap('subscribe_calendars', `id=${id}&calid=team:cal&userid=alice&${ICS}`)).errno).toBe(76);
    expect((await h.wcap('list', `id=${id}&userid=alice&${ICS}`)).errno).toBe(76);
    expect((await h.wcap('subscribe_calendars', `id=nosuchsession&calid=team:cal&${XML}`)).errno).toBe(1);
  });

  it('unsubscribes, also from a calendar deleted on the server meanwhile', async () => {
    await ensureCalendar(h, 'team', 'gone');
    expect(blocks(await h.wcap('subscribe_calendars', `id=${id}&calid=team:cal;team:gone&${XML}`))).toEqual([
      ['team:cal', 0],
      ['team:gone', 0],
    ]);
    expect((await h.radicale('team', '/team/gone/', { method: 'DELETE' })).status).toBe(200);
    const answer = await h.wcap('unsubscribe_calendars', `id=${id}&calid=team:gone;team:nosuch;alice&${XML}`);
    expect(blocks(answer)).toEqual([
      ['team:gone', 0],
      ['team:nosuch', 29],
      ['alice', 28],
    ]);
    const own = await owned(h, id);
    expect(await storedSettings(h)).toEqual({ subscriptions: [...own, 'team:cal'] });
    expect(subscribed(await h.wcap('list_subscribed', `id=${id}&${ICS}`))).toEqual([...own, 'team:cal']);
  });

  it('list names the calendars of the own home', async () => {
    await ensureCalendar(h, 'jdoe', 'work');
    const answer = await h.wcap('list', `id=${id}&${ICS}`);
    expect(answer.errno).toBe(0);
    expect(answer.ical!.getAllProperties('x-s1cs-calprops-owned-calendar').map((p) => p.getFirstValue())).toEqual(['jdoe', 'jdoe:work']);
    const xml = await h.wcap('list', `id=${id}&${XML}`);
    expect(xml.errno).toBe(0);
    expect(childElements(childElements(xml.xml!, 'iCal')[0]!, 'X-S1CS-CALPROPS-OWNED-CALENDAR').map((e) => e.children.join(''))).toEqual(['jdoe', 'jdoe:work']);
  });

  it('set_userprefs stores what a user may set, refuses the rest with 44 or 26 and writes nothing then', async () => {
    const set = await h.wcap('set_userprefs', `id=${id}&set_attrs=${enc('ceBgcolor=black')};${enc('ceDefaultAlarmStart=PT30M')}&add_attrs=${enc('ceColorSet=a')}&${ICS}`);
    expect(set.errno).toBe(0);
    expect(pref(set, 'ceBgcolor')).toBe('black');
    expect(await storedSettings(h)).toEqual({ preferences: { ceBgcolor: ['black'], ceDefaultAlarmStart: ['PT30M'], ceColorSet: ['a'] } });
    const added = await h.wcap('set_userprefs', `id=${id}&add_attrs=${enc('ceColorSet=b')}&del_attrs=ceBgcolor&${ICS}`);
    expect(pref(added, 'ceColorSet')).toBe('a,b');
    expect(pref(added, 'ceBgcolor')).toBeNull();
    const read = await h.wcap('get_userprefs', `id=${id}&${ICS}`);
    expect(pref(read, 'ceDefaultAlarmStart')).toBe('PT30M');
    expect(pref(read, 'ceColorSet')).toBe('a,b');

    const stored = await storedSettings(h);
    const refused = await h.wcap('set_userprefs', `id=${id}&set_attrs=${enc('ceBgcolor=red')};${enc('mail=evil@example.org')}&${ICS}`);
    expect(refused.errno).toBe(44);
    expect(refused.ical?.getFirstPropertyValue('x-nscp-wcap-errno-message')).toMatch(/mail cannot be set/);
    expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=${enc('icsSubscribed=alice$')}&${XML}`)).errno).toBe(44);
    expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=ceBgcolor&${ICS}`)).errno).toBe(26);
    expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=${enc('ceDefaultAlarmStart=soon')}&${ICS}`)).errno).toBe(26);
    expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=${enc(`ceX=${'y'.repeat(1025)}`)}&${ICS}`)).errno).toBe(26);
    const many = Array.from({ length: 101 }, (_, i) => enc(`ce${i}=v`)).join(';');
    expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=${many}&${ICS}`)).errno).toBe(26);
    expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=ceA=1&userid=alice&${ICS}`)).errno).toBe(44);
    expect(await storedSettings(h)).toEqual(stored);
  });
});

describe('settings survive a restart, need no Redis, and show on another replica at once', () => {
  it('a second replica and a memory-only gateway read what the first wrote', async () => {
    const first = await startHarness();
    const second = await startHarness();
    let own: string[] = [];
    try {
      await first.login('team');
      await ensureCalendar(first, 'team', 'cal');
      await clearSettings(first);
      const id = await first.login('jdoe');
      own = await owned(first, id);
      expect((await first.wcap('subscribe_calendars', `id=${id}&calid=team:cal&${ICS}`)).errno).toBe(0);
      // The same session on the other replica (shared Redis) sees the change without delay.
      expect(subscribed(await second.wcap('list_subscribed', `id=${id}&${ICS}`))).toEqual([...own, 'team:cal']);
      expect((await second.wcap('set_userprefs', `id=${id}&set_attrs=${enc('ceFontFace=serif')}&${ICS}`)).errno).toBe(0);
      const xml = await first.wcap('get_userprefs', `id=${id}&${XML}`);
      expect(xml.xml && xmlValue(xml.xml, 'X-NSCP-WCAP-PREF-ceFontFace')).toBe('serif');
      expect(xml.xml && xmlValue(xml.xml, 'X-NSCP-WCAP-PREF-icsSubscribed')).toBe(entries([...own, 'team:cal']));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    // A restarted gateway without Redis (memory state): a new session, the same settings.
    const restarted = await startHarness({ WCAP_REDIS_URL: '' });
    try {
      const id = await restarted.login('jdoe');
      const prefs = await restarted.wcap('get_userprefs', `id=${id}&${ICS}`);
      expect(pref(prefs, 'ceFontFace')).toBe('serif');
      expect(pref(prefs, 'icsSubscribed')).toBe(entries([...own, 'team:cal']));
      expect(restarted.caldavRequests.filter((r) => r.method === 'PROPPATCH')).toEqual([]);
      await clearSettings(restarted);
    } finally {
      await restarted.close();
    }
  });
});
