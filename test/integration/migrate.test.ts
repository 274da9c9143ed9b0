import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { runMigrate } from '../../src/migrate/index.js';
import { startForwardingProxy, type ForwardingProxy } from '../support/forwarding-proxy.js';
import { startHarness, xmlValue } from '../support/gateway-harness.js';
import { legacyFixture, mkcalendarBody, PROJECTS_CALENDAR, readCalendar, type FixtureObject } from '../support/migrate-fixture.js';
import { startRadicale, type RunningRadicale } from '../support/services.js';

/**
 * `wcap-gateway migrate` end to end. The legacy WCAP server is this gateway in front of a second
 * Radicale holding the fixture; the new server is the shared test Radicale, read back directly with
 * CalDAV REPORTs and ical.js. Each test migrates a user of its own (see TEST_USERS).
 */
const users = inject('testUsers');
let legacyRadicale: RunningRadicale;
let legacyGateway: RunningGateway;
/** The legacy gateway as a server without export.wcap (errno 52, as before WCAP 3.0 servers had it). */
let withoutExport: ForwardingProxy;
let dir: string;

/** Forwards every request to `target` except export.wcap, which answers errno 52 (unknown command). */
function refusingExport(target: string): Promise<ForwardingProxy> {
  return startForwardingProxy(target, {
    intercept(req, res) {
      if (!req.url?.startsWith('/export.wcap')) return false;
      res.writeHead(200, { 'Content-Type': 'text/calendar; charset=UTF-8' });
      res.end('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-NSCP-WCAP-ERRNO:52\r\nEND:VCALENDAR\r\n');
      return true;
    },
  });
}

beforeAll(async () => {
  legacyRadicale = await startRadicale(users);
  const config = loadConfig({ WCAP_HOST: '127.0.0.1', WCAP_PORT: '0', WCAP_CALDAV_URL: legacyRadicale.url, WCAP_MAIL_DOMAIN: 'example.com', WCAP_LOG_LEVEL: 'silent' });
  legacyGateway = await startGateway(config, createLogger('silent'));
  withoutExport = await refusingExport(legacyGateway.url);
  dir = mkdtempSync(join(tmpdir(), 'wcap-migrate-test-'));
});

