import { describe, expect, it } from 'vitest';
import { CalDavBackend } from '../../src/backend/caldav-backend.js';
import type { UpstreamExchange } from '../../src/model/errors.js';
import { GatewayError } from '../../src/model/errors.js';
import { probeWindow, selectRecurring } from '../../src/backend/recurring-masters.js';
import { ServerCapabilities } from '../../src/backend/server-capabilities.js';
import { DavTransport } from '../../src/backend/dav-transport.js';
import { maskUser } from '../../src/observability/log-user.js';

/**
 * Capability detection against scripted answers: what is learnt from which answer, what is asked
 * once, and the exchange facts every request logs (never credentials or bodies).
 */

const SERVER = 'http://dav.test/';
const CAL = 'http://dav.test/alice/calendar/';
const CREDS = { user: 'alice', password: 's3cret-Pa55' };

type Script = (method: string, body: string) => Response;

function scripted(script: Script): { backend: CalDavBackend; sent: string[]; logged: Array<UpstreamExchange & { failure?: string }> } {
  const sent: string[] = [];
  const logged: Array<UpstreamExchange & { failure?: string }> = [];
  const fetchImpl: typeof fetch = async (_input, init) => {
    const body = String(init?.body ?? '');
    sent.push(`${init?.method} ${body.includes('sync-collection') ? 'sync' : body.includes('supported-report-set') ? 'supported-report-set' : ''}`.trim());
    return script(init?.method ?? 'GET', body);
  };
  const log = { debug: (fields: { upstream: UpstreamExchange & { failure?: string } }) => void logged.push(fields.upstream) };
  return { backend: new CalDavBackend({ serverUrl: SERVER, timeoutMs: 1000, fetch: fetchImpl, log }), sent, logged };
}

const xml = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/xml; charset=utf-8', ...headers } });

const REPORTS = (names: string[]) => `<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/alice/calendar/</href>
<propstat><prop><supported-report-set>${names.map((n) => `<supported-report><report><${n}/></report></supported-report>`).join('')}</supported-report-set></prop>
<status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`;

describe('sync-collection support', () => {
  it('explains a refused initial sync by the supported-report-set, once', async () => {
    const { backend, sent } = scripted((method, body) =>
      body.includes('sync-collection') ? xml(501, 'not implemented') : xml(207, REPORTS(['C:calendar-query', 'C:calendar-multiget'])),
    );
    for (let i = 0; i < 2; i++) {
      const error = await backend.syncChanges(CREDS, CAL, undefined).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).kind).toBe('backend');
      expect((error as GatewayError).message).toMatch(/does not offer sync-collection/);
    }
    expect(sent).toEqual(['REPORT sync', 'PROPFIND supported-report-set', 'REPORT sync']);
    expect(backend.serverCapabilities().syncCollection).toBe(false);
  });

  it('leaves a refusal of a server that offers the report to the usual mapping (403: forbidden)', async () => {
    const { backend } = scripted((_method, body) => (body.includes('sync-collection') ? xml(403, '') : xml(207, REPORTS(['sync-collection']))));
    const error = await backend.syncChanges(CREDS, CAL, undefined).catch((e: unknown) => e);
    expect((error as GatewayError).kind).toBe('forbidden');
    expect(backend.serverCapabilities().syncCollection).toBe(true);
  });
});

describe('automatic scheduling', () => {
  const options = (dav: string) => scripted((method) => (method === 'OPTIONS' ? new Response(null, { status: 200, headers: { DAV: dav } }) : xml(500, '')));

  it('is the RFC 6638 class calendar-auto-schedule, not a look-alike', async () => {
    expect(await options('1, 2, 3, access-control, calendar-access, calendar-auto-schedule').backend.schedulesInvitations(CREDS, CAL)).toBe(true);
    // Xandikos 0.2.8's header, which delivers nothing.
    expect(await options('1, 2, 3, calendar-access, calendar-auto-scheduling, sync-collection').backend.schedulesInvitations(CREDS, CAL)).toBe(false);
  });

  it('asks again after a failed OPTIONS instead of remembering a guess', async () => {
    let fail = true;
    const { backend, sent } = scripted(() => (fail ? xml(503, '') : new Response(null, { status: 200, headers: { DAV: '1, calendar-auto-schedule' } })));
    expect(await backend.schedulesInvitations(CREDS, CAL).catch((e: unknown) => (e as GatewayError).kind)).toBe('backend');
    fail = false;
    expect(await backend.schedulesInvitations(CREDS, CAL)).toBe(true);
    expect(await backend.schedulesInvitations(CREDS, CAL)).toBe(true);
    expect(sent).toEqual(['OPTIONS', 'OPTIONS']);
  });
});

