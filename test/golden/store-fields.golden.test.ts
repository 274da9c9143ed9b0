import { beforeAll, describe, expect, it } from 'vitest';
import {
  FORMATS,
  buildGoldenGateway,
  matchGolden,
  checkAnswer,
  componentsOf,
  enc,
  timeOf,
  tokenOf,
  type GoldenAnswer,
  type GoldenGateway,
  type ItemView,
} from '../support/golden-gateway.js';
import { simpleEventParams, storeQuery } from './lightning-requests.js';

/**
 * Golden answers of storeevents with the parameters of the 6.3 table and WCAP 7 that Lightning
 * never sends (docs/wcap-protocol.md#storeevents-parameters, docs/wcap-protocol.md#alarms,
 * docs/wcap-protocol.md#updating-values; README store table): the `alarms` list, X-property
 * pass-through, geo, relatedTos, contacts, and replace=0 (append, the default) against replace=1
 * (replace).
 */

const BERLIN = 'Europe/Berlin';

function itemsOf(answer: GoldenAnswer): ItemView[] {
  const blocks = componentsOf(answer);
  expect(blocks).toHaveLength(1);
  return blocks[0]!.filter((c) => c.name !== 'VTIMEZONE');
}

/** A plain event on Tuesday 24 March 09:00–10:00 in Berlin (08:00Z), without alarm parameters. */
function eventParams(summary: string): string {
  return simpleEventParams({ start: '20260324T080000Z', end: '20260324T090000Z', summary }).replace('&alarmStart=&alarmPopup=&alarmEmails=', '');
}

/**
 * The WCAP 7.0 guide's example alarms, one per action (docs/wcap-protocol.md#alarms): property
 * lines joined by CRLF, parameters attached with `^`, a `;` inside a value escaped as `\;`, alarms
 * joined by a raw `;`, each URL-encoded.
 */
const ALARMS = [
  ['TRIGGER:-PT30M', 'REPEAT:2', 'DURATION:PT15M', 'ACTION:DISPLAY', 'DESCRIPTION:Breakfast with the executive\\nteam at 8:30'],
  ['TRIGGER^RELATED=END:-P2D', 'ATTENDEE:mailto:john_doe@example.com', 'SUMMARY:REMINDER: SEND AGENDA\\; BY MAIL', 'DESCRIPTION:A draft agenda needs to be sent out', 'ACTION:EMAIL'],
  ['TRIGGER^VALUE=DATE-TIME:20260323T063000Z', 'REPEAT:4', 'DURATION:PT15M', 'ATTACH^FMTTYPE=audio/basic:ftp://example.com/pub/sounds/bell-01.aud', 'ACTION:AUDIO'],
];
const alarmsParam = (alarms: string[][]) => `&alarms=${alarms.map((lines) => enc(lines.join('\r\n'))).join(';')}`;

/** [ACTION, TRIGGER, TRIGGER's RELATED] of each alarm (an absolute trigger is a UTC date-time). */
const triggers = (item: ItemView) => item.children('VALARM').map((a) => [a.value('ACTION'), a.value('TRIGGER'), a.param('TRIGGER', 'RELATED')]);

