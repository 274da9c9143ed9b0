import type { TestProject } from 'vitest/node';
import { CYRUS_ADMIN, startCyrus } from './cyrus.js';
import { PROOF_USERS, startServices, TEST_USERS } from './services.js';
import { SERVER_SUITE_USERS, cyrusServer, radicaleServer, type TestServer } from './test-servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    radicaleUrl: string;
    redisUrl: string;
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
 * Starts Radicale and Redis once for the whole `services` project, and Cyrus beside them for the
 * server-parameterized suites (its users: the test users, so the backend contract runs there too).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startServices(console.log, { extraUsers: { ...PROOF_USERS, ...SERVER_SUITE_USERS } });
  let cyrus;
  try {
    cyrus = await startCyrus({ users: { ...TEST_USERS, ...SERVER_SUITE_USERS }, mailDomain: 'example.com' });
  } catch (err) {
    await services.stop();
    throw err;
  }
  console.log(`[services] Cyrus (Debian binaries) on loopback: ${cyrus.url} (IMAP ${cyrus.imapPort}, admin ${CYRUS_ADMIN.user})`);
  project.provide('radicaleUrl', services.radicaleUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('testUsers', TEST_USERS);
  project.provide('proofUsers', PROOF_USERS);
  project.provide('radicaleRightsFile', services.rightsFile);
  project.provide('caldavServers', [radicaleServer(services.radicaleUrl, services.rightsFile), cyrusServer(cyrus.url, cyrus.imapPort)]);
  project.provide('serverSuiteUsers', SERVER_SUITE_USERS);
  const started = cyrus;
  return async () => {
    await Promise.allSettled([services.stop(), started.stop()]);
  };
}