describe('exchange log facts', () => {
  it('gives method, path, status and duration per exchange, and the failing one to the error', async () => {
    const { backend, logged } = scripted(() => xml(500, `<error>${CREDS.password}</error>`));
    const error = (await backend.getObject(CREDS, `${CAL}x.ics?secret=1`).catch((e: unknown) => e)) as GatewayError;
    expect(logged).toEqual([{ method: 'GET', path: '/alice/calendar/x.ics', status: 500, ms: expect.any(Number) }]);
    expect(error.exchange).toEqual(logged[0]);
    expect(error.message).not.toContain(CREDS.password);
  });

  it("writes the acting user's path segments as WCAP_LOG_USER says", async () => {
    expect(maskUser('/alice/calendar/alice.ics', 'alice', () => undefined)).toBe('/~/calendar/alice.ics');
    expect(maskUser('/j%20doe/calendar/', 'j doe', () => 'a1b2c3')).toBe('/a1b2c3/calendar/');
    expect(maskUser('/boss/calendar/', 'alice', () => undefined)).toBe('/boss/calendar/');
    const logged: UpstreamExchange[] = [];
    const backend = new CalDavBackend({
      serverUrl: SERVER,
      timeoutMs: 1000,
      fetch: async () => new Response('', { status: 404 }),
      log: { debug: (fields) => void logged.push(fields.upstream) },
      logPath: (path, user) => maskUser(path, user, () => undefined),
    });
    const error = (await backend.getCalendar(CREDS, CAL).then(() => undefined, (e: unknown) => e)) as GatewayError | undefined;
    expect(error).toBeUndefined();
    expect(logged.map((l) => l.path)).toEqual(['/~/calendar/']);
  });

  it('logs a request that got no answer with its reason, and no status', async () => {
    const backend = new CalDavBackend({
      serverUrl: SERVER,
      timeoutMs: 1000,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      },
      log: { debug: (fields) => void logged.push(fields.upstream) },
    });
    const logged: Array<UpstreamExchange & { failure?: string }> = [];
    const error = (await backend.getCalendar(CREDS, CAL).catch((e: unknown) => e)) as GatewayError;
    expect(error.kind).toBe('unavailable');
    expect(logged).toEqual([{ method: 'PROPFIND', path: '/alice/calendar/', ms: expect.any(Number), failure: 'ECONNREFUSED' }]);
    expect(error.exchange).toEqual({ method: 'PROPFIND', path: '/alice/calendar/', ms: expect.any(Number) });
  });
});

describe('recurring masters selected in the gateway', () => {
  const object = (name: string, lines: string[]) => ({
    url: `${CAL}${name}.ics`,
    version: '"1"',
    ical: ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', `UID:${name}`, 'DTSTAMP:20240101T000000Z', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'),
  });
  const window = { start: new Date('2024-09-13T00:00:00Z'), end: new Date('2024-09-14T00:00:00Z') };
  const weekly = object('weekly', ['DTSTART:20240105T090000Z', 'DTEND:20240105T100000Z', 'RRULE:FREQ=WEEKLY']);

  it('keeps masters with an occurrence in the range, and reads the server from them', () => {
    const monthly = object('monthly', ['DTSTART:20240101T090000Z', 'DTEND:20240101T100000Z', 'RRULE:FREQ=MONTHLY']);
    expect(selectRecurring([weekly, monthly], 'VEVENT', window, new Set())).toEqual({ selected: [weekly], evidence: 'ignores-rrule' });
    expect(selectRecurring([weekly, monthly], 'VEVENT', window, new Set([weekly.url]))).toEqual({ selected: [weekly], evidence: 'expands' });
    // Its first instance in the range proves nothing about the server.
    const starting = object('starting', ['DTSTART:20240913T090000Z', 'DTEND:20240913T100000Z', 'RRULE:FREQ=DAILY']);
    expect(selectRecurring([starting], 'VEVENT', window, new Set())).toEqual({ selected: [starting], evidence: undefined });
  });

  it('keeps an all-day (floating) series whose day touches the range in some zone, as no evidence', () => {
    const allDay = object('allday', ['DTSTART;VALUE=DATE:20240105', 'DTEND;VALUE=DATE:20240106', 'RRULE:FREQ=WEEKLY']);
    // Friday 2024-09-13 read in UTC+14 begins at 2024-09-12T10:00Z.
    const before = { start: new Date('2024-09-12T11:00:00Z'), end: new Date('2024-09-12T12:00:00Z') };
    expect(selectRecurring([allDay], 'VEVENT', before, new Set())).toEqual({ selected: [allDay], evidence: undefined });
    expect(selectRecurring([allDay], 'VEVENT', { start: new Date('2024-09-10T00:00:00Z'), end: new Date('2024-09-11T00:00:00Z') }, new Set()).selected).toEqual([]);
  });

  it('leaves unreadable data and other component types out', () => {
    const broken = { url: `${CAL}broken.ics`, version: '', ical: 'BEGIN:VCALENDAR\r\nnonsense' };
    expect(selectRecurring([broken, weekly], 'VTODO', window, new Set()).selected).toEqual([]);
  });
});

