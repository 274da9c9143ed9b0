import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { enc, startHarness, type Harness, type WcapAnswer } from '../support/gateway-harness.js';
import { elementsByTagName, textContent } from '../support/parse-xml.js';

/**
 * Double booking on Radicale: a calendar whose double booking is disallowed (set through one
 * gateway) refuses, through another replica at once, a store that overlaps an opaque event (errno
 * 40) and writes nothing. Also: get_calprops reports a reader's own rights as ACE strings.
 */
const USER = 'quinn';
const OTHER = 'ravi';

let a: Harness;
let b: Harness;
let onA: string;
let onB: string;

beforeAll(async () => {
  a = await startHarness();
  b = await startHarness();
  onA = await a.login(USER);
  onB = await b.login(USER);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

const call = (h: Harness, id: string, command: string, query: string, fmt = 'text/calendar') => h.wcap(command, `id=${id}&fmt-out=${enc(fmt)}&${query}`);
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A new calendar of quinn's with double booking disallowed, set through replica a. */
async function strictCalendar(): Promise<{ calid: string; name: string }> {
  const name = fresh('strict');
  expect((await call(a, onA, 'createcalendar', `calid=${name}`)).errno).toBe(0);
  expect((await call(a, onA, 'set_calprops', `calid=${USER}:${name}&doublebooking=0`)).errno).toBe(0);
  return { calid: `${USER}:${name}`, name };
}

function store(h: Harness, id: string, calid: string, query: string): Promise<WcapAnswer> {
  return call(h, id, 'storeevents', `calid=${enc(calid)}&uid=${fresh('ev')}&summary=x&${query}`);
}

/** Names of the objects in a calendar, straight from Radicale. */
async function objectsOn(name: string): Promise<string[]> {
  const res = await a.radicale(USER, `/${USER}/${name}/`, { method: 'PROPFIND', headers: { Depth: '1' } });
  const hrefs = [...(await res.text()).matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/gi)].map((m) => m[1]!);
  return hrefs.filter((href) => href.endsWith('.ics'));
}

describe('double booking disallowed', () => {
  it('refuses an overlapping store on another replica with 40 and writes nothing', async () => {
    const { calid, name } = await strictCalendar();
    expect((await store(a, onA, calid, 'dtstart=20300105T100000Z&dtend=20300105T110000Z')).errno).toBe(0);
    const clash = await store(b, onB, calid, 'dtstart=20300105T103000Z&dtend=20300105T113000Z');
    expect(clash.errno).toBe(40);
    expect(clash.ical?.getFirstPropertyValue('x-nscp-wcap-errno-message')).toContain('double booking');
    expect(await objectsOn(name)).toHaveLength(1);
    // Back to back is not an overlap, and transparent events take no time.
    expect((await store(b, onB, calid, 'dtstart=20300105T110000Z&dtend=20300105T120000Z')).errno).toBe(0);
    expect((await store(b, onB, calid, 'dtstart=20300105T100000Z&dtend=20300105T110000Z&transparent=1')).errno).toBe(0);
    expect(await objectsOn(name)).toHaveLength(3);
  });

  it('counts every instance of a recurring event, and ignores cancelled ones', async () => {
    const { calid, name } = await strictCalendar();
    const daily = await store(a, onA, calid, `dtstart=20300110T090000Z&dtend=20300110T100000Z&rrules=${enc('"FREQ=DAILY;COUNT=5"')}`);
    expect(daily.errno).toBe(0);
    // The fourth instance.
    expect((await store(b, onB, calid, 'dtstart=20300113T093000Z&dtend=20300113T103000Z')).errno).toBe(40);
    // After the series ends.
    expect((await store(b, onB, calid, 'dtstart=20300115T093000Z&dtend=20300115T103000Z')).errno).toBe(0);
    expect((await store(a, onA, calid, 'dtstart=20300120T090000Z&dtend=20300120T100000Z&status=1')).errno).toBe(0);
    expect((await store(b, onB, calid, 'dtstart=20300120T090000Z&dtend=20300120T100000Z')).errno).toBe(0);
    expect(await objectsOn(name)).toHaveLength(4);
  });

  it('refuses moving an event onto another one and leaves it where it was', async () => {
    const { calid } = await strictCalendar();
    const uid = fresh('mover');
    expect((await call(a, onA, 'storeevents', `calid=${calid}&uid=${uid}&summary=m&dtstart=20300201T080000Z&dtend=20300201T090000Z`)).errno).toBe(0);
    expect((await store(a, onA, calid, 'dtstart=20300201T120000Z&dtend=20300201T130000Z')).errno).toBe(0);
    const move = await call(b, onB, 'storeevents', `calid=${calid}&uid=${uid}&dtstart=20300201T123000Z&dtend=20300201T133000Z`);
    expect(move.errno).toBe(40);
    const fetched = await call(a, onA, 'fetchevents_by_id', `calid=${calid}&uid=${uid}`);
    expect(String(fetched.ical?.getFirstSubcomponent('vevent')?.getFirstPropertyValue('dtstart'))).toBe('2030-02-01T08:00:00Z');
  });

  it('allows overlaps again once double booking is allowed', async () => {
    const { calid } = await strictCalendar();
    expect((await store(a, onA, calid, 'dtstart=20300301T100000Z&dtend=20300301T110000Z')).errno).toBe(0);
    expect((await call(b, onB, 'set_calprops', `calid=${calid}&doublebooking=1`)).errno).toBe(0);
    expect((await store(a, onA, calid, 'dtstart=20300301T100000Z&dtend=20300301T110000Z')).errno).toBe(0);
  });
});

describe('rights as ACE strings', () => {
  const rightsFile = () => inject('radicaleRightsFile');
  let original: string | undefined;
  afterEach(() => {
    if (original !== undefined) writeFileSync(rightsFile(), original);
    original = undefined;
  });

  it('a reader with read access only gets a read ACE of their own; the owner gets the owner ACL', async () => {
    const name = fresh('shared');
    expect((await call(a, onA, 'createcalendar', `calid=${name}`)).errno).toBe(0);
    original = readFileSync(rightsFile(), 'utf8');
    writeFileSync(rightsFile(), [`[share-${name}]`, `user: ${OTHER}`, `collection: ${USER}/${name}`, 'permissions: r', '', original].join('\n'));
    const reader = await a.login(OTHER);
    const aces = async (id: string) => {
      const answer = await call(a, id, 'get_calprops', `calid=${USER}:${name}`, 'text/xml');
      expect(answer.errno).toBe(0);
      return elementsByTagName(answer.xml!, 'X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY').map(textContent);
    };
    expect(await aces(reader)).toEqual([`${OTHER}^a^rf^g`]);
    expect(await aces(onA)).toEqual(['@@o^a^rsf^g', '@@o^c^wdeic^g']);
    // The reader may not change it: Radicale refuses the PROPPATCH.
    expect((await call(a, reader, 'set_calprops', `calid=${USER}:${name}&name=Mine`)).errno).toBe(28);
  });
});
