import ICAL from 'ical.js';
import type { Hono } from 'hono';
import { expect } from 'vitest';
import { createApp } from '../../src/app.js';
import type { UserHome } from '../../src/backend/calendar-backend.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Directory } from '../../src/mapping/directory.js';
import type { Clock } from '../../src/model/clock.js';
import { CalendarService } from '../../src/calendars/calendar-service.js';
import { CONFLICT_RETRIES, type ConflictRetry } from '../../src/calendars/merge-retry.js';
import { MemoryGuidStore } from '../../src/state/memory/guid-store.js';
import { MemorySessionStore } from '../../src/state/memory/session-store.js';
import { MemorySnapshotStore } from '../../src/state/memory/snapshot-store.js';
import { MemoryTombstoneStore } from '../../src/state/memory/tombstone-store.js';
import { SecretBox } from '../../src/state/secret-box.js';
import { inputLimitsOf } from '../../src/wcap/input-limits.js';
import type { PipelineDeps } from '../../src/wcap/run-command.js';
import { LoginThrottle } from '../../src/wcap/login-throttle.js';
import { MemoryLoginThrottleStore } from '../../src/state/memory/login-throttle-store.js';
import { throttlePolicyOf } from '../../src/gateway-state.js';
import { MemoryBackend } from './memory-backend.js';
import { childElements, elementsByTagName, parseXml, textContent, type ParsedElement } from './parse-xml.js';
import { GoldenRecorder, matchGolden as matchGoldenWith, type Rendering } from './golden-formats.js';

/**
 * A gateway for golden tests (docs/architecture.md#testing): the real Hono app and pipeline over
 * the in-memory CalDAV fake and memory stores, a fixed clock, and requests made in-process with
 * `app.request` (no network). Only session ids and server-made UIDs are random; {@link normalise}
 * replaces them by stable labels so the rest of every answer can be compared byte for byte.
 */

/** 2026-03-02T10:00:00Z, a Monday. Every DTSTAMP, CREATED, LAST-MODIFIED and X-NSCP-WCAPTIME. */
export const FIXED_NOW = Date.UTC(2026, 2, 2, 10, 0, 0);
/** Logins the fake accepts. alice's password needs encoding (`@`, `&`, `;`, space, non-ASCII). */
export const PASSWORDS = { alice: 'Alice p@ss&wörd;1', bob: 'bob-secret-42' } as const;
export type GoldenUser = keyof typeof PASSWORDS;
export const CALDAV_URL = 'http://caldav.test/';
export const GATEWAY_URL = 'http://wcap.test/';
export const ICS_TYPE = 'text/calendar; charset=UTF-8';
export const XML_TYPE = 'text/xml; charset=UTF-8';
/**
 * Lightning's two formats, as it puts them into URLs (already encoded,
 * docs/lightning.md#url-templates).
 */
export const FORMATS = [
  { fmtOut: 'text%2Fcalendar', ext: 'ics', contentType: ICS_TYPE },
  { fmtOut: 'text%2Fxml', ext: 'xml', contentType: XML_TYPE },
] as const;
export type Format = (typeof FORMATS)[number];

/** Lightning's URL encoding of one value (encodeURIComponent, docs/lightning.md#value-encoding). */
export const enc = encodeURIComponent;

export interface GoldenAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  /** The body exactly as sent. */
  body: string;
  /** What the pipeline rendered (see golden-formats.ts); undefined for an unknown fmt-out. */
  rendering?: Rendering | undefined;
}

export interface GoldenGateway {
  app: Hono;
  deps: PipelineDeps;
  backend: MemoryBackend;
  /** GET `<base><command>.wcap?<query>` in-process, the query exactly as given. */
  get(command: string, query: string): Promise<GoldenAnswer>;
  /** The same request with a method and body of its own (a POST with a file part), the rendering recorded too. */
  send(command: string, query: string, init: RequestInit): Promise<GoldenAnswer>;
  /** Logs in as Lightning does (docs/lightning.md#login-request) and returns the session id. */
  login(user: GoldenUser): Promise<string>;
  /** The user's calendar home, as the fake reports it. */
  home(user: GoldenUser): UserHome;
  /** Creates an extra calendar directly on the fake CalDAV server. */
  createCalendar(user: GoldenUser, name: string, props: { displayName?: string; description?: string; timezone?: string }): Promise<void>;
  /** Stores an iCalendar object directly on the fake CalDAV server (as another CalDAV client would). */
  putObject(user: GoldenUser, calendar: string, uid: string, lines: string[]): Promise<void>;
}

