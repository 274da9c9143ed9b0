import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROOF_USERS, startServices, TEST_USERS } from './services.js';
import { startLocalXandikos, xandikosVersion } from './xandikos.js';

declare module 'vitest' {
  export interface ProvidedContext {
    radicaleUrl: string;
    redisUrl: string;
    /** Xandikos 0.2.8 (no authentication, one home `/user/calendars/` for everyone). */
    xandikosUrl: string;
    testUsers: Record<string, string>;
    /** Users of the proof suites' slices only (see PROOF_USERS in services.ts). */
    proofUsers: Record<string, string>;
    /** Radicale's rights file (see OWNER_ONLY_RIGHTS in services.ts): tests may add sharing rules. */
    radicaleRightsFile: string;
  }
}

/** Starts Radicale, Redis and Xandikos once for the whole `services` project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startServices(console.log, { extraUsers: PROOF_USERS });
  const xandikosDir = mkdtempSync(join(tmpdir(), 'wcap-xandikos-'));
  const stopXandikos = async () => rmSync(xandikosDir, { recursive: true, force: true });
  let xandikos;
  try {
    xandikos = await startLocalXandikos(xandikosDir);
  } catch (err) {
    await Promise.allSettled([services.stop(), stopXandikos()]);
    throw err;
  }
  console.log(`[services] xandikos ${xandikos.url} (${xandikosVersion()})`);
  project.provide('radicaleUrl', services.radicaleUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('xandikosUrl', xandikos.url);
  project.provide('testUsers', TEST_USERS);
  project.provide('proofUsers', PROOF_USERS);
  project.provide('radicaleRightsFile', services.rightsFile);
  return async () => {
    await Promise.allSettled([services.stop(), xandikos.stop()]);
    await stopXandikos();
  };
}