describe('golden: storing the other item fields', () => {
  let g: GoldenGateway;
  let sid: string;
  const fetchEvent = (uid: string) => g.get('fetchevents_by_id', `id=${sid}&recurring=1&emailorcalid=1&fmt-out=text%2Fcalendar&uid=${enc(uid)}&calid=alice`);
  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
  });

  it.each(FORMATS)('storeevents.wcap ($ext) with the WCAP 7 alarms list: whole VALARMs, then replaced', async (f) => {
    const uid = `golden-alarms-${f.ext}`;
    const answer = await g.get('storeevents', storeQuery(sid, eventParams('Breakfast') + alarmsParam(ALARMS), { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    expect(triggers(event!)).toEqual([
      ['DISPLAY', '-PT30M', undefined],
      ['EMAIL', '-P2D', 'END'],
      ['AUDIO', '20260323T063000Z', undefined],
    ]);
    const [display, email, audio] = event!.children('VALARM');
    expect([display!.value('REPEAT'), display!.value('DURATION'), display!.value('DESCRIPTION')]).toEqual(['2', 'PT15M', 'Breakfast with the executive\nteam at 8:30']);
    expect([email!.values('ATTENDEE'), email!.value('SUMMARY'), email!.value('DESCRIPTION')]).toEqual([
      ['mailto:john_doe@example.com'],
      'REMINDER: SEND AGENDA; BY MAIL',
      'A draft agenda needs to be sent out',
    ]);
    expect([audio!.value('ATTACH'), audio!.param('ATTACH', 'FMTTYPE'), audio!.value('REPEAT')]).toEqual(['ftp://example.com/pub/sounds/bell-01.aud', 'audio/basic', '4']);
    // Rules and alarms are always replaced, never appended (docs/wcap-protocol.md#updating-values),
    // even with replace=0.
    const one = [['TRIGGER:-PT5M', 'ACTION:DISPLAY', 'DESCRIPTION:Now']];
    const replaced = await g.get('storeevents', storeQuery(sid, alarmsParam(one), { tzid: BERLIN, uid, storetype: 2, method: 1, fmtOut: 'text%2Fcalendar' }).replace('&replace=1', '&replace=0'));
    expect(triggers(itemsOf(replaced)[0]!)).toEqual([['DISPLAY', '-PT5M', undefined]]);
    await matchGolden(answer, `storeevents.alarms.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) with X-properties, geo, relatedTos and contacts: stored as sent', async (f) => {
    const uid = `golden-xprops-${f.ext}`;
    const extra =
      `&X-MY-FIELD=${enc('Budget; Q2, "draft" – ü')}&X-OTHER-APP-ID=42` +
      // WCAP's own names are never item properties: an X-NSCP-WCAP-ERRNO in an item would be taken
      // for the answer's errno by Lightning's XML reader (docs/lightning.md#response-parsing).
      '&X-NSCP-WCAP-ERRNO=7' +
      `&geo=52.52;13.405&relatedTos=${enc('"parent-1"')};${enc('"parent-2"')}&contacts=${enc('Jim Dolittle, ABC Industries')};Sue`;
    const answer = await g.get('storeevents', storeQuery(sid, eventParams('Planning') + extra, { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    expect([event!.value('X-MY-FIELD'), event!.value('X-OTHER-APP-ID')]).toEqual(['Budget; Q2, "draft" – ü', '42']);
    expect(event!.value('X-NSCP-WCAP-ERRNO')).toBeUndefined();
    expect(event!.value('GEO')).toBe('52.52;13.405');
    expect(event!.values('RELATED-TO')).toEqual(['parent-1', 'parent-2']);
    expect(event!.values('CONTACT')).toEqual(['Jim Dolittle, ABC Industries', 'Sue']);
    expect(timeOf(event!, 'DTSTART')[0]).toBe(f.ext === 'xml' ? '20260324T080000Z' : '20260324T090000');
    // An empty value removes the X-property; the others stay.
    const cleared = await g.get('storeevents', storeQuery(sid, '&X-MY-FIELD=', { tzid: BERLIN, uid, storetype: 2, method: 1, fmtOut: 'text%2Fcalendar' }));
    const [after] = itemsOf(cleared);
    expect([after!.value('X-MY-FIELD'), after!.value('X-OTHER-APP-ID'), after!.value('GEO')]).toEqual([undefined, '42', '52.52;13.405']);
    await matchGolden(answer, `storeevents.x-properties.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) replace=0: categories, contacts and relatedTos are appended to', async (f) => {
    const uid = `golden-append-${f.ext}`;
    const create = eventParams('Trip').replace('&categories=', '&categories=Business;Travel') + '&contacts=Sue&relatedTos=%22trip-1%22';
    checkAnswer(await g.get('storeevents', storeQuery(sid, create, { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })), FORMATS[0], 0);
    const more = '&categories=Travel;Review&contacts=Bob&relatedTos=%22trip-2%22';
    const answer = await g.get('storeevents', storeQuery(sid, more, { tzid: BERLIN, uid, storetype: 2, method: 1, fmtOut: f.fmtOut }).replace('&replace=1', '&replace=0'));
    checkAnswer(answer, f, 0);
    const [event] = itemsOf(answer);
    // Appended once: Travel was there already.
    expect(event!.value('CATEGORIES')!.split(',').sort()).toEqual(['Business', 'Review', 'Travel']);
    expect(event!.values('CONTACT').sort()).toEqual(['Bob', 'Sue']);
    expect(event!.values('RELATED-TO').sort()).toEqual(['trip-1', 'trip-2']);
    expect(event!.value('SUMMARY')).toBe('Trip');
    // replace=0 is the default (docs/wcap-protocol.md#updating-values): without the parameter the
    // same happens.
    const twin = `${uid}-default`;
    await g.get('storeevents', storeQuery(sid, create, { tzid: BERLIN, uid: twin, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' }));
    await g.get('storeevents', storeQuery(sid, more, { tzid: BERLIN, uid: twin, storetype: 2, method: 1, fmtOut: 'text%2Fcalendar' }).replace('&replace=1', ''));
    const [stored] = itemsOf(await fetchEvent(twin));
    expect(stored!.value('CATEGORIES')!.split(',').sort()).toEqual(['Business', 'Review', 'Travel']);
    await matchGolden(answer, `storeevents.append.${f.ext}`);
  });

  it.each(FORMATS)('storeevents.wcap ($ext) replace=1: the list sent replaces the stored one, lists not sent stay', async (f) => {
    const uid = `golden-replace-${f.ext}`;
    const create = eventParams('Trip').replace('&categories=', '&categories=Business;Travel') + '&contacts=Sue';
    checkAnswer(await g.get('storeevents', storeQuery(sid, create, { tzid: BERLIN, uid, storetype: 1, method: 1, fmtOut: 'text%2Fcalendar' })), FORMATS[0], 0);
    const answer = await g.get('storeevents', storeQuery(sid, '&categories=Archive', { tzid: BERLIN, uid, storetype: 2, method: 1, fmtOut: f.fmtOut }));
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice');
    const [event] = itemsOf(answer);
    expect(event!.value('CATEGORIES')).toBe('Archive');
    expect(event!.values('CONTACT')).toEqual(['Sue']);
    // An empty value deletes the list (docs/wcap-protocol.md#updating-values).
    const cleared = await g.get('storeevents', storeQuery(sid, '&categories=', { tzid: BERLIN, uid, storetype: 2, method: 1, fmtOut: 'text%2Fcalendar' }));
    expect(itemsOf(cleared)[0]!.value('CATEGORIES')).toBeUndefined();
    await matchGolden(answer, `storeevents.replace.${f.ext}`);
  });
});
