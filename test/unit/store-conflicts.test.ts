import ICAL from 'ical.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildGoldenGateway, enc, lightningErrno, parseIcs, PASSWORDS, type GoldenGateway } from '../support/golden-gateway.js';

/**
 * A store that loses an If-Match race is redone from a fresh read with only the fields it names
 * (calendars/merge-retry.ts), a bounded number of times; a split whose second write loses is
 * completed on the fresh original (calendars/series-split.ts). The other client's write is
 * interleaved on the in-memory CalDAV server right before the gateway's write.
 */
const ALICE = { user: 'alice', password: PASSWORDS.alice };
let g: GoldenGateway;
let sid: string;
let pauses: number[];

beforeEach(async () => {
  pauses = [];
  g = buildGoldenGateway({}, { conflictRetry: { retries: 3, pause: async (retry) => void pauses.push(retry) } });
  sid = await g.login('alice');
});

function calendarUrl(): string {
  return g.backend.calendarUrl(g.home('alice'), 'alice', 'calendar');
}

/** The stored VEVENTs of every object in alice's calendar, by UID. */
async function storedEvents(): Promise<Map<string, ICAL.Component[]>> {
  const objects = await g.backend.queryRange(ALICE, calendarUrl(), ['VEVENT'], {});
  const events = new Map<string, ICAL.Component[]>();
  for (const object of objects) {
    for (const event of ICAL.Component.fromString(object.ical).getAllSubcomponents('vevent')) {
      const uid = String(event.getFirstPropertyValue('uid'));
      events.set(uid, [...(events.get(uid) ?? []), event]);
    }
  }
  return events;
}

/** Another CalDAV client sets `property` of the object `uid` (a read and a conditional write). */
async function otherClientSets(uid: string, property: string, value: string): Promise<void> {
  const url = g.backend.objectUrlFor(calendarUrl(), uid);
  const object = (await g.backend.getObject(ALICE, url))!;
  const vcalendar = ICAL.Component.fromString(object.ical);
  vcalendar.getFirstSubcomponent('vevent')!.updatePropertyWithValue(property, value);
  await g.backend.updateObject(ALICE, object, vcalendar.toString());
}

/** The days of the month a series' instances fall on. */
function daysOf(master: ICAL.Component): number[] {
  const days: number[] = [];
  const iterator = new ICAL.Event(master).iterator();
  for (let next = iterator.next(); next && days.length < 50; next = iterator.next()) days.push(next.day);
  return days;
}

async function store(query: string): Promise<number> {
  const answer = await g.get('storeevents', `id=${sid}&calid=alice&fmt-out=text%2Fcalendar&${query}`);
  return lightningErrno(parseIcs(answer.body)[0]!);
}

async function createEvent(uid: string, extra = ''): Promise<void> {
  expect(await store(`uid=${uid}&storetype=1&dtstart=20260310T090000Z&dtend=20260310T100000Z&summary=Mine${extra}`)).toBe(0);
}

describe('a store that loses an If-Match race', () => {
  it('is merged with a concurrent change of another field: both stay', async () => {
    await createEvent('merge-1');
    g.backend.beforeWrite(async (method, url) => {
      g.backend.beforeWrite(undefined);
      expect(method).toBe('updateObject');
      await otherClientSets('merge-1', 'location', 'Room 7');
      void url;
    });
    expect(await store(`uid=merge-1&storetype=2&summary=${enc('Renamed')}`)).toBe(0);
    const [event] = (await storedEvents()).get('merge-1')!;
    expect(event!.getFirstPropertyValue('summary')).toBe('Renamed');
    expect(event!.getFirstPropertyValue('location')).toBe('Room 7');
    expect(pauses).toEqual([1]);
  });

  it('on the same field, the later writer wins and both were applied in turn', async () => {
    await createEvent('merge-2');
    g.backend.beforeWrite(async () => {
      g.backend.beforeWrite(undefined);
      await otherClientSets('merge-2', 'summary', 'Theirs');
    });
    expect(await store(`uid=merge-2&storetype=2&summary=${enc('Ours')}`)).toBe(0);
    expect((await storedEvents()).get('merge-2')![0]!.getFirstPropertyValue('summary')).toBe('Ours');
  });

  it('gives up after 3 redos with errno 14 and overwrites nothing', async () => {
    await createEvent('merge-3');
    let rounds = 0;
    g.backend.beforeWrite(async () => otherClientSets('merge-3', 'location', `Room ${++rounds}`));
    expect(await store(`uid=merge-3&storetype=2&summary=${enc('Never')}`)).toBe(14);
    g.backend.beforeWrite(undefined);
    const [event] = (await storedEvents()).get('merge-3')!;
    expect(event!.getFirstPropertyValue('summary')).toBe('Mine');
    expect(event!.getFirstPropertyValue('location')).toBe('Room 4');
    expect(pauses).toEqual([1, 2, 3]);
  });

  it('a create of a UID another client created meanwhile becomes a modify of it (no storetype)', async () => {
    g.backend.beforeWrite(async (method) => {
      g.backend.beforeWrite(undefined);
      expect(method).toBe('createObject');
      await g.putObject('alice', 'calendar', 'race-create', [
        'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN', 'BEGIN:VEVENT', 'UID:race-create', 'DTSTAMP:20260301T000000Z',
        'DTSTART:20260311T090000Z', 'DTEND:20260311T100000Z', 'LOCATION:Theirs', 'END:VEVENT', 'END:VCALENDAR',
      ]);
    });
    expect(await store(`uid=race-create&dtstart=20260311T090000Z&dtend=20260311T100000Z&summary=Ours`)).toBe(0);
    const [event] = (await storedEvents()).get('race-create')!;
    expect([event!.getFirstPropertyValue('summary'), event!.getFirstPropertyValue('location')]).toEqual(['Ours', 'Theirs']);
  });

  it('a create-only store (storetype=1) of a UID created meanwhile still answers 63', async () => {
    g.backend.beforeWrite(async () => {
      g.backend.beforeWrite(undefined);
      await createEvent('race-create-only');
    });
    expect(await store(`uid=race-create-only&storetype=1&dtstart=20260312T090000Z&dtend=20260312T100000Z&summary=Second`)).toBe(63);
    expect((await storedEvents()).get('race-create-only')![0]!.getFirstPropertyValue('summary')).toBe('Mine');
  });
});