afterAll(async () => {
  await withoutExport?.close();
  await legacyGateway?.close();
  await legacyRadicale?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function caldav(base: string, user: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Basic ${Buffer.from(`${user}:${users[user]}`).toString('base64')}`);
  return fetch(new URL(path, base), { ...init, headers });
}
const onLegacy = (user: string) => (path: string, init: RequestInit = {}) => caldav(legacyRadicale.url, user, path, init);
const onTarget = (user: string) => (path: string, init: RequestInit = {}) => caldav(inject('radicaleUrl'), user, path, init);

/** Writes the user's legacy calendars straight into the legacy Radicale. */
async function seedLegacy(user: string): Promise<FixtureObject[]> {
  const request = onLegacy(user);
  for (const [name, props] of [['calendar', { displayName: user }], ['projects', PROJECTS_CALENDAR]] as const) {
    const res = await request(`/${user}/${name}/`, { method: 'MKCALENDAR', body: mkcalendarBody(props), headers: { 'Content-Type': 'application/xml' } });
    expect(res.status).toBe(201);
  }
  const fixture = legacyFixture(user);
  for (const object of fixture) {
    const res = await request(`/${user}/${object.calendar}/${object.uid}.ics`, { method: 'PUT', body: object.ical, headers: { 'Content-Type': 'text/calendar' } });
    expect(res.status).toBe(201);
  }
  return fixture;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function migrate(args: string[], env: Record<string, string> = {}, isTTY = false, from = legacyGateway.url): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runMigrate(['--from', from, '--to', inject('radicaleUrl'), ...args], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env,
    isTTY,
  });
  return { code, stdout, stderr };
}

function usersFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Objects of the user's two calendars on the new server, by calendar. */
async function targetObjects(user: string): Promise<Record<'calendar' | 'projects', ICAL.Component[]>> {
  const request = onTarget(user);
  return { calendar: await readCalendar(request, `/${user}/calendar/`), projects: await readCalendar(request, `/${user}/projects/`) };
}

const items = (vcalendar: ICAL.Component) => vcalendar.getAllSubcomponents().filter((c) => c.name === 'vevent' || c.name === 'vtodo');
const uidsOf = (objects: ICAL.Component[]) => objects.flatMap((o) => [...new Set(items(o).map((c) => String(c.getFirstPropertyValue('uid'))))]);

/** A component as text, its properties (but DTSTAMP) and subcomponents in a stable order. */
function content(component: ICAL.Component): string {
  const properties = component.getAllProperties().filter((p) => p.name !== 'dtstamp').map((p) => p.toICALString()).sort();
  return [component.name, ...properties, ...component.getAllSubcomponents().map(content).sort()].join('\n');
}

function objectWithUid(objects: ICAL.Component[], uid: string): ICAL.Component {
  const found = objects.filter((o) => items(o).some((c) => c.getFirstPropertyValue('uid') === uid));
  expect(found, `objects holding ${uid}`).toHaveLength(1);
  return found[0]!;
}

/** Every fixture item is on the new server once, component by component as on the old one. */
async function expectMigrated(user: string, fixture: FixtureObject[]): Promise<void> {
  const target = await targetObjects(user);
  for (const name of ['calendar', 'projects'] as const) {
    expect(uidsOf(target[name]).sort()).toEqual(fixture.filter((f) => f.calendar === name).map((f) => f.uid).sort());
  }
  for (const object of fixture) {
    const stored = objectWithUid(target[object.calendar as 'calendar' | 'projects'], object.uid);
    const original = new ICAL.Component(ICAL.parse(object.ical) as unknown[]);
    expect(items(stored).map(content).sort(), object.uid).toEqual(items(original).map(content).sort());
  }
}

/** The gateway's namespace for the dead properties of a calendar home (docs/wcap-protocol.md#subscriptions-and-preferences). */
const SETTINGS_NS = 'urn:wcap-gateway:properties';

/** Sets the gateway's dead properties of the user's home directly, as JSON text. */
async function storeSettings(request: (path: string, init?: RequestInit) => Promise<Response>, user: string, settings: { subscriptions: string[]; preferences: Record<string, string[]> }): Promise<void> {
  const escape = (value: unknown) => JSON.stringify(value).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body =
    `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:G="${SETTINGS_NS}"><D:set><D:prop>` +
    `<G:subscribed-calendars>${escape(settings.subscriptions)}</G:subscribed-calendars><G:user-preferences>${escape(settings.preferences)}</G:user-preferences>` +
    '</D:prop></D:set></D:propertyupdate>';
  const res = await request(`/${user}/`, { method: 'PROPPATCH', body, headers: { 'Content-Type': 'application/xml' } });
  expect(res.status).toBe(207);
}

/** The gateway's dead properties of the user's home on the new server, read with a PROPFIND (undefined when absent). */
async function storedSettings(user: string): Promise<{ subscriptions?: unknown; preferences?: unknown }> {
  const body = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:G="${SETTINGS_NS}"><D:prop><G:subscribed-calendars/><G:user-preferences/></D:prop></D:propfind>`;
  const res = await onTarget(user)(`/${user}/`, { method: 'PROPFIND', headers: { Depth: '0', 'Content-Type': 'application/xml' }, body });
  expect(res.status).toBe(207);
  const text = await res.text();
  const value = (name: string) => {
    const match = new RegExp(`<[^>]*:?${name}>([^<]*)</`).exec(text);
    return match ? (JSON.parse(match[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as unknown) : undefined;
  };
  return { subscriptions: value('subscribed-calendars'), preferences: value('user-preferences') };
}

describe('wcap-gateway migrate', () => {
  it('copies calendars with series, exceptions, all-day items, tasks, alarms, attendees and zones, and verifies them', async () => {
    const user = 'mira';
    const fixture = await seedLegacy(user);
    const file = usersFile('mira.users', ['# user<TAB>password', `${user}\t${users[user]}`]);
    const state = join(dir, 'mira.state.json');

    const run = await migrate(['--users-file', file, '--state', state, '--progress-every', '2']);

    // The gateway answers export.wcap: one request per calendar.
    expect(run.stderr).toContain(`${user} ${user}: 5 items read from the old server (export)`);
    expect(run.stderr).toContain(`${user} ${user}: 2/5 done`);
    expect(run.stdout).toMatch(new RegExp(`${user}\\s+${user}\\s+${user}\\s+5\\s+5\\s+0\\s+0\\s+ok 5/5`));
    expect(run.stdout).toMatch(new RegExp(`${user}\\s+${user}:projects\\s+${user}:projects\\s+1\\s+1\\s+0\\s+0\\s+ok 1/1`));
    expect(run.code).toBe(0);
    await expectMigrated(user, fixture);

    const target = await targetObjects(user);
    const standup = objectWithUid(target.calendar, `standup-${user}`);
    const [master, moved] = items(standup).sort((a, b) => Number(a.hasProperty('recurrence-id')) - Number(b.hasProperty('recurrence-id')));
    expect(master!.getFirstProperty('rrule')!.toICALString()).toBe('RRULE:FREQ=WEEKLY;COUNT=10');
    expect(master!.getFirstProperty('exdate')!.toICALString()).toBe('EXDATE;TZID=Europe/Berlin:20270118T090000');
    expect(master!.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/Berlin:20270104T090000');
    expect(master!.getAllProperties('attendee').map((a) => [a.getFirstValue(), a.getParameter('partstat')])).toEqual([
      ['mailto:bob@example.com', 'ACCEPTED'],
      ['mailto:carol@example.org', 'TENTATIVE'],
    ]);
    expect(master!.getFirstSubcomponent('valarm')!.getFirstProperty('trigger')!.toICALString()).toBe('TRIGGER:-PT15M');
    expect(moved!.getFirstProperty('recurrence-id')!.toICALString()).toBe('RECURRENCE-ID;TZID=Europe/Berlin:20270111T090000');
    expect(moved!.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/Berlin:20270111T140000');
    expect(standup.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Europe/Berlin']);
    const office = objectWithUid(target.calendar, `office-${user}`);
    const zone = office.getFirstSubcomponent('vtimezone')!;
    expect(zone.getFirstPropertyValue('tzid')).toBe('Office Time');
    expect(zone.getFirstSubcomponent('standard')!.getFirstProperty('tzoffsetto')!.toICALString()).toBe('TZOFFSETTO:+0530');

    // The second calendar was created with the old calendar's name and description.
    const props = await onTarget(user)(`/${user}/projects/`, { method: 'PROPFIND', headers: { Depth: '0' } });
    const body = await props.text();
    expect(body).toContain(PROJECTS_CALENDAR.displayName);
    expect(body).toContain(PROJECTS_CALENDAR.description);

    // Nothing secret in the output: no password, no session id (32 alphanumerics).
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(users[user]);
      expect(text).not.toMatch(/[A-Za-z0-9]{32}/);
    }

    // A run with a fresh state file finds every item on the new server, unchanged: skipped, not copied again.
    const again = await migrate(['--users-file', file, '--state', join(dir, 'mira.fresh-state.json')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${user}\\s+${user}\\s+${user}\\s+5\\s+0\\s+5\\s+0\\s+ok 5/5`));
    expect(again.stdout).toContain(`${user} ${user}: skipped 0 already copied (state file), 5 already on the new server unchanged`);
    await expectMigrated(user, fixture);

    // A calendar above --max-items fails as a whole, clearly, and the run exits 1.
    const capped = await migrate(['--users-file', file, '--state', join(dir, 'mira.capped-state.json'), '--max-items', '4']);
    expect(capped.code).toBe(1);
    expect(capped.stdout).toContain('FAILED: 5 items, more than --max-items 4; nothing copied');
    expect(capped.stdout).toMatch(new RegExp(`${user}:projects\\s+1\\s+0\\s+1\\s+0\\s+ok 1/1`));
  });

  it('resumes an interrupted run: the second run copies the rest, skips what the first one wrote, and each item is there once', async () => {
    const user = 'nils';
    const fixture = await seedLegacy(user);
    const file = usersFile('nils.users', [`${user}:${users[user]}`]);
    const state = join(dir, 'nils.state.json');

    // An old server without export.wcap (errno 52): the tool falls back to the range fetch.
    const first = await migrate(['--users-file', file, '--state', state, '--stop-after', '3', '--concurrency', '1'], {}, false, withoutExport.url);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain(`${user} ${user}: 5 items read from the old server (fetchcomponents_by_range)`);
    expect(first.stdout).toContain('Stopped after 3 writes (--stop-after)');
    // The subscription list and preferences come after the calendars: the next run copies them.
    expect(first.stdout).toContain(`${user}: subscriptions and preferences: not copied yet (stopped)`);
    const recorded = JSON.parse(readFileSync(state, 'utf8')) as { users: Record<string, { calendars: Record<string, { written: string[] }> }> };
    expect(recorded.users[user]!.calendars[user]!.written).toHaveLength(3);
    const copied = uidsOf((await targetObjects(user)).calendar);
    expect(copied.sort()).toEqual([...recorded.users[user]!.calendars[user]!.written].sort());

    // The state file belongs to that source: the rest comes from the same server.
    const second = await migrate(['--users-file', file, '--state', state], {}, false, withoutExport.url);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`${user}\\s+${user}\\s+${user}\\s+5\\s+2\\s+3\\s+0\\s+ok 5/5`));
    expect(second.stdout).toContain(`${user} ${user}: skipped 3 already copied (state file), 0 already on the new server unchanged`);
    expect(second.stdout).toContain(`${user}: subscriptions: 0 added, 2 already there, 0 skipped\n`);
    expect(second.stdout).toMatch(new RegExp(`${user}\\s+${user}:projects\\s+${user}:projects\\s+1\\s+1\\s+0\\s+0\\s+ok 1/1`));
    await expectMigrated(user, fixture);
  });

  it('--dry-run reads everything, reports what it would write, and writes nothing', async () => {
    const user = 'olga';
    await seedLegacy(user);
    const file = usersFile('olga.users', [`${user}\t${users[user]}`]);
    const state = join(dir, 'olga.state.json');

    const run = await migrate(['--users-file', file, '--state', state, '--dry-run'], {}, true);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: nothing was written.');
    expect(run.stdout).toMatch(new RegExp(`${user}\\s+${user}\\s+${user}\\s+5\\s+5\\s+0\\s+0\\s+dry run`));
    expect(run.stdout).toMatch(new RegExp(`${user}\\s+${user}:projects\\s+${user}:projects\\s+1\\s+1\\s+0\\s+0\\s+dry run`));
    expect(run.stderr).toContain('\r\x1b[2K[');
    expect(run.stderr).toContain('5/5 olga olga');
    expect(existsSync(state)).toBe(false);
    const home = await onTarget(user)(`/${user}/`, { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(await home.text()).not.toContain('calendar</');
    expect(await targetObjects(user)).toEqual({ calendar: [], projects: [] });
  });

  it('carries the subscription list and the user-settable preferences over, merging with what the new server has', async () => {
    const user = 'sven';
    await seedLegacy(user);
    // On the old server: own calendars and other users' ones subscribed, and preferences, one
    // beyond set_userprefs' value length. The old gateway answers get_userprefs from these.
    await storeSettings(onLegacy(user), user, {
      subscriptions: ['alice', `${user}:projects`, user, 'team:plans'],
      preferences: { ceDefaultAlarmStart: ['PT30M'], ceNotifyEmail: ['sven@example.org'], icsTimezone: ['Europe/Berlin'], ceHuge: ['x'.repeat(1025)] },
    });
    const file = usersFile('sven.users', [`${user}\t${users[user]}`]);
    const state = join(dir, 'sven.state.json');

    // A dry run reports what it would add and writes nothing.
    const dry = await migrate(['--users-file', file, '--state', state, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${user}: subscriptions: 4 to add (alice, ${user}:projects, ${user}, team:plans), 0 already there, 0 skipped; other users' calendars`);
    expect(dry.stdout).toContain(`${user}: preferences: 4 to add (ceDefaultAlarmEmail, ceDefaultAlarmStart, ceNotifyEmail, icsTimezone), 0 already there and kept, 1 skipped (CEHUGE: a value longer than 1024 characters)`);
    expect(await storedSettings(user)).toEqual({ subscriptions: undefined, preferences: undefined });

    const run = await migrate(['--users-file', file, '--state', state]);
    expect(run.code).toBe(0);
    // The new server's list before: the user's own calendars, which the migration has just copied.
    expect(run.stdout).toContain(`${user}: subscriptions: 2 added (alice, team:plans), 2 already there, 0 skipped; other users' calendars are listed without checking access: one the user cannot read yet answers errno 28 in the client until it is shared on the new server`);
    expect(run.stdout).toContain(`${user}: preferences: 4 added (ceDefaultAlarmEmail, ceDefaultAlarmStart, ceNotifyEmail, icsTimezone), 0 already there and kept, 1 skipped (CEHUGE: a value longer than 1024 characters)`);
    const preferences = { ceDefaultAlarmStart: ['PT30M'], ceNotifyEmail: ['sven@example.org'], icsTimezone: ['Europe/Berlin'], ceDefaultAlarmEmail: ['sven@example.com'] };
    expect(await storedSettings(user)).toEqual({ subscriptions: [user, `${user}:projects`, 'alice', 'team:plans'], preferences });

    // A gateway in front of the new server answers them, spelt as Lightning looks them up.
    const h = await startHarness();
    try {
      const id = await h.login(user);
      const listed = await h.wcap('list_subscribed', `id=${id}&fmt-out=text%2Fcalendar`);
      expect(listed.ical!.getAllProperties('x-s1cs-calprops-subscribed-calendar').map((p) => p.getFirstValue())).toEqual([user, `${user}:projects`, 'alice', 'team:plans']);
      const prefs = await h.wcap('get_userprefs', `id=${id}&fmt-out=text%2Fxml`);
      expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-ceDefaultAlarmStart')).toBe('PT30M');
      expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-icsTimezone')).toBe('Europe/Berlin');
      expect(xmlValue(prefs.xml!, 'X-NSCP-WCAP-PREF-icsSubscribed')).toBe(`${user}$${user},${user}:projects$${PROJECTS_CALENDAR.displayName},alice$,team:plans$`);

      // Between two runs the user subscribes to a new calendar and changes a preference on the new side.
      const extra = await onTarget(user)(`/${user}/extra/`, { method: 'MKCALENDAR', body: mkcalendarBody({ displayName: 'extra' }), headers: { 'Content-Type': 'application/xml' } });
      expect(extra.status).toBe(201);
      expect((await h.wcap('subscribe_calendars', `id=${id}&calid=${user}%3Aextra&fmt-out=text%2Fcalendar`)).errno).toBe(0);
      expect((await h.wcap('set_userprefs', `id=${id}&set_attrs=ceNotifyEmail%3Dnew%40example.org&fmt-out=text%2Fcalendar`)).errno).toBe(0);
    } finally {
      await h.close();
    }

    // A second run adds nothing twice and keeps what the new side has.
    const again = await migrate(['--users-file', file, '--state', state]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${user}: subscriptions: 0 added, 4 already there, 0 skipped\n`);
    expect(again.stdout).toContain(`${user}: preferences: 0 added, 4 already there and kept (ceDefaultAlarmEmail, ceDefaultAlarmStart, ceNotifyEmail, icsTimezone), 1 skipped`);
    expect(await storedSettings(user)).toEqual({
      subscriptions: [user, `${user}:projects`, 'alice', 'team:plans', `${user}:extra`],
      preferences: { ...preferences, ceNotifyEmail: ['new@example.org'] },
    });
    for (const text of [dry.stdout, dry.stderr, run.stdout, run.stderr, again.stdout, again.stderr]) {
      expect(text).not.toContain(users[user]);
      expect(text).not.toMatch(/[A-Za-z0-9]{32}/);
    }
  });

  it('reports an old server that ignores proxyauth, and a refused password, without writing or printing secrets', async () => {
    const user = 'pia';
    await seedLegacy(user);
    const proxied = await migrate(['--user', user, '--proxy-admin', 'alice', '--state', join(dir, 'pia.state.json')], {
      WCAP_MIGRATE_ADMIN_PASSWORD: users.alice!,
      WCAP_MIGRATE_NEW_PASSWORD: users[user]!,
    });
    expect(proxied.code).toBe(1);
    expect(proxied.stdout).toMatch(new RegExp(`${user}\\s+-\\s+-\\s+0\\s+0\\s+0\\s+1\\s+FAILED: old server: login: the old server ignored proxyauth and opened a session for alice instead of ${user}`));

    const wrong = await migrate(['--users-file', usersFile('pia.users', [`${user}\twrong-password-123`]), '--state', join(dir, 'pia.state.json')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('FAILED: old server: login: the old server answered errno 1');
    expect(wrong.stderr).toContain(`${user}: FAILED: old server: login: the old server answered errno 1`);
    for (const text of [proxied.stdout, proxied.stderr, wrong.stdout, wrong.stderr]) {
      expect(text).not.toContain(users.alice);
      expect(text).not.toContain('wrong-password-123');
    }
    expect(await targetObjects(user)).toEqual({ calendar: [], projects: [] });
  });
});
