import { describe, expect, it } from 'vitest';
import { compstateOf, matchesCompstate, parseCompstate, type CompState } from '../../src/mapping/compstate.js';
import { directory, stored, vevent } from './fetch-fixtures.js';

/**
 * compstate (docs/wcap-protocol.md#compstate) for the session user alice: her own attendee is
 * found by X-S1CS-CALID or by her mail address alice@example.com; organizer-side states come from
 * the other attendees' PARTSTATs.
 */

const ALICE = 'ORGANIZER;X-S1CS-CALID=alice:mailto:alice@example.com';
const CAROL = 'ORGANIZER:mailto:carol@partner.org';
const item = (...lines: string[]) => stored([], ...vevent('c', 'DTSTART:20260310T090000Z', ...lines))[0]!;

describe('compstateOf', () => {
  it.each<[string, string[], CompState | undefined]>([
    ['no attendees: no scheduling state', [], undefined],
    ['own event without attendees', [ALICE], undefined],
    ['organizer, a reply outstanding', [ALICE, 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com', 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:jane@example.org'], 'REQUEST-WAITFORREPLY'],
    ['organizer, PARTSTAT absent means NEEDS-ACTION', [ALICE, 'ATTENDEE:mailto:jane@example.org'], 'REQUEST-WAITFORREPLY'],
    ['organizer, everyone replied (declines count)', [ALICE, 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com', 'ATTENDEE;PARTSTAT=DECLINED:mailto:jane@example.org'], 'REQUEST-COMPLETED'],
    ["organizer's own attendee line is not an outstanding reply", [ALICE, 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:alice@example.com', 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com'], 'REQUEST-COMPLETED'],
    ['organizer found by mail address only', ['ORGANIZER:mailto:ALICE@Example.com', 'ATTENDEE;PARTSTAT=TENTATIVE:mailto:bob@example.com'], 'REQUEST-COMPLETED'],
    ['invited, not answered (RSVP=TRUE)', [CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.com'], 'REQUEST-NEEDS-ACTION'],
    ['invited, not answered, RSVP absent', [CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:alice@example.com'], 'REQUEST-NEEDS-ACTION'],
    ['invited, found by X-S1CS-CALID of a secondary calendar', [CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION;X-S1CS-CALID="alice:work":mailto:a.smith@example.org'], 'REQUEST-NEEDS-ACTION'],
    ['invited, no reply wanted (RSVP=FALSE)', [CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:alice@example.com'], 'REQUEST-NEEDSNOACTION'],
    ['invited as non-participant', [CAROL, 'ATTENDEE;ROLE=NON-PARTICIPANT:mailto:alice@example.com'], 'REQUEST-NEEDSNOACTION'],
    ['accepted', [CAROL, 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com'], 'REPLY-ACCEPTED'],
    ['tentatively accepted', [CAROL, 'ATTENDEE;PARTSTAT=TENTATIVE:mailto:alice@example.com'], 'REPLY-ACCEPTED'],
    ['declined', [CAROL, 'ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.com'], 'REPLY-DECLINED'],
    ['delegated', [CAROL, 'ATTENDEE;PARTSTAT=DELEGATED:mailto:alice@example.com'], 'REPLY-DECLINED'],
    ['another user of the same name in another domain is not alice', [CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:alice@partner.org'], undefined],
    ['alice2 is not alice', [CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION;X-S1CS-CALID=alice2:mailto:alice2@example.com'], undefined],
  ])('%s', (_label, lines, expected) => {
    expect(compstateOf(item(...lines), 'alice', directory)).toBe(expected);
  });
});

describe('parseCompstate and matchesCompstate', () => {
  const invitation = item(CAROL, 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:alice@example.com');
  const plain = item();

  it.each<[string, string[] | undefined, boolean, boolean]>([
    ['absent: ALL', undefined, true, true],
    ['ALL', ['ALL'], true, true],
    ['the invitation counter (Lightning)', ['REQUEST-NEEDS-ACTION'], true, false],
    ['lower case', ['request-needs-action'], true, false],
    ['a list', ['REPLY-ACCEPTED', 'REQUEST-NEEDS-ACTION'], true, false],
    ['another state', ['REPLY-ACCEPTED'], false, false],
    ['only unknown keywords match nothing', ['REQUEST-SOMETHING'], false, false],
  ])('%s', (_label, list, invitationMatches, plainMatches) => {
    const filter = parseCompstate(list);
    expect([matchesCompstate(invitation, filter, 'alice', directory), matchesCompstate(plain, filter, 'alice', directory)]).toEqual([
      invitationMatches,
      plainMatches,
    ]);
  });
});
