import { describe, expect, it } from 'vitest';
import { errorOf } from '../support/wcap-input.js';
import type { AttendeeInput } from '../../src/model/item-changes.js';
import { parseAttendees } from '../../src/wcap/attendee-param.js';
import { p, parseParams } from '../../src/wcap/params.js';
import { RawParams } from '../../src/wcap/raw-params.js';

/** The `attendees` value of a query string as the pipeline receives it (still encoded). */
function attendeesOf(value: string, failsWith = 14): AttendeeInput[] {
  const raw = new RawParams();
  raw.addQueryString(`id=abc&attendees=${value}&fmt-out=text%2Fcalendar`);
  const { attendees } = parseParams({ attendees: p.raw() }, raw, failsWith);
  if (!attendees) throw new Error('attendees parameter missing');
  return parseAttendees(attendees, 'attendees', failsWith);
}


describe('parseAttendees', () => {
  it.each<[string, string, AttendeeInput[]]>([
    // docs/lightning.md#attendee-encoding
    [
      "Lightning's add form: two attendees, every parameter decoded",
      'RSVP=TRUE^PARTSTAT=NEEDS-ACTION^ROLE=REQ-PARTICIPANT^CN=Jane%20Roe^mailto%3Ajane%40example.com;' +
        'PARTSTAT=ACCEPTED^mailto%3Ajoe%40example.com',
      [
        {
          address: 'mailto:jane@example.com',
          params: { RSVP: 'TRUE', PARTSTAT: 'NEEDS-ACTION', ROLE: 'REQ-PARTICIPANT', CN: 'Jane Roe' },
        },
        { address: 'mailto:joe@example.com', params: { PARTSTAT: 'ACCEPTED' } },
      ],
    ],
    [
      'a CN holding an encoded ^ and ; stays one attendee',
      'PARTSTAT=TENTATIVE^CN=Roe%5E%20Jane%3B%20Dr^mailto%3Ajane%40example.com',
      [{ address: 'mailto:jane@example.com', params: { PARTSTAT: 'TENTATIVE', CN: 'Roe^ Jane; Dr' } }],
    ],
    [
      'a CN holding an encoded = is not split again',
      'CN=a%3Db^mailto%3Ajane%40example.com',
      [{ address: 'mailto:jane@example.com', params: { CN: 'a=b' } }],
    ],
    // docs/lightning.md#method-and-invitations
    [
      "Lightning's REPLY form",
      'PARTSTAT=ACCEPTED^mailto%3Ajdoe%40example.com',
      [{ address: 'mailto:jdoe@example.com', params: { PARTSTAT: 'ACCEPTED' } }],
    ],
    [
      'Unicon style: a calid as address, unencoded parameters',
      'PARTSTAT=ACCEPTED^RSVP=TRUE^jdoe;PARTSTAT=DECLINED^asmith:work',
      [
        { address: 'jdoe', params: { PARTSTAT: 'ACCEPTED', RSVP: 'TRUE' } },
        { address: 'asmith:work', params: { PARTSTAT: 'DECLINED' } },
      ],
    ],
    // docs/wcap-protocol.md#attendee-syntax
    [
      'Sun documentation form with a raw mailto:',
      'PARTSTAT=ACCEPTED^RSVP=TRUE^mailto:abc@xyz.com',
      [{ address: 'mailto:abc@xyz.com', params: { PARTSTAT: 'ACCEPTED', RSVP: 'TRUE' } }],
    ],
    [
      'separators encoded as well (%5E and %3B everywhere)',
      'RSVP%3DTRUE%5EPARTSTAT%3DNEEDS-ACTION%5ECN%3DJane%20Roe%5Emailto%3Ajane%40example.com' +
        '%3BPARTSTAT%3DDECLINED%5Emailto%3Ajoe%40example.com',
      [
        { address: 'mailto:jane@example.com', params: { RSVP: 'TRUE', PARTSTAT: 'NEEDS-ACTION', CN: 'Jane Roe' } },
        { address: 'mailto:joe@example.com', params: { PARTSTAT: 'DECLINED' } },
      ],
    ],
    [
      'parameter names in lower case are upper-cased',
      'partstat=ACCEPTED^cn=Joe^mailto%3Ajoe%40example.com',
      [{ address: 'mailto:joe@example.com', params: { PARTSTAT: 'ACCEPTED', CN: 'Joe' } }],
    ],
    [
      'X- parameters and CUTYPE are kept',
      'CUTYPE=ROOM^X-NSCP-FOO=1^mailto%3Aroom1%40example.com',
      [{ address: 'mailto:room1@example.com', params: { CUTYPE: 'ROOM', 'X-NSCP-FOO': '1' } }],
    ],
    [
      'the deletion marker is passed on as a PARTSTAT',
      'PARTSTAT=X-NSCP-WCAP-ATTENDEE-DELETE^mailto%3Ajoe%40example.com',
      [{ address: 'mailto:joe@example.com', params: { PARTSTAT: 'X-NSCP-WCAP-ATTENDEE-DELETE' } }],
    ],
    ['an address alone', 'mailto%3Ajoe%40example.com', [{ address: 'mailto:joe@example.com', params: {} }]],
    ['empty value: no attendees (modify clears them)', '', []],
    [
      'empty entries between separators are skipped',
      ';mailto%3Ajoe%40example.com;;',
      [{ address: 'mailto:joe@example.com', params: {} }],
    ],
  ])('%s', (_label, value, expected) => {
    expect(attendeesOf(value)).toEqual(expected);
  });

  it('keeps the order in which the client listed the attendees', () => {
    const addresses = attendeesOf('b%40x.org;a%40x.org;c%40x.org').map((a) => a.address);
    expect(addresses).toEqual(['b@x.org', 'a@x.org', 'c@x.org']);
  });

  it('accepts an already decoded value (multipart body)', () => {
    const parsed = parseAttendees({ text: 'PARTSTAT=ACCEPTED^CN=100% Jane^mailto:jane@example.com', encoded: false }, 'attendees', 14);
    expect(parsed).toEqual([{ address: 'mailto:jane@example.com', params: { PARTSTAT: 'ACCEPTED', CN: '100% Jane' } }]);
  });

  it.each([
    ['parameters only', 'PARTSTAT=ACCEPTED^RSVP=TRUE'],
    ['a trailing separator after the parameters', 'PARTSTAT=ACCEPTED^'],
    ['a second attendee without address', 'mailto%3Ajoe%40example.com;PARTSTAT=DECLINED'],
    ['a blank address', 'PARTSTAT=ACCEPTED^%20%20'],
  ])('an entry without address → errno 60 (%s)', (_label, value) => {
    const err = errorOf(() => attendeesOf(value, 14));
    expect(err.errno).toBe(60);
    expect(err.message).toContain('attendees');
  });

  it('broken percent-encoding → the command errno, naming the parameter but not the value', () => {
    const err = errorOf(() => attendeesOf('PARTSTAT=ACCEPTED^CN=Secret%zzName^mailto%3Ajoe%40example.com', 15));
    expect(err.errno).toBe(15);
    expect(err.message).toContain('attendees');
    expect(err.message).not.toContain('Secret');
  });
});
