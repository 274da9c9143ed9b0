import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startHarness } from '../support/gateway-harness.js';
import { after, BEFORE, createSeries, splitQuery, storedOccurrences } from '../support/split-occurrences.js';

/**
 * A gateway that dies in the middle of a series split (calendars/series-split.ts), at every point
 * between its CalDAV writes: after the k-th write of the split nothing more reaches the server —
 * every later request fails as on a dead process — and nothing of its memory is used again. A
 * fresh gateway then reads the calendar, and on Radicale every instance exists exactly once, with
 * the content from before the split (died before its first write) or after it.
 */
const USER = 'carol';
/** A split writes the new series, the truncated original, then the new series without its marker. */
const SPLIT_WRITES = 3;

/** A fetch that works until `dieAfter` writes have been answered once armed, then never again. */
function mortalFetch(): { wrap: (pooled: typeof fetch) => typeof fetch; arm(dieAfter: number): void } {
  let remaining = Number.POSITIVE_INFINITY;
  let dead = false;
  return {
    arm(dieAfter) {
      remaining = dieAfter;
      dead = dieAfter === 0;
    },
    wrap: (pooled) => async (input, init) => {
      if (dead) throw new TypeError('fetch failed: the gateway process is gone');
      const response = await pooled(input, init);
      const method = new Request(input, init).method;
      if ((method === 'PUT' || method === 'DELETE') && --remaining <= 0) dead = true;
      return response;
    },
  };
}

describe('a gateway dying during a series split', () => {
  for (const mod of [2, 3] as const) {
    for (let k = 0; k <= SPLIT_WRITES; k++) {
      it(`mod=${mod}, dead after write ${k} of ${SPLIT_WRITES}: a fresh gateway leaves every instance exactly once`, async () => {
        const uid = `crash-${randomUUID()}`;
        const fault = mortalFetch();
        const dying = await startHarness({}, { wrapFetch: fault.wrap });
        try {
          await createSeries(dying, await dying.login(USER), USER, uid);
          const sid = await dying.login(USER);
          fault.arm(k);
          const answer = await dying.wcap('storeevents', splitQuery(sid, USER, uid, mod));
          // Before the truncation the edit is not done (the client is told so); after it, it is.
          expect(answer.errno === 0).toBe(k >= 2);
        } finally {
          await dying.close();
        }

        const fresh = await startHarness();
        try {
          const sid = await fresh.login(USER);
          const read = await fresh.wcap('fetchcomponents_by_range', `id=${sid}&calid=${USER}&dtstart=20270501T000000Z&dtend=20270701T000000Z&fmt-out=text%2Fcalendar`);
          expect(read.errno).toBe(0);
          const expected = k === 0 ? BEFORE : after(mod);
          // What the reading client was answered: each instance once.
          const answered = read.ical!.getAllSubcomponents('vevent').filter((e) => String(e.getFirstPropertyValue('uid')).startsWith(uid));
          expect(answered).toHaveLength(expected.length);
          // What is stored: each instance once, with the right content, and no marker left.
          expect(await storedOccurrences(fresh, USER, uid)).toEqual({ occurrences: expected, markers: 0 });
        } finally {
          await fresh.close();
        }
      });
    }
  }

  it('a replica serving the calendar from its snapshot completes the split; its snapshot then shows each instance once', async () => {
    const uid = `crash-${randomUUID()}`;
    const fault = mortalFetch();
    const dying = await startHarness({}, { wrapFetch: fault.wrap });
    const replica = await startHarness();
    try {
      const replicaSid = await replica.login(USER);
      const read = async () => {
        const answer = await replica.wcap('fetchcomponents_by_range', `id=${replicaSid}&calid=${USER}&dtstart=20270501T000000Z&dtend=20270701T000000Z&fmt-out=text%2Fcalendar`);
        expect(answer.errno).toBe(0);
        return answer.ical!.getAllSubcomponents('vevent').filter((e) => String(e.getFirstPropertyValue('uid')).startsWith(uid)).length;
      };
      await createSeries(dying, await dying.login(USER), USER, uid);
      // Two reads: the second builds the replica's snapshot in the background.
      expect(await read()).toBe(8);
      expect(await read()).toBe(8);
      await replica.settled();
      const sid = await dying.login(USER);
      fault.arm(1);
      expect((await dying.wcap('storeevents', splitQuery(sid, USER, uid, 2))).errno).not.toBe(0);
      await dying.close();

      expect(await read()).toBe(8);
      expect(await storedOccurrences(replica, USER, uid)).toEqual({ occurrences: after(2), markers: 0 });
      const before = replica.caldavRequests.length;
      expect(await read()).toBe(8);
      // Served from the snapshot the completion kept up to date: no object read again.
      expect(replica.caldavRequests.slice(before).filter((r) => r.method === 'GET' || r.method === 'PUT')).toEqual([]);
    } finally {
      await replica.close();
    }
  });
});
