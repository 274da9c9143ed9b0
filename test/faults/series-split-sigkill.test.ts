import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { parseAnswer, startHarness, type Harness } from '../support/gateway-harness.js';
import { startKillableGateway, type KillableGateway } from '../support/killing-proxy.js';
import { after, BEFORE, createSeries, splitQuery, storedOccurrences } from '../support/split-occurrences.js';

/**
 * The real thing: a gateway process (src/main.ts) receiving "this and future" edits of three
 * series at once is killed with SIGKILL right after the CalDAV server answered its n-th PUT of the
 * edits (test/support/killing-proxy.ts), for several n. A fresh gateway then reads the calendar:
 * on Radicale every instance of every series exists exactly once, as before its edit or after it,
 * and no split marker is left.
 */
const USER = 'alice';
const SERIES = 3;

describe('a gateway process killed with SIGKILL during series splits', () => {
  let child: KillableGateway | undefined;
  let fresh: Harness | undefined;
  afterEach(async () => {
    await child?.close();
    await fresh?.close();
    child = undefined;
    fresh = undefined;
  });

  // Each split writes 3 times: n = 1, 2, 4, 5, 7 fall after first and second writes of different splits.
  for (const killAt of [1, 2, 4, 5, 7]) {
    it(`killed after PUT ${killAt} of ${SERIES * 3}: no instance duplicated or lost`, async () => {
      child = await startKillableGateway(inject('radicaleUrl'), inject('redisUrl'));
      const gateway = child;
      const wcap = async (command: string, query: string) => parseAnswer(await fetch(`${gateway.url}${command}.wcap?${query}`));
      const users = inject('testUsers');
      const login = await wcap('login', `fmt-out=text%2Fcalendar&user=${USER}&password=${encodeURIComponent(users[USER]!)}`);
      const sid = String(login.ical!.getFirstPropertyValue('x-nscp-wcap-session-id'));
      const uids = Array.from({ length: SERIES }, () => `kill-${randomUUID()}`);
      for (const uid of uids) await createSeries({ wcap }, sid, USER, uid);

      gateway.killAtPut(killAt);
      const edits = await Promise.allSettled(uids.map((uid) => wcap('storeevents', splitQuery(sid, USER, uid, 2))));
      expect(await gateway.exited).toBe(true);
      // The process died before answering at least one edit.
      expect(edits.some((e) => e.status === 'rejected')).toBe(true);

      fresh = await startHarness();
      const freshSid = await fresh.login(USER);
      const read = await fresh.wcap('fetchcomponents_by_range', `id=${freshSid}&calid=${USER}&dtstart=20270501T000000Z&dtend=20270701T000000Z&fmt-out=text%2Fcalendar`);
      expect(read.errno).toBe(0);
      for (const uid of uids) {
        const { occurrences, markers } = await storedOccurrences(fresh, USER, uid);
        expect(markers).toBe(0);
        expect([BEFORE, after(2)]).toContainEqual(occurrences);
      }
    });
  }
});
