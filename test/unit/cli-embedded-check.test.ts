import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEmbeddedRadicale } from '../../src/cli/check/caldav-check.js';
import { loadConfig } from '../../src/config.js';

// `check` without WCAP_CALDAV_URL looks for what serve's embedded Radicale needs, without starting
// it. A stand-in `radicale` on PATH answers `--version` (the real program is the services project's).
const dir = mkdtempSync(join(tmpdir(), 'wcap-cli-embedded-'));
const withRadicale = join(dir, 'bin');
const withoutRadicale = join(dir, 'empty');
mkdirSync(withRadicale);
mkdirSync(withoutRadicale);
writeFileSync(join(withRadicale, 'radicale'), '#!/bin/sh\necho 3.1.8\n');
chmodSync(join(withRadicale, 'radicale'), 0o755);
const usersFile = join(dir, 'users');
writeFileSync(usersFile, 'alice:pw\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check without WCAP_CALDAV_URL', () => {
  it('says serve would start the embedded Radicale, with its version, data folder and users file', async () => {
    const config = loadConfig({ WCAP_RADICALE_USERS: usersFile, WCAP_DATA_DIR: join(dir, 'data') });
    const result = await checkEmbeddedRadicale(config, { PATH: withRadicale });
    expect(result.status).toBe('ok');
    expect(result.reason).toBe('WCAP_CALDAV_URL unset: serve would start the embedded Radicale (radicale 3.1.8)');
    expect(result.details).toEqual([`data: ${join(dir, 'data', 'radicale')}`, `users: ${usersFile}`]);
  });

  it('fails with the install command when the radicale program is missing', async () => {
    const config = loadConfig({ WCAP_RADICALE_USERS: usersFile });
    const result = await checkEmbeddedRadicale(config, { PATH: withoutRadicale });
    expect(result.status).toBe('FAIL');
    expect(result.reason).toContain('apt-get install -y radicale');
  });

  it('fails when the users file cannot be read', async () => {
    const config = loadConfig({ WCAP_RADICALE_USERS: join(dir, 'missing-users') });
    const result = await checkEmbeddedRadicale(config, { PATH: withRadicale });
    expect(result.status).toBe('FAIL');
    expect(result.reason).toContain('missing-users is not readable (WCAP_RADICALE_USERS)');
  });
});
