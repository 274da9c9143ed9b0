import { beforeAll, describe, expect, it } from 'vitest';
import { FORMATS, buildGoldenGateway, matchGolden, checkAnswer, enc, tokenOf, tokensOf, type GoldenGateway } from '../support/golden-gateway.js';

/**
 * Golden answers of calendar management (docs/wcap-protocol.md#createcalendar,
 * #deletecalendar, #set_calprops): on a CalDAV server that accepts WebDAV ACLs (the fake with
 * accessControl), and the refusal where it does not (as on Radicale).
 */

describe.each(FORMATS)('calendar management ($ext)', (f) => {
  let g: GoldenGateway;
  let sid: string;
  const ask = (command: string, query: string) => g.get(command, `id=${sid}&fmt-out=${f.fmtOut}&${query}`);

  beforeAll(async () => {
    g = buildGoldenGateway({}, { accessControl: true });
    sid = await g.login('alice');
  });

  it('createcalendar (6.x, set_calprops=1): the new calendar with every property', async () => {
    const answer = await ask(
      'createcalendar',
      `calid=team&set_calprops=1&name=${enc('Team & Co')}&description=${enc('Shared <plans>')}&tzid=Europe%2FBerlin` +
        `&categories=business;work&owners=bob&allowdoublebook=0&fbinclude=0&lang=de&master=${enc('boss@example.com')}`,
    );
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice:team');
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-NAME')).toBe('Team & Co');
    expect(tokensOf(answer, 'X-NSCP-CALPROPS-CATEGORIES')).toEqual(['business', 'work']);
    expect(tokenOf(answer, 'X-S1CS-CALPROPS-ALLOW-DOUBLEBOOKING')).toBe('0');
    expect(tokenOf(answer, 'X-S1CS-CALPROPS-FB-INCLUDE')).toBe('0');
    expect(tokenOf(answer, 'X-S1CS-DEFAULTCALENDAR')).toBeUndefined();
    await matchGolden(answer, `createcalendar.${f.ext}`);
  });

  it('set_calprops with an acl: applied through WebDAV ACL, the answer reads the calendar back', async () => {
    const answer = await ask('set_calprops', `calid=alice:team&name=Renamed&categories=&acl=${enc('bob^a^r^g;bob^c^wd^g;@^a^f^g;@@o^a^rsfz^g')}`);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-NAME')).toBe('Renamed');
    expect(tokensOf(answer, 'X-NSCP-CALPROPS-CATEGORIES')).toEqual([]);
    expect(g.backend.aclOf(g.backend.calendarUrl(g.home('alice'), 'alice', 'team'))).toEqual([
      { principal: { kind: 'user', user: 'bob' }, rights: ['read'], grant: true },
      { principal: { kind: 'user', user: 'bob' }, rights: ['write', 'delete'], grant: true },
      { principal: { kind: 'everyone' }, rights: ['free-busy'], grant: true },
      { principal: { kind: 'owner' }, rights: ['read', 'free-busy', 'schedule', 'administer'], grant: true },
    ]);
    await matchGolden(answer, `set_calprops.${f.ext}`);
  });

  it('createcalendar 7.0 with acl on an ACL server: created, the ACL applied', async () => {
    const answer = await ask('createcalendar', `name=${enc('Ünïcode Plan!')}&acl=${enc('bob^a^r^g')}`);
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice:unicode-plan');
    expect(g.backend.aclOf(g.backend.calendarUrl(g.home('alice'), 'alice', 'unicode-plan'))).toEqual([
      { principal: { kind: 'user', user: 'bob' }, rights: ['read'], grant: true },
    ]);
  });

  it('get_calprops of the default calendar says so', async () => {
    const answer = await ask('get_calprops', 'calid=alice');
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-S1CS-DEFAULTCALENDAR')).toBe('1');
    expect(tokensOf(answer, 'X-NSCP-CALPROPS-ACCESS-CONTROL-ENTRY')).toEqual(['@@o^a^rsf^g', '@@o^c^wdeic^g']);
  });

  it('deletecalendar: the calid of the deleted calendar, then 29 for it', async () => {
    await g.get('createcalendar', `id=${sid}&calid=old`);
    const answer = await ask('deletecalendar', 'calid=old');
    checkAnswer(answer, f, 0);
    expect(tokenOf(answer, 'X-NSCP-CALPROPS-RELATIVE-CALID')).toBe('alice:old');
    await matchGolden(answer, `deletecalendar.${f.ext}`);
    checkAnswer(await ask('get_calprops', 'calid=alice:old'), f, 29);
  });

  it('errors: 25 exists, 30 illegal calid, 8 bad ACE, 11 default calendar', async () => {
    const answers = [
      await ask('createcalendar', 'calid=team'),
      await ask('createcalendar', 'calid=.dot'),
      await ask('set_calprops', `calid=alice:team&acl=${enc('bob^c^wx^g')}`),
      await ask('deletecalendar', 'calid=alice'),
    ];
    expect(answers.map((a) => Number(tokenOf(a, 'X-NSCP-WCAP-ERRNO')))).toEqual([25, 30, 8, 11]);
    for (const answer of answers) expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toBeTruthy();
    const names = ['createcalendar-exists', 'createcalendar-illegal-calid', 'set_calprops-bad-ace', 'deletecalendar-default'];
    for (const [i, answer] of answers.entries()) await matchGolden(answer, `${names[i]}.${f.ext}`);
  });

  it('set_calprops acl where the server keeps rights itself: errno 8, nothing changed', async () => {
    const radicaleLike = buildGoldenGateway();
    const id = await radicaleLike.login('alice');
    const answer = await radicaleLike.get('set_calprops', `id=${id}&fmt-out=${f.fmtOut}&calid=alice&name=Changed&acl=${enc('bob^a^r^g')}`);
    checkAnswer(answer, f, 8);
    expect(tokenOf(answer, 'X-NSCP-WCAP-ERRNO-MESSAGE')).toContain('managed on the CalDAV server');
    const after = await radicaleLike.get('get_calprops', `id=${id}&fmt-out=${f.fmtOut}&calid=alice`);
    expect(tokenOf(after, 'X-NSCP-CALPROPS-NAME')).toBe('alice');
  });
});