/**
 * `options.conflictRetry` replaces the instant redo of writes that lost an If-Match race.
 * `env` adds configuration (environment variable names, e.g. a small `WCAP_RECURRENCE_BOUND` to
 * show the expansion cap in a golden of readable size). `options.accessControl` makes the fake
 * CalDAV server accept WebDAV ACLs (Radicale does not).
 */
export function buildGoldenGateway(env: Record<string, string> = {}, options: { conflictRetry?: ConflictRetry; accessControl?: boolean } = {}): GoldenGateway {
  const config = loadConfig({
    WCAP_CALDAV_URL: CALDAV_URL,
    WCAP_MAIL_DOMAIN: 'example.com',
    WCAP_LOG_LEVEL: 'silent',
    ...env,
  });
  const clock: Clock = { now: () => FIXED_NOW };
  const backend = new MemoryBackend({ users: { ...PASSWORDS }, serverUrl: CALDAV_URL, accessControl: options.accessControl ?? false });
  const directory = new Directory(config.mailDomain);
  const deps: PipelineDeps = {
    sessions: new MemorySessionStore({
      limits: { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds },
      secretBox: new SecretBox('golden-test-secret-0123456789'),
      clock,
    }),
    calendars: new CalendarService({
      backend,
      guids: new MemoryGuidStore(),
      tombstones: new MemoryTombstoneStore({ clock, retentionSeconds: config.tombstoneRetentionSeconds }),
      snapshots: { local: new MemorySnapshotStore({ maxBytes: config.cacheMaxMb * 1024 * 1024 }) },
      directory,
      clock,
      defaultCalendar: config.defaultCalendar,
      log: createLogger('silent'),
      // Lost If-Match races are redone at once: tests never sleep.
      conflictRetry: options.conflictRetry ?? { retries: CONFLICT_RETRIES, pause: async () => undefined },
    }),
    clock,
    server: { recurrenceBound: config.recurrenceBound, maxAttendees: config.maxAttendees, directory },
    limits: inputLimitsOf(config),
    logins: new LoginThrottle(new MemoryLoginThrottleStore({ clock, policy: throttlePolicyOf(config) })),
  };
  const recorder = new GoldenRecorder();
  const app = createApp(deps, { logger: createLogger('silent'), formatterFor: recorder.formatterFor });
  const home = (user: GoldenUser): UserHome => {
    const url = `${CALDAV_URL}${encodeURIComponent(user)}/`;
    return { principalUrl: url, calendarHomeUrl: url };
  };
  const credentials = (user: GoldenUser) => ({ user, password: PASSWORDS[user] });
  const gateway: GoldenGateway = {
    app,
    deps,
    backend,
    home,
    get(command, query) {
      return gateway.send(command, query, {});
    },
    async send(command, query, init) {
      const { value: res, rendering } = await recorder.run(async () => app.request(`${GATEWAY_URL}${command}.wcap?${query}`, init));
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.text(), rendering };
    },
    async login(user) {
      const answer = await gateway.get('login', `fmt-out=text%2Fcalendar&user=${enc(user)}&password=${enc(PASSWORDS[user])}`);
      const [vcalendar] = parseIcs(answer.body);
      const id = vcalendar?.getFirstPropertyValue('x-nscp-wcap-session-id');
      if (typeof id !== 'string' || lightningErrno(vcalendar!) !== 0) throw new Error(`login of ${user} failed: ${answer.body}`);
      return id;
    },
    async createCalendar(user, name, props) {
      await backend.createCalendar(credentials(user), backend.calendarUrl(home(user), user, name), props);
    },
    async putObject(user, calendar, uid, lines) {
      const url = backend.calendarUrl(home(user), user, calendar);
      await backend.createObject(credentials(user), url, uid, `${lines.join('\r\n')}\r\n`);
    },
  };
  return gateway;
}

