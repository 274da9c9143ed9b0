import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/model/errors.js';
import {
  FORMATS,
  ICS_TYPE,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  checkIcs,
  componentsOf,
  errnoOf,
  normalise,
  tokenOf,
  type GoldenGateway,
} from '../support/golden-gateway.js';
import { deleteQuery, fetchByIdQuery, meetingParams, rangeQuery, simpleEventParams, storeQuery, taskParams } from './lightning-requests.js';

/**
 * Golden error answers (docs/wcap-protocol.md#error-numbers, docs/lightning.md#errors): always
 * HTTP 200 with the errno in the body, a message for failures, the requested format when it is
 * known, and no echo of what was sent. Failed stores leave the calendar unchanged.
 */
describe('golden: error answers', () => {
  let g: GoldenGateway;
  let sid: string;
  /** The summary of the stored event `uid`, or the errno when there is none. */
  const storedSummary = async (uid: string) => {
    const answer = await g.get('fetchevents_by_id', fetchByIdQuery(sid, uid, 'text%2Fcalendar'));
    const errno = errnoOf(answer);
    return errno === 0 ? componentsOf(answer)[0]!.find((c) => c.name === 'VEVENT')?.value('SUMMARY') : errno;
  };
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
    const params = simpleEventParams({ start: '20260310T090000Z', end: '20260310T100000Z', summary: 'Original' });
    expect(errnoOf(await g.get('storeevents', storeQuery(sid, params, { uid: 'golden-exists', storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })))).toBe(0);
  });
  // A back-end fault a test injected but never reached must not hit the next test.
  afterEach(() => g.backend.clearFailure());

  it.each(FORMATS)('errno 1 ($ext): unknown or missing session id, in the asked format, id not echoed', async (f) => {
    const unknown = 'ExpiredSession000000000000000000';
    const answer = await g.get('gettime', `appid=mozilla-calendar&id=${unknown}&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 1);
    expect(tokenOf(answer, 'X-NSCP-WCAPTIME')).toBeUndefined();
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    expect(answer.body).not.toContain(unknown);
    const missing = await g.get('gettime', `appid=mozilla-calendar&fmt-out=${f.fmtOut}`);
    expect(missing.body).toBe(answer.body);
    await matchGolden(answer, `errno-1.bad-session.${f.ext}`);
  });

  it.each(FORMATS)('errno 52: an unknown command answers in the requested format ($ext), never echoed', async (f) => {
    const answer = await g.get('frobnicate', `appid=mozilla-calendar&id=${sid}&fmt-out=${f.fmtOut}`);
    checkAnswer(answer, f, 52);
    expect(answer.body).not.toContain('frobnicate');
    await matchGolden(answer, `errno-52.unknown-command.${f.ext}`);
  });

  it('errno 58: an unknown or undecodable fmt-out answers text/calendar and is never echoed', async () => {
    const bodies = new Set<string>();
    for (const [command, query] of [
      ['version', 'fmt-out=text%2Fhtml%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
      ['gettime', `appid=mozilla-calendar&id=${sid}&fmt-out=text%2Fplain`],
      ['login', 'fmt-out=text%2&user=alice&password=x'],
      ['frobnicate', 'fmt-out=application%2Fxml'],
    ] as const) {
      const answer = await g.get(command, query);
      expect(answer.contentType).toBe(ICS_TYPE);
      checkIcs(answer, 58);
      expect(answer.body).not.toMatch(/script|alert|html|plain|application/i);
      bodies.add(answer.body);
    }
    expect(bodies.size).toBe(1);
    await expect(normalise([...bodies][0]!)).toMatchFileSnapshot('./__golden__/errno-58.unknown-format.ics');
  });

  it.each(FORMATS)('errno 63 ($ext): storetype=1 for a UID that exists; the stored item is untouched', async (f) => {
    const query = storeQuery(sid, meetingParams('20260311T090000Z', '20260311T100000Z'), { tzid: 'Europe/Berlin', uid: 'golden-exists', storetype: 1, method: 2, fmtOut: f.fmtOut });
    const answer = await g.get('storeevents', query);
    checkAnswer(answer, f, 63);
    expect(componentsOf(answer)[0]).toEqual([]);
    expect(await storedSummary('golden-exists')).toBe('Original');
    await matchGolden(answer, `storeevents.errno-63.${f.ext}`);
  });

  it.each(FORMATS)('errno 62 ($ext): storetype=2 for a UID that does not exist; nothing is created', async (f) => {
    const query = storeQuery(sid, '&summary=Ghost', { uid: `golden-absent-${f.ext}`, storetype: 2, method: 1, fmtOut: f.fmtOut });
    const answer = await g.get('storeevents', query);
    checkAnswer(answer, f, 62);
    expect(await storedSummary(`golden-absent-${f.ext}`)).toBe(59);
    await matchGolden(answer, `storeevents.errno-62.${f.ext}`);
  });

  it.each(FORMATS)('errno 67 ($ext): orgCN without orgCalid or orgEmail; nothing is stored', async (f) => {
    const params = simpleEventParams({ start: '20260312T090000Z', end: '20260312T100000Z', summary: 'Org?' }).replace('&orgCalid=alice', '&orgCN=Big%20Boss');
    const uid = `golden-org-${f.ext}`;
    const answer = await g.get('storeevents', storeQuery(sid, params, { uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 67);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toMatch(/orgCalid|orgEmail/);
    expect(answer.body).not.toContain('Big Boss');
    expect(await storedSummary(uid)).toBe(59);
    await matchGolden(answer, `storeevents.errno-67.${f.ext}`);
  });

  it.each(FORMATS)('errno 14 ($ext): an impossible date names the parameter, not its value', async (f) => {
    const params = simpleEventParams({ start: '20260231T090000Z', end: '20260231T100000Z', summary: 'Feb 31' });
    const uid = `golden-baddate-${f.ext}`;
    const answer = await g.get('storeevents', storeQuery(sid, params, { uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 14);
    const message = tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE') ?? '';
    expect(message).toMatch(/\bdtstart\b/);
    expect(answer.body).not.toContain('20260231');
    expect(await storedSummary(uid)).toBe(59);
    await matchGolden(answer, `storeevents.errno-14.bad-date.${f.ext}`);
  });

  it.each(FORMATS)('errno 14 ($ext): broken percent-encoding is an error, not a guess', async (f) => {
    const params = simpleEventParams({ start: '20260312T090000Z', end: '20260312T100000Z', summary: 'x' }).replace('&summary=x', '&summary=Caf%C3%A9%E0%A4%A');
    const uid = `golden-badenc-${f.ext}`;
    const answer = await g.get('storeevents', storeQuery(sid, params, { uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 14);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toMatch(/\bsummary\b.*percent-encoding/);
    expect(answer.body).not.toMatch(/Caf|%E0/);
    expect(await storedSummary(uid)).toBe(59);
    await matchGolden(answer, `storeevents.errno-14.bad-encoding.${f.ext}`);
  });

  it.each(FORMATS)('errno 15 ($ext): storetodos fails with its own errno', async (f) => {
    const params = taskParams('Bad due').replace('&due=20260306T170000Z', '&due=20261306T170000Z');
    const answer = await g.get('storetodos', storeQuery(sid, params, { uid: `golden-badtodo-${f.ext}`, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 15);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toMatch(/\bdue\b/);
    await matchGolden(answer, `storetodos.errno-15.${f.ext}`);
  });

  it.each(FORMATS)("errno 28 ($ext): storing into another user's calendar", async (f) => {
    const params = simpleEventParams({ start: '20260312T090000Z', end: '20260312T100000Z', summary: 'Intrusion' });
    const answer = await g.get('storeevents', storeQuery(sid, params, { uid: `golden-foreign-${f.ext}`, storetype: 1, method: 1, fmtOut: f.fmtOut, calid: 'bob' }));
    checkAnswer(answer, f, 28);
    await matchGolden(answer, `storeevents.errno-28.${f.ext}`);
  });

  it.each(FORMATS)('errno 59 ($ext): deleting a UID that does not exist', async (f) => {
    const answer = await g.get('deleteevents_by_id', deleteQuery(sid, 'golden-never-stored', f.fmtOut));
    checkAnswer(answer, f, 59);
    await matchGolden(answer, `deleteevents_by_id.errno-59.${f.ext}`);
  });

  // Errno 1 makes Lightning log in again and retry without limit
  // (docs/lightning.md#errno-1-and-re-login): back-end trouble while the session is valid must get
  // its own errno, with a message.
  it.each(FORMATS)('errno 11001 ($ext): the CalDAV server cannot be reached, never errno 1', async (f) => {
    const query = rangeQuery(sid, { fmtOut: f.fmtOut, dtstart: '20260301T000000Z', dtend: '20260401T000000Z' });
    expect(errnoOf(await g.get('fetchcomponents_by_range', query))).toBe(0);
    g.backend.failNext(new GatewayError('unavailable', 'connect ECONNREFUSED 10.0.0.7:5232'));
    const answer = await g.get('fetchcomponents_by_range', query);
    checkAnswer(answer, f, 11001);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    // Internal addresses of the back end are not shown to clients.
    expect(answer.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
    await matchGolden(answer, `errno-11001.backend-down.${f.ext}`);
  });

  it.each(FORMATS)('errno 11007 ($ext): the CalDAV server rejects the credentials of a live session, never errno 1', async (f) => {
    const query = rangeQuery(sid, { fmtOut: f.fmtOut, dtstart: '20260301T000000Z', dtend: '20260401T000000Z' });
    g.backend.failNext(new GatewayError('unauthorized', 'CalDAV server rejected the credentials', { status: 401 }));
    const answer = await g.get('fetchcomponents_by_range', query);
    checkAnswer(answer, f, 11007);
    await matchGolden(answer, `errno-11007.backend-auth.${f.ext}`);
  });
});
