import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandRegistry } from '../../src/commands/index.js';
import { enc, startHarness, type Harness } from '../support/gateway-harness.js';

/**
 * Malformed input gets a WCAP errno with X-NSCP-WCAP-ERRNO-MESSAGE, HTTP 200, never a crash, and
 * nothing half-written on Radicale.
 */
const USER = 'carol';

describe('bad input', () => {
  let h: Harness;
  let id: string;
  beforeAll(async () => {
    h = await startHarness({ WCAP_MAX_PARAM_LENGTH: '100000' });
    id = await h.login(USER);
  });
  afterAll(() => h.close());

  const onRadicale = async (uid: string) => (await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).status;

  it.each([
    ['an impossible date', 'dtstart=20261345T250000Z&dtend=20261346T100000Z&summary=x'],
    ['a date in the wrong shape', 'dtstart=tomorrow&summary=x'],
    ['broken percent-encoding', 'dtstart=20261201T090000Z&summary=%E0%A4%zz'],
    ['an unknown class', 'dtstart=20261201T090000Z&summary=x&icsClass=SECRET'],
    ['a priority out of range', 'dtstart=20261201T090000Z&summary=x&priority=42'],
    ['an end before the start', 'dtstart=20261201T090000Z&dtend=20261130T090000Z&summary=x'],
    ['an unknown time zone', 'dtstart=20261201T090000&summary=x&tzid=Mars%2FOlympus'],
    ['a bad alarm start', 'dtstart=20261201T090000Z&summary=x&alarmStart=soon&alarmEmails=a%40b.c'],
    ['an attendee without address', 'dtstart=20261201T090000Z&summary=x&attendees=PARTSTAT%3DACCEPTED'],
    ['an organizer name without address', 'dtstart=20261201T090000Z&summary=x&orgCN=Boss'],
    ['a NUL in the title', 'dtstart=20261201T090000Z&summary=a%00b'],
    ['an escape character in a category', 'dtstart=20261201T090000Z&summary=x&categories=a%1Bb'],
    ['a line break in a URL', 'dtstart=20261201T090000Z&summary=x&icsUrl=https%3A%2F%2Fx.org%2F%0D%0AATTENDEE%3Amailto%3Ae%40x.org'],
    ['a secondly series without end', `dtstart=20261201T090000Z&summary=x&rrules=${enc('"FREQ=SECONDLY"')}`],
    ['a rule with INTERVAL=X', `dtstart=20261201T090000Z&summary=x&rrules=${enc('"FREQ=DAILY;INTERVAL=X"')}`],
    ['a rule with BYHOUR=99', `dtstart=20261201T090000Z&summary=x&rrules=${enc('"FREQ=DAILY;BYHOUR=99"')}`],
    ['a rule with WKST=XX', `dtstart=20261201T090000Z&summary=x&rrules=${enc('"FREQ=WEEKLY;WKST=XX"')}`],
  ])('%s → errno with message, nothing stored', async (_label, params) => {
    const uid = randomUUID();
    const answer = await h.wcap('storeevents', `id=${id}&${params}&uid=${uid}&storetype=1&fetch=1&fmt-out=text%2Fxml&calid=${USER}`);
    expect(answer.status).toBe(200);
    expect(answer.errno).not.toBe(0);
    expect(answer.errno).not.toBe(1);
    expect(answer.body).toContain('<X-NSCP-WCAP-ERRNO-MESSAGE>');
    expect(answer.body).not.toContain('Internal error');
    expect(answer.body).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(await onRadicale(uid)).toBe(404);
  });

  it('a modify with a bad value leaves the stored item exactly as it was', async () => {
    const uid = randomUUID();
    await h.wcap('storeevents', `id=${id}&dtstart=20261201T090000Z&dtend=20261201T100000Z&summary=Safe&uid=${uid}&storetype=1&calid=${USER}`);
    const before = await (await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).text();
    const bad = await h.wcap('storeevents', `id=${id}&summary=Changed&dtend=20261101T000000Z&uid=${uid}&storetype=2&calid=${USER}`);
    expect(bad.errno).toBe(14);
    expect(await (await h.radicale(USER, `/${USER}/calendar/${uid}.ics`)).text()).toBe(before);
  });

  it('a 60 000-character description sent with GET is stored whole (64 KB request lines work)', async () => {
    const uid = randomUUID();
    const desc = 'Lorem ipsum dolor sit amet. '.repeat(2200).slice(0, 60_000);
    const answer = await h.wcap('storeevents', `id=${id}&dtstart=20261202T090000Z&dtend=20261202T100000Z&summary=Long&desc=${enc(desc)}&uid=${uid}&storetype=1&fetch=1&calid=${USER}`);
    expect(answer.errno).toBe(0);
    expect(answer.ical!.getFirstSubcomponent('vevent')!.getFirstPropertyValue('description')).toBe(desc);
  });

  it('a value over the configured limit → errno with a message naming the parameter', async () => {
    const uid = randomUUID();
    const answer = await h.wcap('storeevents', `id=${id}&dtstart=20261202T090000Z&summary=x&desc=${'a'.repeat(100_001)}&uid=${uid}&storetype=1&calid=${USER}`);
    expect(answer.errno).toBe(14);
    expect(answer.ical!.getFirstPropertyValue('x-nscp-wcap-errno-message')).toContain('desc');
    expect(await onRadicale(uid)).toBe(404);
  });

  it('delete with uid/rid lists of different lengths → 46; a bad mod → errno', async () => {
    expect((await h.wcap('deleteevents_by_id', `id=${id}&uid=a;b;c&rid=0;0&fmt-out=text%2Fxml&calid=${USER}`)).errno).toBe(46);
    expect((await h.wcap('deleteevents_by_id', `id=${id}&uid=a&rid=0&mod=9&fmt-out=text%2Fxml&calid=${USER}`)).errno).toBe(6);
  });

  it('garbage session ids → errno 1, never a lookup error', async () => {
    for (const bad of ['', '%zz', 'a'.repeat(5000), '../../etc/passwd', 'ABC%00DEF']) {
      expect((await h.wcap('gettime', `id=${bad}&fmt-out=text%2Fcalendar`)).errno).toBe(1);
    }
  });

  it('every command answers junk with HTTP 200 and an errno, never a crash', async () => {
    // Its own session: logout is one of the commands, and the other tests keep using theirs.
    const id = await h.login(USER);
    const junk = ['%', '%E0', '0', '-1', '99999999999999999999', 'null', '"""', '^^^;;;', '\u0000'.replace('\u0000', '%00'), 'a'.repeat(3000)];
    const names = ['calid', 'uid', 'rid', 'mod', 'dtstart', 'dtend', 'tzid', 'attendees', 'alarmStart', 'storetype', 'guidCount', 'component-type', 'userid', 'busyonly'];
    for (const command of commandRegistry.keys()) {
      for (let i = 0; i < junk.length; i++) {
        const params = names.map((n, j) => `${n}=${junk[(i + j) % junk.length]}`).join('&');
        const answer = await h.wcap(command, `id=${id}&${params}&fmt-out=text%2Fxml`);
        expect(answer.status, `${command} #${i}`).toBe(200);
        expect(Number.isInteger(answer.errno), `${command} #${i}: ${answer.body.slice(0, 200)}`).toBe(true);
      }
    }
    expect(h.logText()).not.toContain('command failed unexpectedly');
  });
});
