import { describe, expect, it } from 'vitest';
import { parseCalid, type CalendarAddress } from '../../src/mapping/calid.js';
import { Directory, stripMailto } from '../../src/mapping/directory.js';

const directory = new Directory('example.com');
const parse = (calid: string) => parseCalid(calid, directory, 'calendar');

describe('parseCalid', () => {
  it.each<[string, string, Omit<CalendarAddress, 'calid'>]>([
    ['a user: the default calendar', 'jdoe', { owner: 'jdoe', name: 'calendar' }],
    ['a secondary calendar', 'jdoe:work', { owner: 'jdoe', name: 'work' }],
    ['names with dots, dashes and underscores', 'j.doe-2:team_cal.v2', { owner: 'j.doe-2', name: 'team_cal.v2' }],
    ['mailto: in the mail domain → that user', 'mailto:jdoe@example.com', { owner: 'jdoe', name: 'calendar' }],
    ['MAILTO: with an upper-case domain', 'MAILTO:jdoe@EXAMPLE.COM', { owner: 'jdoe', name: 'calendar' }],
    ['hosted-domain id kept whole', 'jdoe@example.com', { owner: 'jdoe@example.com', name: 'calendar' }],
    ['hosted-domain id with a calendar', 'jdoe@example.com:work', { owner: 'jdoe@example.com', name: 'work' }],
    ['surrounding spaces', ' jdoe ', { owner: 'jdoe', name: 'calendar' }],
  ])('%s (%s)', (_label, calid, expected) => {
    // The calid is echoed exactly as sent (X-NSCP-CALPROPS-RELATIVE-CALID,
    // docs/lightning.md#calendar-properties-it-reads).
    expect(parse(calid)).toEqual({ calid, ...expected });
  });

  it('uses the configured default calendar name', () => {
    expect(parseCalid('jdoe', directory, 'personal')?.name).toBe('personal');
  });

  it.each([
    ['mailto: in another domain', 'mailto:jdoe@other.org'],
    ['mailto: of a look-alike domain', 'mailto:jdoe@example.com.evil.org'],
    ['mailto: without a domain', 'mailto:jdoe'],
    ['mailto: with an empty local part', 'mailto:@example.com'],
    ['empty', ''],
    ['blank', '   '],
    ['empty owner', ':work'],
    ['empty calendar name', 'jdoe:'],
    ['dot-dot owner', '..'],
    ['dot owner', '.'],
    ['dot-dot owner with a calendar', '..:work'],
    ['dot-dot calendar', 'jdoe:..'],
    ['dot calendar', 'jdoe:.'],
    ['a slash in the owner', 'a/b'],
    ['a slash in the calendar', 'jdoe:a/b'],
    ['an encoded slash', 'jdoe:a%2Fb'],
    ['an encoded dot-dot', '%2E%2E'],
    ['a backslash', 'jdoe:a\\b'],
    ['a second colon', 'jdoe:work:extra'],
    ['a space inside', 'jane doe'],
    ['a control character', 'jdoe\u0000'],
    ['a mailto: whose local part is ..', 'mailto:..@example.com'],
    ['a mailto: whose local part has a slash', 'mailto:a/b@example.com'],
  ])('%s (%j) → undefined', (_label, calid) => {
    expect(parse(calid)).toBeUndefined();
  });
});

describe('Directory', () => {
  it.each([
    ['jdoe@example.com', 'jdoe'],
    ['mailto:jdoe@example.com', 'jdoe'],
    ['MAILTO:jdoe@Example.Com', 'jdoe'],
    ['jdoe@other.org', undefined],
    ['@example.com', undefined],
    ['jdoe', undefined],
  ])('userOfMail(%s) = %s', (address, user) => {
    expect(directory.userOfMail(address)).toBe(user);
  });

  it('gives users an address in the mail domain', () => {
    expect(directory.mailOf('jdoe')).toBe('jdoe@example.com');
    expect(new Directory('Example.COM').mailOf('jdoe')).toBe('jdoe@example.com');
    expect(new Directory(undefined).mailOf('jdoe')).toBe('jdoe@localhost');
  });

  it('stripMailto removes only a leading mailto:', () => {
    expect(stripMailto('MailTo:a@b.c')).toBe('a@b.c');
    expect(stripMailto('a@mailto:b')).toBe('a@mailto:b');
  });
});
