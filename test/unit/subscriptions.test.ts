import { beforeEach, describe, expect, it } from 'vitest';
import { subscribe, subscribedCalids, unsubscribe, type Readability, type SubscriptionHost } from '../../src/calendars/subscriptions.js';
import { MAX_SUBSCRIPTIONS, PREFERENCES_PROPERTY, SUBSCRIPTIONS_PROPERTY, UserSettings } from '../../src/calendars/user-settings.js';
import { GatewayError } from '../../src/model/errors.js';
import { MemoryBackend } from '../support/memory-backend.js';

const HOME = 'http://caldav.memory.test/jdoe/';
const CREDENTIALS = { user: 'jdoe', password: 'pw' };

describe('subscription changes (calendars/subscriptions.ts) over the fake CalDAV server', () => {
  let backend: MemoryBackend;
  let host: SubscriptionHost;
  let readable: Record<string, Readability>;
  const writes = () => backend.calls.filter((c) => c === 'writeGatewayProperties').length;
  beforeEach(() => {
    backend = new MemoryBackend({ users: { jdoe: 'pw' } });
    readable = { 'team:cal': 'readable', team: 'readable', alice: 'forbidden', 'team:gone': 'no-calendar' };
    host = {
      settings: new UserSettings(backend, CREDENTIALS, HOME),
      ownCalids: async () => ['jdoe', 'jdoe:work'],
      canonical: (calid) => (calid.startsWith('mailto:') ? calid.slice(7).split('@')[0] : calid.includes('/') ? undefined : calid),
      readability: async (calid) => readable[calid] ?? 'no-calendar',
    };
  });

  it('starts from the own calendars, adds the readable ones in one write, and writes nothing when nothing changes', async () => {
    expect(await subscribedCalids(host)).toEqual(['jdoe', 'jdoe:work']);
    const outcomes = await subscribe(host, ['team:cal', 'alice', 'team:gone', 'a/b', 'mailto:team@example.com']);
    expect(outcomes.map((o) => o.result)).toEqual(['changed', 'forbidden', 'no-calendar', 'no-calendar', 'changed']);
    expect(writes()).toBe(1);
    expect(await backend.readGatewayProperties(CREDENTIALS, HOME, [SUBSCRIPTIONS_PROPERTY])).toEqual({
      [SUBSCRIPTIONS_PROPERTY]: JSON.stringify(['jdoe', 'jdoe:work', 'team:cal', 'team']),
    });
    expect((await subscribe(host, ['team:cal'])).map((o) => o.result)).toEqual(['unchanged']);
    expect(writes()).toBe(1);
  });

  it('removes listed calids without a check, checks the others, and keeps the preferences apart', async () => {
    await host.settings.writePreferences({ ceBgcolor: ['black'] });
    await subscribe(host, ['team:cal']);
    readable['team:cal'] = 'no-calendar';
    const outcomes = await unsubscribe(host, ['team:cal', 'team:cal', 'alice', 'team']);
    expect(outcomes.map((o) => o.result)).toEqual(['changed', 'unchanged', 'forbidden', 'unchanged']);
    expect(await subscribedCalids(host)).toEqual(['jdoe', 'jdoe:work']);
    expect((await host.settings.read()).preferences).toEqual({ ceBgcolor: ['black'] });
  });

  it(`refuses a list longer than ${MAX_SUBSCRIPTIONS} calendars without writing it`, async () => {
    const many = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, i) => `user${i}`);
    for (const calid of many) readable[calid] = 'readable';
    await expect(subscribe(host, many)).rejects.toSatisfy((err) => err instanceof GatewayError && err.kind === 'invalid');
    expect(writes()).toBe(0);
    // More calids in one request than a list may hold are refused before any of them is checked.
    let checks = 0;
    const counting = { ...host, readability: async () => ((checks += 1), 'readable' as const) };
    await expect(subscribe(counting, [...many, 'one-more'])).rejects.toThrow(/per request/);
    await expect(unsubscribe(counting, [...many, 'one-more'])).rejects.toThrow(/per request/);
    expect(checks).toBe(0);
  });

  it("turns the server's refusal to store settings on the home into a message about the home", async () => {
    const refusing = new UserSettings(backend, CREDENTIALS, 'http://caldav.memory.test/alice/');
    await expect(refusing.writePreferences({ ceA: ['1'] })).rejects.toSatisfy(
      (err) => err instanceof GatewayError && err.kind === 'invalid' && /calendar home/.test(err.message),
    );
  });

  it('ignores stored values it did not write (hand-edited, other programs)', async () => {
    await backend.writeGatewayProperties(CREDENTIALS, HOME, { [SUBSCRIPTIONS_PROPERTY]: '{"not":"a list"}', [PREFERENCES_PROPERTY]: '[1,2]' });
    expect(await host.settings.read()).toEqual({ preferences: {} });
    await backend.writeGatewayProperties(CREDENTIALS, HOME, { [SUBSCRIPTIONS_PROPERTY]: '["a",3,"b"]', [PREFERENCES_PROPERTY]: '{"ceA":["1",2],"ceB":"x"}' });
    expect(await host.settings.read()).toEqual({ subscriptions: ['a', 'b'], preferences: { ceA: ['1'] } });
  });
});
