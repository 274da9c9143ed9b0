import { linkSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmark calendar, written straight into Radicale's storage folder (PUT is far too slow for
 * thousands of items: Radicale rewrites its collection state on every upload).
 *
 * Radicale 3.1.8's multifilesystem layout: `<collections>/collection-root/<user>/` is the principal
 * (a plain folder, no props), `<user>/calendar/` a calendar when its `.Radicale.props` says
 * `{"tag": "VCALENDAR"}`, one `<href>.ics` per object. `.Radicale.cache/item/<href>` holds the
 * parsed items keyed by a hash of the file content, so a copy of a warmed folder stays warm.
 *
 * Each object is one VEVENT of about 400 bytes (SUMMARY, a ~150-character DESCRIPTION, LOCATION):
 * 89 % single events, 10 % weekly series with COUNT=20, 1 % unbounded weekly series; starts spread
 * over 2020–2029 (seeded, so every run has the same calendar); about 30 % in Europe/Berlin with a
 * VTIMEZONE, the rest in UTC.
 */

const WORDS = (
  'budget review planning sync team quarterly roadmap design release customer call workshop ' +
  'retrospective onboarding interview demo standup training offsite audit migration backlog'
).split(' ');

const BERLIN = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

export interface FixtureObject {
  uid: string;
  kind: 'single' | 'series' | 'unbounded';
  ics: string;
}

/** mulberry32: a small seeded generator, so the calendar is the same in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** RFC 5545 line folding at 75 octets (the text here is ASCII). */
function fold(line: string): string {
  const parts: string[] = [];
  for (let i = 0; i < line.length; i += i === 0 ? 75 : 74) parts.push(line.slice(i, i + (i === 0 ? 75 : 74)));
  return parts.join('\r\n ');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const stamp = (d: Date) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;

export function generateObjects(count: number, seed = 20250301): FixtureObject[] {
  const random = seeded(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const objects: FixtureObject[] = [];
  const first = Date.UTC(2020, 0, 1);
  const days = (Date.UTC(2030, 0, 1) - first) / 86_400_000;
  for (let i = 0; i < count; i++) {
    const uid = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    const kind = i % 100 === 0 ? 'unbounded' : i % 10 === 1 ? 'series' : 'single';
    const day = Math.floor(random() * days);
    const start = new Date(first + day * 86_400_000 + (7 + Math.floor(random() * 11)) * 3_600_000 + Math.floor(random() * 4) * 900_000);
    const end = new Date(start.getTime() + (1 + Math.floor(random() * 4)) * 1_800_000);
    const berlin = random() < 0.3;
    // Berlin events use the same wall-clock digits as local time: the exact instant does not matter.
    const time = (name: string, d: Date) => (berlin ? `${name};TZID=Europe/Berlin:${stamp(d)}` : `${name}:${stamp(d)}Z`);
    let description = `${pick()} ${pick()} notes:`;
    while (description.length < 150) description += ` ${pick()}`;
    const lines = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//wcap-gateway//bench fixture//EN',
      ...(berlin ? BERLIN : []),
      'BEGIN:VEVENT',
      `UID:${uid}`,
      'DTSTAMP:20240101T120000Z',
      time('DTSTART', start),
      time('DTEND', end),
      ...(kind === 'series' ? ['RRULE:FREQ=WEEKLY;COUNT=20'] : kind === 'unbounded' ? ['RRULE:FREQ=WEEKLY'] : []),
      `SUMMARY:Bench ${i}: ${pick()} ${pick()}`,
      fold(`DESCRIPTION:${description.slice(0, 150).trimEnd()}`),
      `LOCATION:Room ${1 + Math.floor(random() * 400)}\\, Building ${'ABCDEFGH'[Math.floor(random() * 8)]}`,
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ];
    objects.push({ uid, kind, ics: lines.join('\r\n') });
  }
  return objects;
}

/** Writes the objects as `<collections>/collection-root/<user>/calendar/<uid>.ics`; returns the calendar folder. */
export function writeCalendar(collectionsDir: string, user: string, objects: FixtureObject[]): string {
  const folder = join(collectionsDir, 'collection-root', user, 'calendar');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, '.Radicale.props'), JSON.stringify({ tag: 'VCALENDAR' }));
  for (const object of objects) writeFileSync(join(folder, `${object.uid}.ics`), object.ics);
  return folder;
}

/**
 * Gives `user` a calendar identical to the one in `from` (a calendar folder, item cache included)
 * through hard links: instant and shared in the page cache. Radicale never writes into an existing
 * file (it replaces files by rename), so the users stay independent.
 */
export function cloneCalendar(collectionsDir: string, from: string, user: string): void {
  const to = join(collectionsDir, 'collection-root', user, 'calendar');
  linkTree(from, to);
}

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.Radicale.tmp') || entry.name.startsWith('.Radicale.lock')) continue;
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile()) linkSync(join(from, entry.name), join(to, entry.name));
  }
}
