import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { GatewayError } from '../../src/model/errors.js';
import { copyPreferences, copySubscriptions } from '../../src/migrate/migrate-settings.js';
import { TargetServer } from '../../src/migrate/target-server.js';
import { MemoryBackend } from '../support/memory-backend.js';

const log = createLogger('silent');
const credentials = { user: 'jdoe', password: 'jdoe-pw' };
const oldCalendars = {
  defaultCalid: 'jdoe',
  owned: [{ calid: 'jdoe', name: '' }],
  subscribed: [
    { calid: 'boss', name: '' },
    { calid: 'jdoe', name: '' },
  ],
};

describe('migrate: subscriptions and preferences on the new server', () => {
  let target: TargetServer | undefined;
  afterEach(async () => {
    await target?.close();
  });

  function newServer(): { backend: MemoryBackend; target: TargetServer } {
    const backend = new MemoryBackend({ users: { jdoe: 'jdoe-pw' } });
    target = new TargetServer({ caldavUrl: backend.serverUrl, timeoutMs: 5000, defaultCalendar: 'calendar', log, backend });
    return { backend, target };
  }

  it('adds to the list and the preferences the new server keeps, and reads them back through the repository', async () => {
    const { target } = newServer();
    const repository = await target.open(credentials, log, false);
    await repository.settings.writePreferences({ ceBgcolor: ['white'] });

    expect(await copySubscriptions(repository, oldCalendars, false)).toEqual({ added: ['boss'], already: 1, skipped: [] });
    expect(await copyPreferences(repository, { ceBgcolor: ['black'], ceFontFace: ['serif'] }, false)).toEqual({ added: ['ceFontFace'], already: ['ceBgcolor'], skipped: [] });
    expect(await repository.subscriptions()).toEqual(['jdoe', 'boss']);
    expect((await repository.settings.read()).preferences).toEqual({ ceBgcolor: ['white'], ceFontFace: ['serif'] });
  });

  it('in a dry run reports what it would add and writes nothing', async () => {
    const { backend, target } = newServer();
    await target.open(credentials, log, false);
    const repository = await target.open(credentials, log, true);
    backend.calls.length = 0;

    expect(await copySubscriptions(repository, oldCalendars, true)).toEqual({ added: ['boss'], already: 1, skipped: [] });
    expect(await copyPreferences(repository, { ceFontFace: ['serif'] }, true)).toEqual({ added: ['ceFontFace'], already: [], skipped: [] });
    expect(backend.calls).not.toContain('writeGatewayProperties');
    expect((await repository.settings.read()).subscriptions).toBeUndefined();
  });

  it('reports a list the new server refuses to store, and still copies the preferences', async () => {
    const { backend, target } = newServer();
    const repository = await target.open(credentials, log, false);
    let refused = false;
    backend.beforeWrite(async (method) => {
      if (method !== 'writeGatewayProperties' || refused) return;
      refused = true;
      throw new GatewayError('unavailable', 'the server is read-only');
    });

    expect(await copySubscriptions(repository, oldCalendars, false)).toEqual({ added: [], already: 0, skipped: [], failure: 'new server: the server is read-only' });
    expect(await copyPreferences(repository, { ceFontFace: ['serif'] }, false)).toEqual({ added: ['ceFontFace'], already: [], skipped: [] });
    expect((await repository.settings.read()).subscriptions).toBeUndefined();
  });
});