// Session ids are 32 characters of [A-Za-z0-9] (state/session-id.ts); server-made UIDs and GUIDs
// come from crypto.randomUUID (version 4). Nothing else in an answer has either shape.
const RANDOM_TOKEN =
  /(?<![A-Za-z0-9-])(?:[A-Za-z0-9]{32}|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})(?![A-Za-z0-9-])/g;

/**
 * Replaces session ids by `SESSIONID-1`, `SESSIONID-2` … and random UUIDs by `GUID-1`, `GUID-2` …,
 * numbered in order of first appearance in this body; the same value always gets the same label.
 */
export function normalise(body: string): string {
  const labels = new Map<string, string>();
  let sessions = 0;
  let guids = 0;
  return body.replace(RANDOM_TOKEN, (token) => {
    let label = labels.get(token);
    if (label === undefined) {
      label = token.includes('-') ? `GUID-${++guids}` : `SESSIONID-${++sessions}`;
      labels.set(token, label);
    }
    return label;
  });
}

/**
 * Compares an answer with golden file `name` of test/golden/__golden__/ (normalised), and writes and
 * checks its text/js (beside `.ics`) or text/json (beside `.xml`) twin (golden-formats.ts).
 */
export function matchGolden(answer: GoldenAnswer, name: string): Promise<void> {
  return matchGoldenWith(answer, name, normalise);
}

/** Every VCALENDAR of a text/calendar body, parsed with ical.js (throws on anything ill-formed). */
export function parseIcs(body: string): ICAL.Component[] {
  const parsed = ICAL.parse(body) as unknown[];
  const list = typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[][]);
  return list.map((jcal) => new ICAL.Component(jcal));
}

/**
 * Lightning's stringToIcal (docs/lightning.md#response-parsing): parseInt of the root's first
 * X-NSCP-WCAP-ERRNO (NaN when absent).
 */
export function lightningErrno(vcalendar: ICAL.Component): number {
  const property = vcalendar.getFirstProperty('x-nscp-wcap-errno');
  return property ? Number.parseInt(String(property.getFirstValue()), 10) : Number.NaN;
}

/** Raw text of a calendar-level X-token (Lightning reads X-tokens raw). */
export function xToken(vcalendar: ICAL.Component, name: string): string | undefined {
  const property = vcalendar.getFirstProperty(name.toLowerCase());
  return property ? String(property.getFirstValue()) : undefined;
}

/**
 * Checks a text/calendar answer the way Lightning reads it: HTTP 200, the content type, exactly
 * `count` VCALENDARs (one for single-calendar answers), each with exactly one errno; the first
 * one's errno is `errno`. Returns the VCALENDARs.
 */
export function checkIcs(answer: GoldenAnswer, errno: number, count = 1): ICAL.Component[] {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe(ICS_TYPE);
  expect(answer.body.endsWith('\r\n')).toBe(true);
  // Every line ends in CRLF (no bare LF) and no physical line exceeds 75 octets.
  for (const line of answer.body.slice(0, -2).split('\r\n')) {
    expect(line).not.toMatch(/[\r\n]/);
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  }
  const calendars = parseIcs(answer.body);
  expect(calendars.map((c) => c.name)).toEqual(Array(count).fill('vcalendar'));
  for (const calendar of calendars) expect(calendar.getAllProperties('x-nscp-wcap-errno')).toHaveLength(1);
  expect(lightningErrno(calendars[0]!)).toBe(errno);
  return calendars;
}

/**
 * Checks a text/xml answer: HTTP 200, the content type, a well-formed document whose root is
 * `<iCalendar>` holding `count` `<iCal>` elements, each with exactly one `<X-NSCP-WCAP-ERRNO>`;
 * the document's first errno (what Lightning reads) is `errno`. Returns the `<iCal>` elements.
 */
