import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Recurring items through HTTP as WCAP clients send them (docs/wcap-protocol.md#rid-and-mod,
 * docs/wcap-protocol.md#storing-recurrence, docs/lightning.md#deleting-occurrences,
 * docs/lightning.md#modifying-occurrences, docs/lightning.md#writing-the-whole-master), every mod
 * value for stores and deletes, checked on Radicale.
 * The series: weekly on Monday 09:00 Europe/Berlin from 4 Jan 2027, 12 instances (to 22 March,
 * before the DST change) — 09:00 local is 08:00Z.
 */
const USER = 'frank';
const TAIL = 'replace=1&fetch=1&relativealarm=1&compressed=1&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar';
const BERLIN = enc('Europe/Berlin');

describe('recurring items', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness();
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  async function object(uid: string): Promise<ICAL.Component | null> {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
    if (res.status === 404) return null;
    return new ICAL.Component(ICAL.parse(await res.text()) as unknown[]);
  }
  const events = (vcal: ICAL.Component | null | undefined) => vcal?.getAllSubcomponents('vevent') ?? [];
  const master = (vcal: ICAL.Component | null) => events(vcal).find((e) => !e.hasProperty('recurrence-id'))!;
  const line = (c: ICAL.Component, name: string) => c.getAllProperties(name).map((p) => p.toICALString());
  const store = (params: string) => h.wcap('storeevents', `appid=mozilla-calendar&id=${id}${params}&${TAIL}&calid=${USER}`);
  const del = (params: string) => h.wcap('deleteevents_by_id', `appid=mozilla-calendar&id=${id}${params}&fmt-out=text%2Fxml&calid=${USER}`);
  async function weekly(count = 12): Promise<string> {
    const uid = randomUUID();
    const created = await store(
      `&dtstart=20270104T080000Z&dtend=20270104T090000Z&summary=Weekly&rrules=${enc('"')}${enc(`FREQ=WEEKLY;COUNT=${count}`)}${enc('"')}&tzid=${BERLIN}&uid=${uid}&storetype=1&mod=4`,
    );
    expect(created.errno).toBe(0);
    return uid;
  }

  it('creates a series from a quoted, encoded rule in any case', async () => {
    const uid = randomUUID();
    const created = await store(`&dtstart=20270104T080000Z&dtend=20270104T090000Z&summary=S&rrules="count%3D3%3Bfreq%3Dweekly"&tzid=${BERLIN}&uid=${uid}&storetype=1`);
    expect(created.errno).toBe(0);
    const m = master(await object(uid));
    expect(line(m, 'rrule')[0]).toMatch(/^RRULE:(FREQ=WEEKLY;COUNT=3|COUNT=3;FREQ=WEEKLY)$/);
    expect(line(m, 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20270104T090000']);
  });

  it('mod=1 moves one instance into an override that keeps its RECURRENCE-ID; fetch=1 returns the series', async () => {
    const uid = await weekly();
    const moved = await store(`&dtstart=20270118T130000Z&dtend=20270118T140000Z&summary=Moved&tzid=${BERLIN}&uid=${uid}&mod=1&rid=20270118T080000Z`);
    expect(moved.errno).toBe(0);
    expect(events(moved.ical)).toHaveLength(2);
    const stored = await object(uid);
    const override = events(stored).find((e) => e.hasProperty('recurrence-id'))!;
    expect(line(override, 'recurrence-id')).toEqual(['RECURRENCE-ID;TZID=Europe/Berlin:20270118T090000']);
    expect(line(override, 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20270118T140000']);
    expect(override.getFirstPropertyValue('summary')).toBe('Moved');
    expect(override.hasProperty('rrule')).toBe(false);
    expect(master(stored).getFirstPropertyValue('summary')).toBe('Weekly');
    // Changing it again keeps the identity (still one override, same RECURRENCE-ID).
    await store(`&summary=Moved%20again&uid=${uid}&mod=1&rid=20270118T080000Z&storetype=2`);
    const again = events(await object(uid)).filter((e) => e.hasProperty('recurrence-id'));
    expect(again).toHaveLength(1);
    expect(again[0]!.getFirstPropertyValue('summary')).toBe('Moved again');
  });

  it('deleting one instance adds an EXDATE in the series zone and removes its override', async () => {
    const uid = await weekly();
    await store(`&summary=Special&uid=${uid}&mod=1&rid=20270111T080000Z`);
    expect((await del(`&uid=${uid}&mod=1&rid=20270111T080000Z`)).errno).toBe(0);
    expect((await del(`&uid=${uid};${uid}&mod=1&rid=20270125T080000Z;20270201T080000Z`)).errno).toBe(0);
    const stored = await object(uid);
    expect(events(stored).filter((e) => e.hasProperty('recurrence-id'))).toHaveLength(0);
    const exdates = master(stored).getAllProperties('exdate').flatMap((p) => (p.getValues() as ICAL.Time[]).map(String));
    expect(exdates.sort()).toEqual(['2027-01-11T09:00:00', '2027-01-25T09:00:00', '2027-02-01T09:00:00']);
    expect(master(stored).getAllProperties('exdate').every((p) => p.getParameter('tzid') === 'Europe/Berlin')).toBe(true);
    expect((await del(`&uid=${uid}&mod=1&rid=20270112T080000Z`)).errno).toBe(59);
  });

  it('mod=2 splits the series: both halves keep their exceptions, the count is shared out', async () => {
    const uid = await weekly();
    await store(`&summary=Early%20exception&uid=${uid}&mod=1&rid=20270111T080000Z`);
    await store(`&summary=Late%20exception&uid=${uid}&mod=1&rid=20270301T080000Z`);
    const split = await store(`&summary=From%20February&uid=${uid}&mod=2&rid=20270201T080000Z`);
    expect(split.errno).toBe(0);
    const newUid = String(events(split.ical).find((e) => !e.hasProperty('recurrence-id'))!.getFirstPropertyValue('uid'));
    expect(newUid).not.toBe(uid);
    const before = await object(uid);
    expect(master(before).getFirstPropertyValue('summary')).toBe('Weekly');
    expect(events(before).filter((e) => e.hasProperty('recurrence-id')).map((e) => e.getFirstPropertyValue('summary'))).toEqual(['Early exception']);
    const rule = master(before).getFirstPropertyValue('rrule') as ICAL.Recur;
    expect(rule.count).toBeFalsy();
    expect(rule.until!.toJSDate().getTime()).toBeLessThan(Date.UTC(2027, 1, 1, 8));
    const afterText = await (await h.radicale(USER, split.ical ? `/${USER}/calendar/${newUid}.ics` : '')).text();
    const after = new ICAL.Component(ICAL.parse(afterText) as unknown[]);
    expect(master(after).getFirstPropertyValue('summary')).toBe('From February');
    expect(line(master(after), 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20270201T090000']);
    expect((master(after).getFirstPropertyValue('rrule') as ICAL.Recur).count).toBe(8);
    expect(events(after).filter((e) => e.hasProperty('recurrence-id')).map((e) => e.getFirstPropertyValue('summary'))).toEqual(['Late exception']);
  });

  it('mod=3 changes this and all earlier instances; the future keeps the original UID', async () => {
    const uid = await weekly(6);
    const answer = await store(`&location=Old%20room&uid=${uid}&mod=3&rid=20270118T080000Z`);
    expect(answer.errno).toBe(0);
    const kept = master(await object(uid));
    expect(line(kept, 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20270125T090000']);
    expect(kept.hasProperty('location')).toBe(false);
    expect((kept.getFirstPropertyValue('rrule') as ICAL.Recur).count).toBe(3);
    const changed = events(answer.ical).find((e) => !e.hasProperty('recurrence-id'))!;
    expect(changed.getFirstPropertyValue('location')).toBe('Old room');
    expect(line(changed, 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20270104T090000']);
  });

  it('deletes with mod=2 truncate the future and mod=3 the past; mod=4 removes everything', async () => {
    const future = await weekly();
    expect((await del(`&uid=${future}&mod=2&rid=20270301T080000Z`)).errno).toBe(0);
    const truncated = master(await object(future));
    expect((truncated.getFirstPropertyValue('rrule') as ICAL.Recur).until!.toJSDate().getTime()).toBeLessThan(Date.UTC(2027, 2, 1, 8));
    const past = await weekly();
    expect((await del(`&uid=${past}&mod=3&rid=20270301T080000Z`)).errno).toBe(0);
    expect(line(master(await object(past)), 'dtstart')).toEqual(['DTSTART;TZID=Europe/Berlin:20270308T090000']);
    expect((await del(`&uid=${past}&mod=4&rid=0`)).errno).toBe(0);
    expect(await object(past)).toBeNull();
  });

  it('moving the whole series moves its exceptions and EXDATEs with it', async () => {
    const uid = await weekly();
    await store(`&summary=Exception&uid=${uid}&mod=1&rid=20270111T080000Z`);
    await del(`&uid=${uid}&mod=1&rid=20270118T080000Z`);
    // Lightning writes the whole master when start or end change
    // (docs/lightning.md#writing-the-whole-master).
    expect((await store(`&dtstart=20270104T090000Z&dtend=20270104T100000Z&tzid=${BERLIN}&uid=${uid}&mod=4&storetype=2`)).errno).toBe(0);
    const stored = await object(uid);
    const override = events(stored).find((e) => e.hasProperty('recurrence-id'))!;
    expect(line(override, 'recurrence-id')).toEqual(['RECURRENCE-ID;TZID=Europe/Berlin:20270111T100000']);
    expect(master(stored).getAllProperties('exdate').flatMap((p) => (p.getValues() as ICAL.Time[]).map(String))).toEqual(['2027-01-18T10:00:00']);
  });

  it('an instance that the rules never produce → 81; rules on one instance → error', async () => {
    const uid = await weekly();
    expect((await store(`&summary=x&uid=${uid}&mod=1&rid=20270105T080000Z`)).errno).toBe(81);
    expect((await store(`&summary=x&rrules="FREQ%3DDAILY"&uid=${uid}&mod=1&rid=20270111T080000Z`)).errno).toBe(14);
  });

  it('an all-day series takes DATE exceptions from midnight rids, and excludedtstart drops a non-matching start', async () => {
    const uid = randomUUID();
    await store(`&dtstart=20270104&dtend=20270105&isAllDay=1&summary=Daily&rrules="FREQ%3DDAILY%3BCOUNT%3D5"&tzid=${BERLIN}&uid=${uid}&storetype=1`);
    expect((await del(`&uid=${uid}&mod=1&rid=20270106T000000`)).errno).toBe(0);
    expect(line(master(await object(uid)), 'exdate')).toEqual(['EXDATE;VALUE=DATE:20270106']);
    const wed = randomUUID();
    // 4 Jan 2027 is a Monday; the rule says Wednesdays.
    await store(`&dtstart=20270104T080000Z&dtend=20270104T090000Z&summary=Wed&rrules="FREQ%3DWEEKLY%3BBYDAY%3DWE%3BCOUNT%3D3"&excludedtstart=1&tzid=${BERLIN}&uid=${wed}&storetype=1`);
    expect(line(master(await object(wed)), 'exdate')).toEqual(['EXDATE;TZID=Europe/Berlin:20270104T090000']);
  });
});
