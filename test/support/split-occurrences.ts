import ICAL from 'ical.js';
import { expect } from 'vitest';
import { enc, type Harness } from './gateway-harness.js';

/**
 * Shared by the series-split crash tests: a daily series of 8 instances from 1 June 2027 09:00Z
 * with one moved instance (6 June), split at 4 June, and what its instances look like on Radicale.
 */
export const FIRST_DAY = '20270601T090000Z';
export const SPLIT_RID = '20270604T090000Z';

/** One instance as stored: its start (UTC) and summary. */
export type Occurrence = [start: string, summary: string];

const day = (d: number) => `2027-06-0${d}T09:00:00Z`;

/** Before the split: "Old" every day, the moved 6 June instance "Moved". */
export const BEFORE: Occurrence[] = [1, 2, 3, 4, 5, 6, 7, 8].map((d) => [day(d), d === 6 ? 'Moved' : 'Old']);

/** After a split at 4 June renaming one part "New" (the moved instance keeps its own summary). */
export function after(mod: 2 | 3): Occurrence[] {
  return BEFORE.map(([start, summary], i): Occurrence => {
    const changed = mod === 2 ? i + 1 >= 4 : i + 1 <= 4;
    return [start, changed && summary === 'Old' ? 'New' : summary];
  });
}

/** Creates the series `uid` through the gateway `h` as `user`. */
export async function createSeries(h: Pick<Harness, 'wcap'>, sid: string, user: string, uid: string): Promise<void> {
  const store = (params: string) => h.wcap('storeevents', `id=${sid}&calid=${user}&fmt-out=text%2Fcalendar${params}`);
  expect((await store(`&uid=${uid}&storetype=1&dtstart=${FIRST_DAY}&dtend=20270601T100000Z&summary=Old&rrules=${enc('FREQ=DAILY;COUNT=8')}`)).errno).toBe(0);
  expect((await store(`&uid=${uid}&rid=20270606T090000Z&mod=1&summary=Moved`)).errno).toBe(0);
}

/** The query of the split edit: summary "New" for this and future (mod=2) or this and prior (mod=3). */
export function splitQuery(sid: string, user: string, uid: string, mod: 2 | 3): string {
  return `id=${sid}&calid=${user}&fmt-out=text%2Fcalendar&uid=${uid}&rid=${SPLIT_RID}&mod=${mod}&summary=New`;
}

/**
 * Every instance of the series as stored on Radicale (read directly, as `user`): the original
 * object and the one a split creates, expanded with their overrides, in start order. A duplicated
 * instance appears twice; a lost one is missing. Also reports whether a split marker is left.
 */
export async function storedOccurrences(h: Harness, user: string, uid: string): Promise<{ occurrences: Occurrence[]; markers: number }> {
  const occurrences: Occurrence[] = [];
  let markers = 0;
  for (const name of [uid, `${uid}-R${SPLIT_RID}`]) {
    const res = await h.radicale(user, `/${user}/calendar/${name}.ics`);
    if (res.status === 404) continue;
    expect(res.status).toBe(200);
    const text = await res.text();
    markers += (text.match(/^X-WCAP-GATEWAY-SPLIT-FROM/gm) ?? []).length;
    const events = ICAL.Component.fromString(text).getAllSubcomponents('vevent');
    const event = new ICAL.Event(events.find((e) => !e.hasProperty('recurrence-id'))!);
    for (const override of events.filter((e) => e.hasProperty('recurrence-id'))) event.relateException(override);
    const iterator = event.iterator();
    for (let start = iterator.next(); start && occurrences.length < 100; start = iterator.next()) {
      const details = event.getOccurrenceDetails(start);
      occurrences.push([details.startDate.convertToZone(ICAL.Timezone.utcTimezone).toString(), details.item.summary]);
    }
  }
  return { occurrences: occurrences.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), markers };
}