export function checkXml(answer: GoldenAnswer, errno: number, count = 1): ParsedElement[] {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe(XML_TYPE);
  const doc = parseXml(answer.body);
  expect(doc.declaration).toBe('<?xml version="1.0" encoding="UTF-8"?>');
  expect(doc.root.name).toBe('iCalendar');
  const icals = childElements(doc.root);
  expect(icals.map((e) => e.name)).toEqual(Array(count).fill('iCal'));
  for (const ical of icals) expect(elementsByTagName(ical, 'X-NSCP-WCAP-ERRNO')).toHaveLength(1);
  expect(xmlErrno(doc.root)).toBe(errno);
  return icals;
}

/** Lightning's stringToXml: parseInt of the first X-NSCP-WCAP-ERRNO anywhere in the element. */
export function xmlErrno(element: ParsedElement): number {
  const first = elementsByTagName(element, 'X-NSCP-WCAP-ERRNO')[0];
  return first ? Number.parseInt(textContent(first).trim(), 10) : Number.NaN;
}

/** Checks an answer in either format and returns Lightning's view of its errno. */
export function errnoOf(answer: GoldenAnswer): number {
  if (answer.contentType === ICS_TYPE) return lightningErrno(parseIcs(answer.body)[0]!);
  return xmlErrno(parseXml(answer.body).root);
}

/**
 * One component of an answer, read the same way whatever the format: iCalendar names are used for
 * both, mapped to Sun's XML element names (DTSTART → START, VEVENT → EVENT …) for text/xml, so one
 * assertion checks both formats and both must carry the same values.
 */
export interface ItemView {
  /** iCalendar name, upper case: VEVENT, VTODO, VALARM, VTIMEZONE, VFREEBUSY … */
  name: string;
  /** Unescaped text of the first property `name` (values of a multi-value property joined by ','). */
  value(name: string): string | undefined;
  /** Every occurrence of property `name`, each as its text. */
  values(name: string): string[];
  /** Parameter `param` of the `index`th property `name`. */
  param(name: string, param: string, index?: number): string | undefined;
  /** Sub-components (VALARM, STANDARD …) as views. */
  children(name?: string): ItemView[];
}

const XML_COMPONENTS: Record<string, string> = {
  VEVENT: 'EVENT',
  VTODO: 'TODO',
  VALARM: 'ALARM',
  VTIMEZONE: 'TIMEZONE',
  VFREEBUSY: 'FREEBUSY',
};
const XML_PROPERTIES: Record<string, string> = {
  DTSTART: 'START',
  DTEND: 'END',
  DESCRIPTION: 'DESC',
  'RECURRENCE-ID': 'RECURID',
  'LAST-MODIFIED': 'LAST-MOD',
  'PERCENT-COMPLETE': 'PERCENT',
  'REQUEST-STATUS': 'RSTATUS',
  'RELATED-TO': 'RELATED',
};
const ICAL_COMPONENTS = Object.fromEntries(Object.entries(XML_COMPONENTS).map(([k, v]) => [v, k]));

function icalValueText(value: unknown): string {
  // Structured values (GEO, REQUEST-STATUS) come as arrays; their parts are joined by ';' as in
  // iCalendar text and in the XML elements.
  if (Array.isArray(value)) return value.map(icalValueText).join(';');
  if (value !== null && typeof value === 'object' && 'toICALString' in value && typeof value.toICALString === 'function') {
    return String(value.toICALString());
  }
  return String(value);
}

function icalView(component: ICAL.Component): ItemView {
  return {
    name: component.name.toUpperCase(),
    value: (name) => {
      const property = component.getFirstProperty(name.toLowerCase());
      return property ? property.getValues().map(icalValueText).join(',') : undefined;
    },
    values: (name) => component.getAllProperties(name.toLowerCase()).map((p) => p.getValues().map(icalValueText).join(',')),
    param: (name, param, index = 0) => {
      const value = component.getAllProperties(name.toLowerCase())[index]?.getParameter(param.toLowerCase());
      return value === undefined || value === null ? undefined : Array.isArray(value) ? value.join(',') : String(value);
    },
    children: (name) =>
      component.getAllSubcomponents(name?.toLowerCase()).map(icalView),
  };
}