describe('range queries while the recurrence question is open', () => {
  const ONE = `<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/alice/calendar/a.ics</href>
<propstat><prop><getetag>"1"</getetag><C:calendar-data>BEGIN:VCALENDAR&#13;\nBEGIN:VEVENT&#13;\nUID:a&#13;\nDTSTART:20240913T100000Z&#13;\nEND:VEVENT&#13;\nEND:VCALENDAR&#13;\n</C:calendar-data></prop>
<status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`;
  const window = { start: new Date('2024-09-13T00:00:00Z'), end: new Date('2024-09-14T00:00:00Z') };

  it('answers with the time-range result when the server refuses the masters query, and asks again later', async () => {
    const { backend, sent } = scripted((_method, body) => (body.includes('name="RRULE"') ? xml(400, 'no prop-filter here') : xml(207, ONE)));
    for (let i = 0; i < 2; i++) {
      const found = await backend.queryRange(CREDS, CAL, ['VEVENT'], window);
      expect(found.map((o) => o.url)).toEqual([`${CAL}a.ics`]);
    }
    expect(sent).toEqual(['REPORT', 'REPORT', 'REPORT', 'REPORT']);
    expect(backend.serverCapabilities().timeRangeExpandsRecurrences).toBeUndefined();
  });
});

describe('recurrence decision state', () => {
  it('pauses a calendar without masters for a minute while undecided, and not once decided', () => {
    let now = 0;
    const caps = new ServerCapabilities(new DavTransport(1000), () => now);
    expect(caps.recurringMasters(CAL, 'VEVENT')).toBe('after');
    caps.noteMasters(CAL, 'VEVENT', 0);
    expect(caps.recurringMasters(CAL, 'VEVENT')).toBe('none');
    expect(caps.recurringMasters(CAL, 'VTODO')).toBe('after');
    now += 59_000;
    expect(caps.recurringMasters(CAL, 'VEVENT')).toBe('none');
    now += 2000;
    expect(caps.recurringMasters(CAL, 'VEVENT')).toBe('after');
    caps.noteMasters(CAL, 'VEVENT', 0);
    caps.forgetCalendar(CAL);
    expect(caps.recurringMasters(CAL, 'VEVENT')).toBe('after');
    caps.learnRecurrence('ignores-rrule');
    caps.learnRecurrence('expands');
    expect(caps.recurringMasters(CAL, 'VEVENT')).toBe('alongside');
    expect(caps.snapshot().timeRangeExpandsRecurrences).toBe(false);
  });

  it('probes at the second occurrence, never with a master whose own dates reach it', () => {
    const object = (name: string, lines: string[]) => ({
      url: `${CAL}${name}.ics`,
      version: '',
      ical: ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', `UID:${name}`, ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'),
    });
    // Three days long, every day: the second occurrence lies inside the first.
    const long = object('long', ['DTSTART:20240105T090000Z', 'DTEND:20240108T090000Z', 'RRULE:FREQ=DAILY']);
    const allDay = object('allday', ['DTSTART;VALUE=DATE:20240105', 'RRULE:FREQ=WEEKLY']);
    const weekly = object('weekly', ['DTSTART:20240105T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY']);
    expect(probeWindow([long, allDay], 'VEVENT')).toBeUndefined();
    expect(probeWindow([long, allDay, weekly], 'VEVENT')).toEqual({ object: weekly, range: { start: new Date('2024-01-12T09:00:00Z'), end: new Date('2024-01-12T10:00:00Z') } });
  });
});
