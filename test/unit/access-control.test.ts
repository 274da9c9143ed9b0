import { describe, expect, it } from 'vitest';
import { aclBody } from '../../src/backend/calendar-acl.js';
import { rightsOf } from '../../src/backend/calendar-settings.js';
import { parseMultistatus } from '../../src/backend/multistatus.js';
import { AceError, effectiveAces, parseAcl } from '../../src/mapping/access-control.js';

describe('parseAcl (WCAP ACE strings)', () => {
  it('reads the documented examples, in any case', () => {
    expect(parseAcl('jsmith^c^wd^g')).toEqual([{ principal: { kind: 'user', user: 'jsmith' }, rights: ['write', 'delete'], grant: true }]);
    expect(parseAcl('@@o^a^r^g;@@O^C^WDEIC^G;@^a^sf^g')).toEqual([
      { principal: { kind: 'owner' }, rights: ['read'], grant: true },
      { principal: { kind: 'owner' }, rights: ['write', 'delete', 'schedule'], grant: true },
      { principal: { kind: 'everyone' }, rights: ['free-busy', 'schedule'], grant: true },
    ]);
    // "a" is components and properties: w writes both; p^w only the properties; an empty how grants nothing.
    expect(parseAcl('susan@example.com^a^w^d;@^p^w^g;@^c^^g').map((e) => [e.rights, e.grant])).toEqual([
      [['write', 'write-properties'], false],
      [['write-properties'], true],
      [[], true],
    ]);
  });

  it.each([
    ['bob^c^r', 'form who^what^how^grant'],
    ['bob^c^r^g^x', 'form who^what^how^grant'],
    ['bob^x^r^g', 'second field'],
    ['bob^c^rq^g', 'third field'],
    ['bob^c^rr^g', 'third field'],
    ['bob^c^r^x', 'fourth field'],
    ['@@n^a^r^g', 'cannot be expressed'],
    ['@example.com^a^r^g', 'cannot be expressed'],
    ['b o b^a^r^g', 'first field'],
  ])('refuses %s', (acl, reason) => {
    expect(() => parseAcl(acl)).toThrow(AceError);
    expect(() => parseAcl(acl)).toThrow(reason);
  });

  it('bounds the number and the length of ACEs', () => {
    expect(() => parseAcl(Array.from({ length: 51 }, () => '@^a^r^g').join(';'))).toThrow('more than 50');
    expect(() => parseAcl(`${'u'.repeat(300)}^a^r^g`)).toThrow('longer than');
  });
});

describe('effectiveAces', () => {
  it("gives an owner with every right Sun's owner ACL, and a reader only what they may do", () => {
    const all = ['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer'] as const;
    expect(effectiveAces([...all], '@@o')).toEqual(['@@o^a^rsf^g', '@@o^c^wdeic^g']);
    expect(effectiveAces(['read', 'free-busy'], 'ravi')).toEqual(['ravi^a^rf^g']);
    expect(effectiveAces(['free-busy'], 'ravi')).toEqual(['ravi^a^f^g']);
    expect(effectiveAces(['read', 'free-busy', 'write'], 'ravi')).toEqual(['ravi^a^rf^g', 'ravi^c^w^g']);
  });
});

describe('current-user-privilege-set → rights', () => {
  const answer = (privileges: string) =>
    parseMultistatus(
      `<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/a/b/</href><propstat><prop>` +
        `<current-user-privilege-set>${privileges}</current-user-privilege-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`,
    )[0]!;

  it('reads what Radicale 3.1.8 reports for read-only and for read-write collections', () => {
    expect(rightsOf(answer('<privilege><read/></privilege>'))).toEqual(['read', 'free-busy']);
    const rw = '<privilege><read/></privilege><privilege><all/></privilege><privilege><write/></privilege><privilege><write-properties/></privilege><privilege><write-content/></privilege>';
    expect(rightsOf(answer(rw))).toEqual(['read', 'free-busy', 'write', 'delete', 'write-properties', 'schedule', 'administer']);
  });

  it('reads fine-grained RFC 3744 and CalDAV privileges; none reported: undefined', () => {
    expect(rightsOf(answer('<privilege><C:read-free-busy/></privilege><privilege><bind/></privilege><privilege><unbind/></privilege>'))).toEqual([
      'free-busy',
      'write',
      'delete',
    ]);
    const none = parseMultistatus('<?xml version="1.0"?><multistatus xmlns="DAV:"><response><href>/a/</href></response></multistatus>')[0]!;
    expect(rightsOf(none)).toBeUndefined();
  });
});

describe('aclBody (RFC 3744 §8.1)', () => {
  it('writes one ace per entry with principal, grant or deny and the privileges of the rights', () => {
    const body = aclBody(
      [
        { principal: { kind: 'user', user: 'bob' }, rights: ['read', 'write'], grant: true },
        { principal: { kind: 'everyone' }, rights: ['free-busy'], grant: true },
        { principal: { kind: 'owner' }, rights: ['delete'], grant: false },
      ],
      (user) => `http://dav.test/principals/${user}/`,
    );
    expect(body).toContain('<D:ace><D:principal><D:href>/principals/bob/</D:href></D:principal><D:grant><D:privilege><D:read/></D:privilege><D:privilege><D:write-content/></D:privilege><D:privilege><D:bind/></D:privilege></D:grant></D:ace>');
    expect(body).toContain('<D:principal><D:all/></D:principal><D:grant><D:privilege><C:read-free-busy/></D:privilege></D:grant>');
    expect(body).toContain('<D:principal><D:property><D:owner/></D:property></D:principal><D:deny><D:privilege><D:unbind/></D:privilege></D:deny>');
  });
});
