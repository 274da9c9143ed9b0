import { describe, expect, inject, it } from 'vitest';

describe('test services', () => {
  it('Radicale authenticates a test user and serves its principal', async () => {
    const [user, password] = Object.entries(inject('testUsers'))[0]!;
    const res = await fetch(new URL(`/${user}/`, inject('radicaleUrl')), {
      method: 'PROPFIND',
      headers: { Depth: '0', Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    });
    expect(res.status).toBe(207);
  });

  it('Radicale rejects a wrong password', async () => {
    const res = await fetch(new URL('/alice/', inject('radicaleUrl')), {
      method: 'PROPFIND',
      headers: { Depth: '0', Authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` },
    });
    expect(res.status).toBe(401);
  });
});