function xmlView(element: ParsedElement): ItemView {
  const elementName = (name: string) => XML_PROPERTIES[name.toUpperCase()] ?? name.toUpperCase();
  const properties = (name: string) => childElements(element, elementName(name));
  return {
    name: ICAL_COMPONENTS[element.name] ?? element.name,
    value: (name) => {
      const first = properties(name)[0];
      return first ? textContent(first) : undefined;
    },
    values: (name) => properties(name).map(textContent),
    param: (name, param, index = 0) => properties(name)[index]?.attributes[param.toUpperCase()],
    children: (name) =>
      childElements(element)
        .filter((child) => childElements(child).length > 0 || Object.hasOwn(ICAL_COMPONENTS, child.name))
        .filter((child) => name === undefined || child.name === (XML_COMPONENTS[name.toUpperCase()] ?? name.toUpperCase()))
        .map(xmlView),
  };
}

/** Views of the components (VEVENT, VTODO, VTIMEZONE …) of each block of an answer. */
export function componentsOf(answer: GoldenAnswer): ItemView[][] {
  if (answer.contentType === ICS_TYPE) return parseIcs(answer.body).map((c) => c.getAllSubcomponents().map(icalView));
  return childElements(parseXml(answer.body).root).map((ical) =>
    childElements(ical)
      .filter((child) => childElements(child).length > 0)
      .map(xmlView),
  );
}

/** Calendar-level X-tokens of block `index` in either format, as Lightning reads them (raw; XML trimmed). */
export function tokenOf(answer: GoldenAnswer, name: string, index = 0): string | undefined {
  if (answer.contentType === ICS_TYPE) {
    const calendar = parseIcs(answer.body)[index];
    return calendar ? xToken(calendar, name) : undefined;
  }
  const ical = childElements(parseXml(answer.body).root)[index];
  const element = ical ? childElements(ical, name)[0] : undefined;
  return element ? textContent(element).trim() : undefined;
}

/** Every value of a calendar-level X-token of block `index`, in order. */
export function tokensOf(answer: GoldenAnswer, name: string, index = 0): string[] {
  if (answer.contentType === ICS_TYPE) {
    const calendar = parseIcs(answer.body)[index];
    return calendar ? calendar.getAllProperties(name.toLowerCase()).map((p) => String(p.getFirstValue())) : [];
  }
  const ical = childElements(parseXml(answer.body).root)[index];
  return ical ? childElements(ical, name).map((e) => textContent(e).trim()) : [];
}

/**
 * `[value, TZID parameter]` a zoned date-time must have in an answer of `format`: text/calendar
 * keeps the stored local time with its TZID (docs/lightning.md#inbound-time-zone-styles, style b);
 * text/xml gives the UTC instant and no TZID, as the WCAP XML vocabulary is Zulu
 * (docs/wcap-protocol.md#xml-output, docs/wcap-protocol.md#time-zone-parameters), the zone staying
 * in the X-NSCP-*-TZID elements. Callers work `utc` out by hand from the zone's offset on that day,
 * so the gateway's conversion is checked, not repeated.
 */
export function zoned(format: Format, local: string, tzid: string, utc: string): [string, string | undefined] {
  return format.ext === 'xml' ? [utc, undefined] : [local, tzid];
}

/** `[value, TZID parameter]` of the `index`th property `name` of an item, to compare with {@link zoned}. */
export function timeOf(item: ItemView, name: string, index = 0): [string | undefined, string | undefined] {
  return [item.values(name)[index], item.param(name, 'TZID', index)];
}

/** checkIcs or checkXml, by format. */
export function checkAnswer(answer: GoldenAnswer, format: Format, errno: number, count = 1): void {
  if (format.ext === 'ics') checkIcs(answer, errno, count);
  else checkXml(answer, errno, count);
}
