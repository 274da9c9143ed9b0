import { describe, expect, it } from 'vitest';
import { aclBody } from '../../src/backend/calendar-acl.js';
import { SupportedPrivileges } from '../../src/backend/supported-privileges.js';
import { parseXml } from '../../src/backend/xml-reader.js';
import type { AccessEntry } from '../../src/model/calendar.js';
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
  const entries = [
    { principal: { kind: 'user', user: 'bob' }, rights: ['read', 'write'], grant: true },
    { principal: { kind: 'everyone' }, rights: ['free-busy', 'schedule'], grant: true },
    { principal: { kind: 'owner' }, rights: ['delete'], grant: false },
    { principal: { kind: 'user', user: 'eve' }, rights: ['administer'], grant: true },
  ] as const satisfies readonly AccessEntry[];
  const targets = { owner: 'http://dav.test/principals/alice/', principalOf: (user: string) => `http://dav.test/principals/${user}/` };

  it('starts with the owner granted everything, then one ace per entry with grant or deny and the privileges of the rights', () => {
    const body = aclBody(entries, targets);
    expect(body.indexOf('<D:ace>')).toBe(body.indexOf('<D:ace><D:principal><D:href>/principals/alice/</D:href></D:principal><D:grant><D:privilege><D:all/></D:privilege></D:grant></D:ace>'));
    expect(body).toContain('<D:ace><D:principal><D:href>/principals/bob/</D:href></D:principal><D:grant><D:privilege><D:read/></D:privilege><D:privilege><D:write-content/></D:privilege><D:privilege><D:bind/></D:privilege></D:grant></D:ace>');
    expect(body).toContain('<D:principal><D:all/></D:principal><D:grant><D:privilege><C:read-free-busy/></D:privilege><D:privilege><C:schedule-deliver/></D:privilege><D:privilege><C:schedule-send/></D:privilege></D:grant>');
    expect(body).toContain('<D:principal><D:href>/principals/eve/</D:href></D:principal><D:grant><D:privilege><D:write-acl/></D:privilege></D:grant>');
    // WCAP never checks the primary owner against the ACL: an @@o entry changes nothing.
    expect(body).not.toContain('<D:deny>');
    expect(body.match(/<D:ace>/g)).toHaveLength(4);
  });

  it('names only privileges the calendar supports: abstract ones by their concrete aggregate, missing ones not at all', () => {
    // Cyrus 3.6's set on a calendar: write-acl abstract under its own admin; no scheduling privileges.
    const set = parseXml(
      '<supported-privilege-set xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CY="http://cyrusimap.org/ns/"><supported-privilege><privilege><all/></privilege>' +
        '<supported-privilege><privilege><read/></privilege><supported-privilege><privilege><C:read-free-busy/></privilege></supported-privilege></supported-privilege>' +
        '<supported-privilege><privilege><write/></privilege><supported-privilege><privilege><write-content/></privilege></supported-privilege><supported-privilege><privilege><bind/></privilege></supported-privilege></supported-privilege>' +
        '<supported-privilege><privilege><CY:admin/></privilege><supported-privilege><privilege><write-acl/></privilege><abstract/></supported-privilege></supported-privilege>' +
        '</supported-privilege></supported-privilege-set>',
    );
    const body = aclBody(entries, { ...targets, supported: new SupportedPrivileges(set) });
    expect(body).toContain('<D:principal><D:all/></D:principal><D:grant><D:privilege><C:read-free-busy/></D:privilege></D:grant>');
    expect(body).toMatch(/xmlns:(P\d)="http:\/\/cyrusimap.org\/ns\/".*<D:principal><D:href>\/principals\/eve\/<\/D:href><\/D:principal><D:grant><D:privilege><\1:admin\/><\/D:privilege><\/D:grant>/);
    expect(body).not.toContain('schedule');
    expect(body).not.toContain('write-acl');
  });

  it('drops an entry none of whose rights the calendar has', () => {
    const set = parseXml('<supported-privilege-set xmlns="DAV:"><supported-privilege><privilege><all/></privilege><supported-privilege><privilege><read/></privilege></supported-privilege></supported-privilege></supported-privilege-set>');
    const body = aclBody([{ principal: { kind: 'user', user: 'bob' }, rights: ['schedule'], grant: true }], { ...targets, supported: new SupportedPrivileges(set) });
    expect(body).not.toContain('/principals/bob/');
    expect(body.match(/<D:ace>/g)).toHaveLength(1);
  });
});
