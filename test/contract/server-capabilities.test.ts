import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import type { UserHome } from '../../src/backend/calendar-backend.js';
import type { BackendCredentials } from '../../src/model/session.js';

/**
 * What CalDavBackend learns about a server from its answers (backend/server-capabilities.ts), and
 * the two fallbacks that make Xandikos 0.2.8 correct: recurring masters fetched beside a time-range
 * query that ignores RRULE, and a calendar-multiget for sync members sent without data. Changes by
 * "another client" are made with plain HTTP on the server, not through the backend.
 */

interface Sent {
  method: string;
  url: string;
  body: string;
}

function recording(sent: Sent[]): typeof fetch {
  return (input, init) => {
    sent.push({ method: init?.method ?? 'GET', url: String(input), body: typeof init?.body === 'string' ? init.body : '' });
    return fetch(input, init);
  };
}

const CRLF = '\r\n';
const event = (uid: string, lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//wcap-gateway//capability test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', 'SUMMARY:capability test', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join(CRLF);

const servers = [
  { name: 'Radicale', url: () => inject('radicaleUrl'), expands: true, syncData: true },
  { name: 'Xandikos', url: () => inject('xandikosUrl'), expands: false, syncData: false },
];

describe.each(servers)('server capabilities on $name', ({ url, expands, syncData }) => {
  const [user, password] = Object.entries(inject('testUsers'))[2]!;
  const credentials: BackendCredentials = { user, password };
  /** A backend of its own (capabilities are per instance), its requests, and a fresh calendar. */
  async function setup(): Promise<{ backend: CalDavBackend; sent: Sent[]; cal: string; home: UserHome }> {
    const sent: Sent[] = [];
    const backend = new CalDavBackend({ serverUrl: url(), timeoutMs: 10_000, fetch: recording(sent) });
    const home = await backend.discoverHome(credentials);
    const cal = `${home.calendarHomeUrl}caps-${randomUUID().slice(0, 8)}/`;
    await backend.createCalendar(credentials, cal, {});
    sent.length = 0;
    return { backend, sent, cal, home };
  }
  /** Another CalDAV client writing straight to the server. */
  const other = (target: string, method: string, body?: string) =>
    fetch(target, {
      method,
      headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'Content-Type': 'text/calendar' },
      ...(body === undefined ? {} : { body }),
    });

  it('finds a series that began before the window, but not one whose occurrence there is excluded or that ended', async () => {
    const { backend, sent, cal } = await setup();
    const id = randomUUID().slice(0, 8);
    await backend.createObject(credentials, cal, `weekly-${id}`, event(`weekly-${id}`, ['DTSTART:20240105T090000Z', 'DTEND:20240105T100000Z', 'RRULE:FREQ=WEEKLY']));
    // Its only occurrence in the window (Friday 2024-09-13) is excluded.
    await backend.createObject(credentials, cal, `exdate-${id}`, event(`exdate-${id}`, ['DTSTART:20240105T120000Z', 'DTEND:20240105T130000Z', 'RRULE:FREQ=WEEKLY', 'EXDATE:20240913T120000Z']));
    await backend.createObject(credentials, cal, `ended-${id}`, event(`ended-${id}`, ['DTSTART:20240105T090000Z', 'DTEND:20240105T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=4']));
    await backend.createObject(credentials, cal, `single-${id}`, event(`single-${id}`, ['DTSTART:20240913T150000Z', 'DTEND:20240913T160000Z']));
    sent.length = 0;
    const window = { start: new Date('2024-09-13T00:00:00Z'), end: new Date('2024-09-14T00:00:00Z') };
    const found = await backend.queryRange(credentials, cal, ['VEVENT'], window);
    expect(found.map((o) => o.url.slice(cal.length)).sort()).toEqual([`single-${id}.ics`, `weekly-${id}.ics`]);
    expect(found.find((o) => o.url.endsWith(`weekly-${id}.ics`))?.ical).toContain('RRULE:FREQ=WEEKLY');
    // The time-range REPORT and the recurring-masters REPORT, in parallel.
    expect(sent.map((r) => r.method)).toEqual(['REPORT', 'REPORT']);
    expect(sent.some((r) => r.body.includes('name="RRULE"'))).toBe(true);
    expect(backend.serverCapabilities().timeRangeExpandsRecurrences).toBe(expands);

    // Learnt: a server that expands gets one REPORT from now on; one that does not keeps both.
    sent.length = 0;
    const again = await backend.queryRange(credentials, cal, ['VEVENT'], window);
    expect(again.map((o) => o.url.slice(cal.length)).sort()).toEqual([`single-${id}.ics`, `weekly-${id}.ics`]);
    expect(sent.length).toBe(expands ? 1 : 2);
  });

  it('decides with one probe REPORT when the series at hand show nothing', async () => {
    const { backend, sent, cal } = await setup();
    const id = randomUUID().slice(0, 8);
    await backend.createObject(credentials, cal, `weekly-${id}`, event(`weekly-${id}`, ['DTSTART:20240105T090000Z', 'DTEND:20240105T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=3']));
    sent.length = 0;
    // A window before the series: no occurrence, so no evidence; the probe asks for its second one.
    const before = await backend.queryRange(credentials, cal, ['VEVENT'], { start: new Date('2023-12-01T00:00:00Z'), end: new Date('2023-12-02T00:00:00Z') });
    expect(before).toEqual([]);
    expect(sent.map((r) => r.method)).toEqual(['REPORT', 'REPORT', 'REPORT']);
    expect(sent[2]!.body).toContain('start="20240112T090000Z"');
    expect(backend.serverCapabilities().timeRangeExpandsRecurrences).toBe(expands);
  });

  it('pauses the masters query for a calendar without series while undecided, until the gateway writes to it', async () => {
    const { backend, sent, cal } = await setup();
    const id = randomUUID().slice(0, 8);
    await backend.createObject(credentials, cal, `single-${id}`, event(`single-${id}`, ['DTSTART:20240913T150000Z', 'DTEND:20240913T160000Z']));
    const window = { start: new Date('2024-09-13T00:00:00Z'), end: new Date('2024-09-14T00:00:00Z') };
    const names = async () => (await backend.queryRange(credentials, cal, ['VEVENT'], window)).map((o) => o.url.slice(cal.length)).sort();
    sent.length = 0;
    expect(await names()).toEqual([`single-${id}.ics`]);
    expect(await names()).toEqual([`single-${id}.ics`]);
    expect(sent.length).toBe(3);
    // The gateway stores a series that began before the window: the next query finds it, and decides.
    await backend.createObject(credentials, cal, `weekly-${id}`, event(`weekly-${id}`, ['DTSTART:20240105T090000Z', 'DTEND:20240105T100000Z', 'RRULE:FREQ=WEEKLY']));
    expect(await names()).toEqual([`single-${id}.ics`, `weekly-${id}.ics`]);
    expect(backend.serverCapabilities().timeRangeExpandsRecurrences).toBe(expands);
  });

  it('reports changes and deletions made by another client, with data', async () => {
    const { backend, sent, cal } = await setup();
    const id = randomUUID().slice(0, 8);
    const kept = await backend.createObject(credentials, cal, `kept-${id}`, event(`kept-${id}`, ['DTSTART:20240110T100000Z']));
    const doomed = await backend.createObject(credentials, cal, `doomed-${id}`, event(`doomed-${id}`, ['DTSTART:20240111T100000Z']));
    sent.length = 0;
    const initial = await backend.syncChanges(credentials, cal, undefined);
    expect(initial.changed.map((o) => o.url).sort()).toEqual([doomed.url, kept.url].sort());
    expect(initial.changed.every((o) => o.ical.includes('BEGIN:VEVENT'))).toBe(true);
    // With data in the answer: one REPORT; without: the REPORT and one calendar-multiget.
    expect(sent.map((r) => r.method)).toEqual(syncData ? ['REPORT'] : ['REPORT', 'REPORT']);
    expect(backend.serverCapabilities().syncCarriesData).toBe(syncData);

    expect((await other(doomed.url, 'DELETE')).status).toBeLessThan(300);
    expect((await other(kept.url, 'PUT', event(`kept-${id}`, ['DTSTART:20240110T100000Z', 'LOCATION:changed elsewhere']))).status).toBeLessThan(300);
    sent.length = 0;
    const changes = await backend.syncChanges(credentials, cal, initial.token);
    expect(changes.deleted).toEqual([doomed.url]);
    expect(changes.changed.map((o) => o.url)).toEqual([kept.url]);
    expect(changes.changed[0]?.ical).toContain('LOCATION:changed elsewhere');
    expect(sent.length).toBe(syncData ? 1 : 2);
    // Once learnt that data never comes, the sync asks for ETags only.
    expect(sent[0]!.body.includes('calendar-data')).toBe(syncData);

    sent.length = 0;
    expect(await backend.syncChanges(credentials, cal, changes.token)).toEqual({ token: changes.token, changed: [], deleted: [] });
    expect(sent.length).toBe(1);
  });

  it('does not schedule (no calendar-auto-schedule class), asked with one OPTIONS per process', async () => {
    const { backend, sent, cal } = await setup();
    expect(await backend.schedulesInvitations(credentials, cal)).toBe(false);
    expect(await backend.schedulesInvitations(credentials, cal)).toBe(false);
    expect(sent.map((r) => r.method)).toEqual(['OPTIONS']);
    expect(backend.serverCapabilities().autoSchedule).toBe(false);
  });
});
