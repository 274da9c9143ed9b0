import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, type WcapAnswer } from '../support/gateway-harness.js';
import { otherClientEvent, servers, stamp, startServerSuite, type ServerSuite } from '../support/server-suite.js';

/**
 * The default calendar shared with other CalDAV clients, on every server of
 * test/support/test-servers.ts: items another client writes into it are found, changed in place
 * and deleted through the gateway; lastmod and deleted components report changes made through the
 * gateway and deletions made by the other client. Everything is checked directly on the server.
 */
const USER = 'wendy';
const SYNC = 'appid=mozilla-calendar&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';
const STORE_TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';

describe.each(servers().map((s) => [s.name, s] as const))('%s: the default calendar and other CalDAV clients', (name, server) => {
  let s: ServerSuite;
  let id: string;
  beforeAll(async () => {
    s = await startServerSuite(server);
    id = await s.login(USER);
  });
  afterAll(() => s.h.close());

  const uids = (answer: WcapAnswer) => [...answer.ical!.getAllSubcomponents('vevent'), ...answer.ical!.getAllSubcomponents('vtodo')].map((c) => String(c.getFirstPropertyValue('uid')));
  const nextPhase = () => {
    s.h.clock.advance(60);
    return stamp(s.h.clock.now());
  };
  const now = () => {
    s.h.clock.advance(2);
    return stamp(s.h.clock.now());
  };
  const putDirectly = async (path: string, body: string) => expect((await s.dav(USER, path, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } })).status).toBe(201);

  it(`${name}: an item another client wrote into the default calendar is found, changed in place and deleted`, async () => {
    const uid = `other-${randomUUID()}`;
    // The other client's own resource name, not the UID.
    const path = `${s.defaultPath(USER)}${randomUUID()}.ics`;
    await putDirectly(path, otherClientEvent(uid, ['DTSTART:20320210T090000Z', 'DTEND:20320210T100000Z', 'SUMMARY:From elsewhere']));

    const found = await s.h.wcap('fetchcomponents_by_range', `id=${id}&calid=${USER}&dtstart=20320210T000000Z&dtend=20320211T000000Z&fmt-out=text%2Fcalendar`);
    expect(found.errno).toBe(0);
    expect(uids(found)).toContain(uid);
    expect((await s.h.wcap('fetchevents_by_id', `id=${id}&calid=${USER}&uid=${uid}&fmt-out=text%2Fcalendar`)).errno).toBe(0);

    const changed = await s.h.wcap('storeevents', `appid=mozilla-calendar&id=${id}&uid=${uid}&summary=Changed%20here&storetype=2&${STORE_TAIL}&calid=${USER}`);
    expect(changed.errno).toBe(0);
    const after = (await s.readObject(USER, path))!.getFirstSubcomponent('vevent')!;
    expect(after.getFirstPropertyValue('summary')).toBe('Changed here');
    // In place: no second copy under the gateway's own name.
    expect(await s.readObject(USER, `${s.defaultPath(USER)}${uid}.ics`)).toBeNull();

    const removed = await s.h.wcap('deleteevents_by_id', `id=${id}&calid=${USER}&uid=${uid}&mod=4&rid=0&fmt-out=text%2Fxml`);
    expect(removed.errno).toBe(0);
    expect(await s.readObject(USER, path)).toBeNull();
  });

  it(`${name}: lastmod reports the gateway's changes; deleted components report a deletion by another client`, async () => {
    const calid = USER;
    await s.h.wcap('fetchcomponents_by_lastmod', `${SYNC}&id=${id}&dtstart=0&dtend=${now()}&calid=${calid}`);
    const from = nextPhase();
    const [kept, doomed] = [randomUUID(), randomUUID()];
    for (const [uid, summary] of [
      [kept, 'Kept'],
      [doomed, 'Doomed'],
    ]) {
      const answer = await s.h.wcap(
        'storeevents',
        `appid=mozilla-calendar&id=${id}&dtstart=20320301T090000Z&dtend=20320301T100000Z&summary=${enc(summary!)}&uid=${uid}&storetype=1&${STORE_TAIL}&calid=${calid}`,
      );
      expect(answer.errno).toBe(0);
    }
    const modified = await s.h.wcap('fetchcomponents_by_lastmod', `${SYNC}&id=${id}&dtstart=${from}&dtend=${now()}&calid=${calid}`);
    expect(modified.errno).toBe(0);
    expect(uids(modified).sort()).toEqual([kept, doomed].sort());

    const deleteFrom = nextPhase();
    expect((await s.dav(USER, `${s.defaultPath(USER)}${doomed}.ics`, { method: 'DELETE' })).status).toBeLessThan(300);
    const gone = await s.h.wcap('fetch_deletedcomponents', `${SYNC}&id=${id}&dtstart=${deleteFrom}&dtend=${now()}&calid=${calid}`);
    expect(gone.errno).toBe(0);
    expect(uids(gone)).toEqual([doomed]);
    expect(await s.readObject(USER, `${s.defaultPath(USER)}${kept}.ics`)).not.toBeNull();
  });
});
