import { beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_URL, buildGoldenGateway, componentsOf, errnoOf, parseIcs, tokenOf, type GoldenAnswer, type GoldenGateway } from '../support/golden-gateway.js';

/**
 * Form posts whose body is the item itself, as text/calendar or text/xml (the 3.x chapter's
 * request encodings, docs/wcap-protocol.md#request-bodies): mapped onto the store parameters, or
 * refused with the command's errno and a message.
 */
describe('text/calendar and text/xml request bodies', () => {
  let g: GoldenGateway;
  let sid: string;
  const post = async (command: string, query: string, contentType: string, body: string): Promise<GoldenAnswer> => {
    const res = await g.app.request(`${GATEWAY_URL}${command}.wcap?id=${sid}&${query}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.text() };
  };
  const fetchEvent = async (uid: string) => {
    const answer = await g.get('fetchevents_by_id', `id=${sid}&calid=alice&uid=${uid}&fmt-out=text%2Fcalendar`);
    expect(errnoOf(answer)).toBe(0);
    return parseIcs(answer.body)[0]!.getFirstSubcomponent('vevent')!;
  };
  const ICS = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//form//EN',
    'BEGIN:VEVENT', 'UID:body-1', 'DTSTAMP:20200101T000000Z',
    'DTSTART;TZID=Europe/Berlin:20260310T090000', 'DTEND;TZID=Europe/Berlin:20260310T100000',
    'SUMMARY:Planning\\, part 1; really', 'DESCRIPTION:Line 1\\nLine 2', 'LOCATION:Room "A"',
    'CATEGORIES:Business,Meet;ing', 'RRULE:FREQ=WEEKLY;COUNT=3', 'X-MY-FIELD:kept',
    'ORGANIZER;CN=Alice:mailto:alice@example.com',
    'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Roe, Jane ^":mailto:jane@example.org',
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT15M', 'DESCRIPTION:Soon; now', 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');

  beforeAll(async () => {
    g = buildGoldenGateway();
    sid = await g.login('alice');
  });

  it('storeevents with a text/calendar body stores the VEVENT as if its fields were parameters', async () => {
    const answer = await post('storeevents', 'calid=alice&fetch=1&fmt-out=text%2Fcalendar', 'text/calendar; charset=UTF-8', ICS);
    expect(errnoOf(answer)).toBe(0);
    const event = await fetchEvent('body-1');
    expect(event.getFirstPropertyValue('summary')).toBe('Planning, part 1; really');
    expect(event.getFirstPropertyValue('description')).toBe('Line 1\nLine 2');
    expect(event.getFirstPropertyValue('location')).toBe('Room "A"');
    expect(event.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Berlin');
    expect(String(event.getFirstPropertyValue('dtstart'))).toBe('2026-03-10T09:00:00');
    expect(event.getFirstProperty('categories')!.getValues()).toEqual(['Business', 'Meet;ing']);
    expect(String(event.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;COUNT=3');
    expect(event.getFirstPropertyValue('x-my-field')).toBe('kept');
    const attendee = event.getFirstProperty('attendee')!;
    expect([attendee.getFirstValue(), attendee.getParameter('cn'), attendee.getParameter('partstat')]).toEqual(['mailto:jane@example.org', 'Roe, Jane ^', 'NEEDS-ACTION']);
    const alarm = event.getFirstSubcomponent('valarm')!;
    expect([alarm.getFirstPropertyValue('action'), String(alarm.getFirstPropertyValue('trigger')), alarm.getFirstPropertyValue('description')]).toEqual(['DISPLAY', '-PT15M', 'Soon; now']);
  });

  it('parameters in the URL win over the body', async () => {
    const answer = await post('storeevents', 'calid=alice&uid=body-2&summary=From%20the%20URL&fmt-out=text%2Fcalendar', 'text/calendar', ICS);
    expect(errnoOf(answer)).toBe(0);
    expect((await fetchEvent('body-2')).getFirstPropertyValue('summary')).toBe('From the URL');
  });

  it("storeevents with a text/xml body: the gateway's own XML answer posted back stores the same event", async () => {
    const xml = await g.get('fetchevents_by_id', `id=${sid}&calid=alice&uid=body-1&fmt-out=text%2Fxml`);
    const answer = await post('storeevents', 'calid=alice&uid=body-3&fmt-out=text%2Fxml', 'text/xml', xml.body);
    expect(errnoOf(answer)).toBe(0);
    const [original, copy] = [await fetchEvent('body-1'), await fetchEvent('body-3')];
    for (const name of ['summary', 'description', 'location', 'rrule', 'x-my-field']) {
      expect(String(copy.getFirstPropertyValue(name)), name).toBe(String(original.getFirstPropertyValue(name)));
    }
    // XML gives times in UTC with the zone in X-NSCP-DTSTART-TZID: the same local time comes back.
    for (const name of ['dtstart', 'dtend']) {
      expect([String(copy.getFirstPropertyValue(name)), copy.getFirstProperty(name)!.getParameter('tzid')], name).toEqual(['2026-03-10T' + (name === 'dtstart' ? '09' : '10') + ':00:00', 'Europe/Berlin']);
    }
    // The zone hint is the gateway's own output, not stored a second time as an X-property.
    expect(copy.getAllProperties('x-nscp-dtstart-tzid').map((p) => p.getFirstValue())).toEqual(['Europe/Berlin']);
    expect(copy.getFirstProperty('categories')!.getValues()).toEqual(['Business', 'Meet;ing']);
    expect(copy.getFirstProperty('attendee')!.getParameter('cn')).toBe('Roe, Jane ^');
    expect(String(copy.getFirstSubcomponent('valarm')!.getFirstPropertyValue('trigger'))).toBe('-PT15M');
  });

  it.each([
    ['a body that does not parse', 'storeevents', 'text/calendar', 'BEGIN:VCALENDAR\r\nnonsense', 14, 'cannot be parsed'],
    ['two events', 'storeevents', 'text/calendar', ICS.replace('END:VCALENDAR', `${ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VCALENDAR'))}END:VCALENDAR`), 14, 'exactly one VEVENT'],
    ['a todo sent to storeevents', 'storeevents', 'text/calendar', ICS.replace(/VEVENT/g, 'VTODO'), 14, 'exactly one VEVENT'],
    ['a property with no parameter', 'storetodos', 'text/calendar', ICS.replace(/VEVENT/g, 'VTODO').replace('X-MY-FIELD:kept', 'COMMENT:no parameter'), 15, 'COMMENT property'],
    ['an item body for a command that takes none', 'fetchcomponents_by_range', 'text/calendar', ICS, 13, 'only be sent to storeevents or storetodos'],
    ['XML that is not the WCAP vocabulary', 'storeevents', 'text/xml', '<html><body/></html>', 14, 'cannot be parsed'],
    ['XML nested deeper than an item', 'storeevents', 'text/xml', `<iCal>${'<EVENT>'.repeat(5000)}<UID>x</UID>${'</EVENT>'.repeat(5000)}</iCal>`, 14, 'cannot be parsed'],
  ])('%s is refused with the command errno and nothing is stored', async (_label, command, type, body, errno, message) => {
    const answer = await post(command, 'calid=alice&uid=never-stored&fmt-out=text%2Fcalendar', type, body);
    expect(errnoOf(answer)).toBe(errno);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toContain(message);
    const fetched = await g.get('fetchevents_by_id', `id=${sid}&calid=alice&uid=never-stored&fmt-out=text%2Fcalendar`);
    expect(componentsOf(fetched)[0]!.filter((c) => c.name === 'VEVENT' || c.name === 'VTODO')).toEqual([]);
  });
});
