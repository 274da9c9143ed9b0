import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CYRUS_ADMIN, startCyrus } from './cyrus.js';
import { PROOF_USERS, startServices, TEST_USERS } from './services.js';
import { SERVER_SUITE_USERS, cyrusServer, radicaleServer, xandikosServer, type TestServer } from './test-servers.js';
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
    /** The CalDAV servers of the server-parameterized suites (test/support/test-servers.ts). */
    caldavServers: TestServer[];
    /** Users the server-parameterized suites log in as, on every server. */
    serverSuiteUsers: Record<string, string>;
  }
}

/**
 * Starts Radicale and Redis once for the whole `services` project, Cyrus beside them for the
 * server-parameterized suites (its users: the test users, so the backend contract runs there too),
 * and two Xandikos: one for the backend contract, one for the server-parameterized suites (Xandikos
 * has one home for everyone, so each keeps what the other writes out of its way).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startServices(console.log, { extraUsers: { ...PROOF_USERS, ...SERVER_SUITE_USERS } });
  const xandikosDir = mkdtempSync(join(tmpdir(), 'wcap-xandikos-'));
  const removeXandikosDir = async () => rmSync(xandikosDir, { recursive: true, force: true });
  let cyrus;
  let xandikos;
  let suiteXandikos;
  try {
    cyrus = await startCyrus({ users: { ...TEST_USERS, ...SERVER_SUITE_USERS }, mailDomain: 'example.com' });
    [xandikos, suiteXandikos] = await Promise.all([startLocalXandikos(join(xandikosDir, 'contract')), startLocalXandikos(join(xandikosDir, 'suites'))]);
  } catch (err) {
    await Promise.allSettled([services.stop(), cyrus?.stop(), xandikos?.stop(), suiteXandikos?.stop(), removeXandikosDir()]);
    throw err;
  }
  console.log(`[services] Cyrus (Debian binaries) on loopback: ${cyrus.url} (IMAP ${cyrus.imapPort}, admin ${CYRUS_ADMIN.user})`);
  console.log(`[services] xandikos ${xandikos.url} (contract) and ${suiteXandikos.url} (server suites) (${xandikosVersion()})`);
  project.provide('radicaleUrl', services.radicaleUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('xandikosUrl', xandikos.url);
  project.provide('testUsers', TEST_USERS);
  project.provide('proofUsers', PROOF_USERS);
  project.provide('radicaleRightsFile', services.rightsFile);
  project.provide('caldavServers', [radicaleServer(services.radicaleUrl, services.rightsFile), cyrusServer(cyrus.url, cyrus.imapPort), xandikosServer(suiteXandikos.url)]);
  project.provide('serverSuiteUsers', SERVER_SUITE_USERS);
  const started = { cyrus, xandikos, suiteXandikos };
  return async () => {
    await Promise.allSettled([services.stop(), started.cyrus.stop(), started.xandikos.stop(), started.suiteXandikos.stop()]);
    await removeXandikosDir();
  };
}
