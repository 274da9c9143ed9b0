import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * A range delete (docs/wcap-protocol.md#range-deletes) whose CalDAV server goes away after the
 * first item was deleted: the answer is 11001 and says how many items had been done; on Radicale
 * exactly that item is gone and the others are whole; the delete log names only that one.
 */
const USER = 'erin';

let h: Harness;
let broken = false;
let deletes = 0;
beforeAll(async () => {
  h = await startHarness({}, {
    wrapFetch: (pooled) => async (input, init) => {
      const method = new Request(input, init).method;
      if (broken && method === 'DELETE' && ++deletes > 1) throw new TypeError('fetch failed: connection refused');
      return pooled(input, init);
    },
  });
});
afterAll(() => h.close());

it('the CalDAV server failing after the first of three deletes: errno 11001, "1 of 3", the rest untouched', async () => {
  const id = await h.login(USER);
  const name = `halfway${randomUUID().slice(0, 8)}`;
  const path = `/${USER}/${name}/`;
  expect((await h.radicale(USER, path, { method: 'MKCALENDAR' })).status).toBe(201);
  try {
    for (const day of ['10', '11', '12']) {
      const body = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:d${day}`, 'DTSTAMP:20260101T000000Z', `DTSTART:202703${day}T090000Z`, `DTEND:202703${day}T100000Z`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
      expect((await h.radicale(USER, `${path}d${day}.ics`, { method: 'PUT', body, headers: { 'Content-Type': 'text/calendar' } })).status).toBe(201);
    }
    broken = true;
    const answer = await h.wcap('deleteevents_by_range', `id=${id}&calid=${USER}:${name}&dtstart=20270301T000000Z&dtend=20270401T000000Z&fmt-out=text%2Fcalendar`);
    broken = false;
    expect(answer.errno).toBe(11001);
    expect(String(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message'))).toMatch(/1 of 3 items had been deleted or shortened, the others are unchanged/);
    const left = await Promise.all(['10', '11', '12'].map(async (day) => (await h.radicale(USER, `${path}d${day}.ics`)).status));
    expect(left.filter((s) => s === 404)).toHaveLength(1);
    expect(left.filter((s) => s === 200)).toHaveLength(2);
    const log = await h.wcap('fetch_deletedcomponents', `id=${id}&calid=${USER}:${name}&dtstart=0&dtend=0&fmt-out=text%2Fcalendar`);
    expect(log.ical!.getAllSubcomponents('vevent')).toHaveLength(1);
  } finally {
    broken = false;
    await h.radicale(USER, path, { method: 'DELETE' });
  }
});
