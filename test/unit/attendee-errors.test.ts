import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { attendeeFilter, componentsWithDeliveryErrors, isDeliveryFailure } from '../../src/mapping/attendee-errors.js';
import { Directory } from '../../src/mapping/directory.js';

/** Delivery failures as RFC 6638 SCHEDULE-STATUS records them (docs/wcap-protocol.md#fetchcomponents_by_attendee_error). */
const directory = new Directory('example.com');
const event = (uid: string, ...attendees: string[]) =>
  ICAL.Component.fromString(['BEGIN:VEVENT', `UID:${uid}`, 'DTSTART:20270310T090000Z', ...attendees, 'END:VEVENT'].join('\r\n'));
const uids = (components: ICAL.Component[]) => components.map((c) => c.getFirstPropertyValue('uid'));

describe('isDeliveryFailure', () => {
  it.each([
    ['5.1', true],
    ['3.7', true],
    ['5.3', true],
    ['2.0', false],
    ['1.2', false],
    ['"2.0,5.1"', true],
    ['2.0,1.1', false],
    ['', false],
    ['5', false],
    ['51', false],
  ])('%s → %s', (status, failed) => {
    expect(isDeliveryFailure(status)).toBe(failed);
  });
  it('no parameter is no failure', () => {
    expect(isDeliveryFailure(null)).toBe(false);
    expect(isDeliveryFailure(undefined)).toBe(false);
  });
});

describe('componentsWithDeliveryErrors', () => {
  const failed = event('failed', 'ATTENDEE;SCHEDULE-STATUS=5.1:mailto:bob@example.com', 'ATTENDEE;SCHEDULE-STATUS=2.0:mailto:carol@example.com');
  const delivered = event('delivered', 'ATTENDEE;SCHEDULE-STATUS=2.0:mailto:bob@example.com', 'ATTENDEE;SCHEDULE-STATUS=1.2:mailto:dave@other.org');
  const none = event('none', 'ATTENDEE:mailto:bob@example.com');
  const refused = event('refused', 'ATTENDEE;SCHEDULE-STATUS=3.7;X-S1CS-CALID="dave:work":mailto:dave@example.com');

  it('any attendee: only the components with a failed delivery', () => {
    expect(uids(componentsWithDeliveryErrors([failed, delivered, none, refused], undefined))).toEqual(['failed', 'refused']);
  });

  it('one attendee, by calid, mail address or mailto: URI; a delivered attendee does not match', () => {
    const all = [failed, delivered, none, refused];
    expect(uids(componentsWithDeliveryErrors(all, attendeeFilter('bob', directory)))).toEqual(['failed']);
    expect(uids(componentsWithDeliveryErrors(all, attendeeFilter('BOB@example.com', directory)))).toEqual(['failed']);
    expect(uids(componentsWithDeliveryErrors(all, attendeeFilter('mailto:carol@example.com', directory)))).toEqual([]);
    expect(uids(componentsWithDeliveryErrors(all, attendeeFilter('dave:work', directory)))).toEqual(['refused']);
  });
});
