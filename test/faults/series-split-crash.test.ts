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
});
