import { describe, expect, it } from 'vitest';
import { parseUsersFile, USERS_FILE_LIMITS } from '../../src/migrate/users-file.js';

describe('migrate users file', () => {
  const required = { passwordsRequired: true };

  it('reads TAB and colon lines, with an optional new-server password after a TAB', () => {
    const text = ['# who moves', '', 'alice\tpa:ss\tnew pw', 'bob:se:cret', '  carol\tcarol pw  ', '\r'].join('\n');
    expect(parseUsersFile(text, required)).toEqual([
      { user: 'alice', oldPassword: 'pa:ss', newPassword: 'new pw' },
      { user: 'bob', oldPassword: 'se:cret', newPassword: 'se:cret' },
      { user: 'carol', oldPassword: 'carol pw  ', newPassword: 'carol pw  ' },
    ]);
  });

  it('reads Windows line ends and a byte order mark', () => {
    expect(parseUsersFile('\uFEFFalice:pw1\r\nbob\tpw2\r\n', required)).toEqual([
      { user: 'alice', oldPassword: 'pw1', newPassword: 'pw1' },
      { user: 'bob', oldPassword: 'pw2', newPassword: 'pw2' },
    ]);
  });

  it('with a proxy login takes bare user names, and a password only for the new server', () => {
    expect(parseUsersFile('alice\nbob\tbob-new\ncarol\t\tcarol-new', { passwordsRequired: false })).toEqual([
      { user: 'alice' },
      { user: 'bob', newPassword: 'bob-new' },
      { user: 'carol', newPassword: 'carol-new' },
    ]);
  });

  it.each([
    ['alice', 'line 1: no password for alice'],
    ['alice:pw\nalice:pw2', 'line 2: alice is listed twice'],
    ['al ice:pw', 'line 1: the user name is empty'],
    ['../x:pw', 'line 1: the user name is empty'],
    [':pw', 'line 1: the user name is empty'],
    ['a\tb\tc\td', 'line 1: more than three columns'],
    ['# only a comment\n\n', 'the users file lists no user'],
    [`alice:${'x'.repeat(USERS_FILE_LIMITS.maxFieldLength + 1)}`, 'line 1: a column is longer than'],
  ])('refuses %j with a message naming the line, never the password', (text, message) => {
    expect(() => parseUsersFile(text, required)).toThrow(message);
    try {
      parseUsersFile(text, required);
    } catch (err) {
      expect((err as Error).message).not.toContain('pw2');
      expect((err as Error).message).not.toContain('xxxx');
    }
  });

  it('is bounded in size and in users', () => {
    expect(() => parseUsersFile('a:b\n'.repeat(USERS_FILE_LIMITS.maxBytes / 4 + 1), required)).toThrow('larger than');
    const many = Array.from({ length: USERS_FILE_LIMITS.maxUsers + 1 }, (_, i) => `u${i}:p`).join('\n');
    expect(() => parseUsersFile(many, required)).toThrow(`more than ${USERS_FILE_LIMITS.maxUsers} users`);
  });
});
