import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enc, type WcapAnswer } from '../support/gateway-harness.js';
import { elementsByTagName, textContent } from '../support/parse-xml.js';
import { grantRead, revokeRead } from '../support/server-access.js';
import { servers, startServerSuite, type ServerSuite } from '../support/server-suite.js';

/**
 * Other users' calendars on every server of test/support/test-servers.ts that has other users:
 * read, free/busy and properties with and without read rights granted directly on the server (no
 * server-specific settings in the gateway), and — on servers that schedule — an invitation and its
 * reply between two users, end to end through the gateway.
 */
const OWNER = 'wendy';
const READER = 'victor';
const STORE_TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';
const withOtherUsers = servers().filter((s) => !s.limits.noOtherUsers);
const scheduling = servers().filter((s) => !s.limits.noScheduling);

const uids = (answer: WcapAnswer) => answer.ical!.getAllSubcomponents('vevent').map((c) => String(c.getFirstPropertyValue('uid')));

describe.each(withOtherUsers.map((s) => [s.name, s] as const))("%s: another user's calendar", (name, server) => {
  let s: ServerSuite;
  let owner: string;
  let reader: string;
  const uid = randomUUID();
  beforeAll(async () => {
    s = await startServerSuite(server);
    [owner, reader] = [await s.login(OWNER), await s.login(READER)];
    const stored = await s.h.wcap('storeevents', `appid=mozilla-calendar&id=${owner}&dtstart=20330510T090000Z&dtend=20330510T100000Z&summary=Board&uid=${uid}&storetype=1&${STORE_TAIL}&calid=${OWNER}`);
    expect(stored.errno).toBe(0);
  });
  afterEach(() => revokeRead(server, OWNER, server.defaultCalendar, READER));
  afterAll(() => s.h.close());

  const fetchAs = (calid: string) =>
    s.h.wcap('fetchcomponents_by_range', `id=${reader}&calid=${enc(calid)}&dtstart=20330510T000000Z&dtend=20330511T000000Z&fmt-out=text%2Fcalendar`);
  const freebusy = async () => {
    const answer = await s.h.wcap('get_freebusy', `id=${reader}&calid=${OWNER}&busyonly=1&dtstart=20330510T000000Z&dtend=20330511T000000Z&fmt-out=text%2Fxml`);
    const block = elementsByTagName(answer.xml!, 'iCal')[0]!;
    const errno = Number(textContent(elementsByTagName(block, 'X-NSCP-WCAP-ERRNO')[0]!));
    return { errno, periods: elementsByTagName(block, 'FB').map((fb) => textContent(fb)) };
  };

  it(`${name}: without read rights: 28 for fetch, free/busy and properties`, async () => {
    expect((await fetchAs(OWNER)).errno).toBe(28);
    expect(await freebusy()).toEqual({ errno: 28, periods: [] });
    expect((await s.h.wcap('get_calprops', `id=${reader}&calid=${OWNER}&fmt-out=text%2Fxml`)).errno).toBe(28);
  });

  it(`${name}: granted on the server: the data under calid, mailto: calid and in free/busy; revoked: 28 again`, async () => {
    await grantRead(server, OWNER, server.defaultCalendar, READER);
    const granted = await fetchAs(OWNER);
    expect(granted.errno).toBe(0);
    expect(uids(granted)).toContain(uid);
    expect(uids(await fetchAs(`mailto:${OWNER}@example.com`))).toContain(uid);
    expect(await freebusy()).toEqual({ errno: 0, periods: ['20330510T090000Z/20330510T100000Z'] });
    expect((await s.h.wcap('get_calprops', `id=${reader}&calid=${OWNER}&fmt-out=text%2Fxml`)).errno).toBe(0);

    await revokeRead(server, OWNER, server.defaultCalendar, READER);
    expect((await fetchAs(OWNER)).errno).toBe(28);
  });

  it(`${name}: set_calprops acl lets the reader in where the server takes WebDAV ACL (read back from the server), else errno 8 and nothing changes`, async () => {
    const setAcl = (acl: string) => s.h.wcap('set_calprops', `id=${owner}&calid=${OWNER}&acl=${enc(acl)}&fmt-out=text%2Fxml`);
    const granted = await setAcl(`${READER}^a^rf^g`);
    if (server.limits.noWebDavAcl) {
      expect(granted.errno).toBe(8);
      expect((await fetchAs(OWNER)).errno).toBe(28);
      return;
    }
    expect(granted.errno).toBe(0);
    // On the server: the calendar's ACL (RFC 3744 §5.5) names the reader, the owner keeps everything.
    const acl = await s.dav(OWNER, s.defaultPath(OWNER), {
      method: 'PROPFIND',
      headers: { Depth: '0', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><acl/></prop></propfind>',
    });
    const aces = (await acl.text()).split(/<(?:\w+:)?ace>/).slice(1);
    const aceOf = (principal: RegExp) => aces.find((ace) => principal.test(ace)) ?? '';
    expect(aceOf(new RegExp(`/principals/user/${READER}/<`))).toMatch(/<(?:\w+:)?grant>.*<(?:\w+:)?read\/>/s);
    expect(aceOf(new RegExp(`/principals/user/${OWNER}/<|<(?:\\w+:)?self/>`))).toMatch(/<(?:\w+:)?all\/>/);
    const fetched = await fetchAs(OWNER);
    expect(fetched.errno).toBe(0);
    expect(uids(fetched)).toContain(uid);
    expect(await freebusy()).toEqual({ errno: 0, periods: ['20330510T090000Z/20330510T100000Z'] });

    // Sun's owner-only ACL takes it back.
    expect((await setAcl('@@o^a^rsf^g;@@o^c^wdeic^g')).errno).toBe(0);
    expect((await fetchAs(OWNER)).errno).toBe(28);
    expect((await s.h.wcap('fetchcomponents_by_range', `id=${owner}&calid=${OWNER}&dtstart=20330510T000000Z&dtend=20330511T000000Z&fmt-out=text%2Fcalendar`)).errno).toBe(0);
  });

  it(`${name}: an unknown user's calendar is 29, or 28 where the server does not tell the two apart`, async () => {
    const answer = await fetchAs(`nobody${randomUUID().slice(0, 8)}`);
    expect(answer.errno).toBe(server.limits.hidesUnknownUsers ? 28 : 29);
  });
});

describe.each(scheduling.map((s) => [s.name, s] as const))('%s: an invitation and its reply through the gateway', (name, server) => {
  let s: ServerSuite;
  beforeAll(async () => {
    s = await startServerSuite(server);
  });
  afterAll(() => s.h.close());

  it(`${name}: the server delivers the invitation to the attendee's default calendar and the reply to the organizer`, async () => {
    const [organizer, attendee] = [await s.login(OWNER), await s.login(READER)];
    const uid = randomUUID();
    const invite = await s.h.wcap(
      'storeevents',
      `appid=mozilla-calendar&id=${organizer}&dtstart=20330601T090000Z&dtend=20330601T100000Z&summary=Review&uid=${uid}&storetype=1` +
        `&orgCalid=${OWNER}&attendees=${enc(`RSVP=TRUE^PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^CN=Victor^mailto:${READER}@example.com`)}&method=2&${STORE_TAIL}&calid=${OWNER}`,
    );
    expect(invite.errno).toBe(0);

    const received = await s.h.wcap('fetchcomponents_by_range', `id=${attendee}&calid=${READER}&dtstart=20330601T000000Z&dtend=20330602T000000Z&fmt-out=text%2Fcalendar`);
    expect(received.errno).toBe(0);
    const copy = received.ical!.getAllSubcomponents('vevent').find((e) => e.getFirstPropertyValue('uid') === uid);
    expect(copy?.getFirstPropertyValue('summary')).toBe('Review');

    const reply = await s.h.wcap(
      'storeevents',
      `appid=mozilla-calendar&id=${attendee}&uid=${uid}&storetype=2&attendees=${enc(`PARTSTAT=ACCEPTED^CN=Victor^mailto:${READER}@example.com`)}&method=4&${STORE_TAIL}&calid=${READER}`,
    );
    expect(reply.errno).toBe(0);
    const organizerCopy = (await s.readObject(OWNER, `${s.defaultPath(OWNER)}${uid}.ics`))!.getFirstSubcomponent('vevent')!;
    const attendeeLine = organizerCopy.getAllProperties('attendee').find((p) => String(p.getFirstValue()).toLowerCase() === `mailto:${READER}@example.com`);
    expect(attendeeLine?.getParameter('partstat')).toBe('ACCEPTED');
  });
});
