import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Two sessions storing the same event at the same moment, on Radicale (calendars/merge-retry.ts):
 * different fields are merged, the same field ends with one of the two values, and every store
 * answers errno 0.
 */
const USER = 'erin';
const PAIRS = 40;

describe('concurrent stores of one event from two sessions', () => {
  let h: Harness;
  let first: string;
  let second: string;
  beforeAll(async () => {
    h = await startHarness();
    // Two logins of one user: two sessions, as two devices of one person.
    first = await h.login(USER);
    second = await h.login(USER);
  });
  afterAll(() => h.close());

  const store = (sid: string, params: string) => h.wcap('storeevents', `id=${sid}&calid=${USER}&fmt-out=text%2Fcalendar${params}`);
  async function stored(uid: string): Promise<ICAL.Component> {
    const res = await h.radicale(USER, `/${USER}/calendar/${uid}.ics`);
    expect(res.status).toBe(200);
    return ICAL.Component.fromString(await res.text()).getFirstSubcomponent('vevent')!;
  }
  async function created(): Promise<string> {
    const uid = randomUUID();
    expect((await store(first, `&uid=${uid}&storetype=1&dtstart=20270510T090000Z&dtend=20270510T100000Z&summary=Start`)).errno).toBe(0);
    return uid;
  }

  it(`${PAIRS} pairs storing different fields at once all succeed and keep both fields`, async () => {
    const uids = await Promise.all(Array.from({ length: PAIRS }, created));
    const answers = await Promise.all(
      uids.flatMap((uid, i) => [
        store(first, `&uid=${uid}&storetype=2&summary=${enc(`Title ${i}`)}`),
        store(second, `&uid=${uid}&storetype=2&location=${enc(`Room ${i}`)}`),
      ]),
    );
    expect(answers.map((a) => a.errno)).toEqual(answers.map(() => 0));
    const events = await Promise.all(uids.map(stored));
    expect(events.map((e) => [e.getFirstPropertyValue('summary'), e.getFirstPropertyValue('location')])).toEqual(
      uids.map((_, i) => [`Title ${i}`, `Room ${i}`]),
    );
  });

  it('pairs storing the same field at once both succeed and the event ends with one of the two values', async () => {
    const uids = await Promise.all(Array.from({ length: 10 }, created));
    const answers = await Promise.all(
      uids.flatMap((uid) => [store(first, `&uid=${uid}&storetype=2&summary=First`), store(second, `&uid=${uid}&storetype=2&summary=Second`)]),
    );
    expect(answers.map((a) => a.errno)).toEqual(answers.map(() => 0));
    for (const event of await Promise.all(uids.map(stored))) expect(['First', 'Second']).toContain(event.getFirstPropertyValue('summary'));
  });
});