describe('a "this and future" split whose original changes between its writes', () => {
  const series = `&rrules=${enc('FREQ=DAILY;COUNT=6')}`;

  it('truncates the changed original: every day once, the other change kept on the earlier part', async () => {
    await createEvent('split-1', series);
    let writes = 0;
    g.backend.beforeWrite(async (method) => {
      // Between the new series (write 1) and the truncation of the original (write 2).
      if (++writes === 2) await otherClientSets('split-1', 'location', 'Room 9');
      void method;
    });
    expect(await store(`uid=split-1&rid=20260313T090000Z&mod=2&summary=Later`)).toBe(0);
    g.backend.beforeWrite(undefined);
    const events = await storedEvents();
    expect([...events.keys()].sort()).toEqual(['split-1', 'split-1-R20260313T090000Z']);
    const original = events.get('split-1')![0]!;
    const later = events.get('split-1-R20260313T090000Z')![0]!;
    expect(daysOf(original)).toEqual([10, 11, 12]);
    expect(original.getFirstPropertyValue('location')).toBe('Room 9');
    expect(daysOf(later)).toEqual([13, 14, 15]);
    expect(later.getFirstPropertyValue('summary')).toBe('Later');
    for (const event of [original, later]) expect(event.hasProperty('x-wcap-gateway-split-from')).toBe(false);
  });
});

describe('a split that a reader completes while it is still being written', () => {
  it('between its first and second write: the writer finds it done, every day once', async () => {
    await createEvent('split-2', `&rrules=${enc('FREQ=DAILY;COUNT=6')}`);
    const reader = await g.login('alice');
    let writes = 0;
    let readerSaw = 0;
    g.backend.beforeWrite(async () => {
      if (++writes !== 2) return;
      // Another session lists the month while the new series carries its marker.
      const read = await g.get('fetchcomponents_by_range', `id=${reader}&calid=alice&fmt-out=text%2Fcalendar&dtstart=20260301T000000Z&dtend=20260401T000000Z`);
      readerSaw = parseIcs(read.body)[0]!.getAllSubcomponents('vevent').filter((e) => String(e.getFirstPropertyValue('uid')).startsWith('split-2')).length;
    });
    expect(await store(`uid=split-2&rid=20260313T090000Z&mod=2&summary=Later`)).toBe(0);
    g.backend.beforeWrite(undefined);
    expect(readerSaw).toBe(6);
    const events = await storedEvents();
    expect(daysOf(events.get('split-2')![0]!)).toEqual([10, 11, 12]);
    expect(daysOf(events.get('split-2-R20260313T090000Z')![0]!)).toEqual([13, 14, 15]);
    for (const [event] of [events.get('split-2')!, events.get('split-2-R20260313T090000Z')!]) {
      expect(event!.hasProperty('x-wcap-gateway-split-from')).toBe(false);
    }
  });
});

describe('a delete that loses an If-Match race', () => {
  it('removes the instance from the fresh version: the other change stays', async () => {
    await createEvent('delete-1', `&rrules=${enc('FREQ=DAILY;COUNT=4')}`);
    g.backend.beforeWrite(async () => {
      g.backend.beforeWrite(undefined);
      await otherClientSets('delete-1', 'location', 'Room 3');
    });
    const answer = await g.get('deleteevents_by_id', `id=${sid}&calid=alice&fmt-out=text%2Fcalendar&uid=delete-1&rid=20260311T090000Z&mod=1`);
    expect(lightningErrno(parseIcs(answer.body)[0]!)).toBe(0);
    const [event] = (await storedEvents()).get('delete-1')!;
    expect(event!.getFirstPropertyValue('location')).toBe('Room 3');
    expect(daysOf(event!)).toEqual([10, 12, 13]);
  });
});

describe('split markers', () => {
  const marked = (uid: string, marker: string) => [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//other//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260301T000000Z',
    'DTSTART:20260313T090000Z', 'DTEND:20260313T100000Z', 'SUMMARY:Other', marker, 'END:VEVENT', 'END:VCALENDAR',
  ];

  it('a marker on an item whose UID the split did not derive is ignored: the named series is untouched', async () => {
    await createEvent('victim', `&rrules=${enc('FREQ=DAILY;COUNT=6')}`);
    await g.putObject('alice', 'calendar', 'forged', marked('forged', 'X-WCAP-GATEWAY-SPLIT-FROM:uid=victim&version=x&rid=20260312T090000Z&mod=2'));
    const read = await g.get('fetchcomponents_by_range', `id=${sid}&calid=alice&fmt-out=text%2Fcalendar&dtstart=20260301T000000Z&dtend=20260401T000000Z`);
    expect(lightningErrno(parseIcs(read.body)[0]!)).toBe(0);
    expect(daysOf((await storedEvents()).get('victim')![0]!)).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('a client cannot set the marker through an X- parameter', async () => {
    await createEvent('sneaky', `&X-WCAP-GATEWAY-SPLIT-FROM=${enc('uid=victim&rid=20260312T090000Z&mod=2')}`);
    expect((await storedEvents()).get('sneaky')![0]!.hasProperty('x-wcap-gateway-split-from')).toBe(false);
  });
});
