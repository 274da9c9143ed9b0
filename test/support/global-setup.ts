import type { TestProject } from 'vitest/node';
import { PROOF_USERS, startServices, TEST_USERS } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    radicaleUrl: string;
    redisUrl: string;
    testUsers: Record<string, string>;
    /** Users of the proof suites' slices only (see PROOF_USERS in services.ts). */
    proofUsers: Record<string, string>;
    /** Radicale's rights file (see OWNER_ONLY_RIGHTS in services.ts): tests may add sharing rules. */
    radicaleRightsFile: string;
  }
}

/** Starts Radicale and Redis once for the whole `services` project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startServices(console.log, { extraUsers: PROOF_USERS });
  project.provide('radicaleUrl', services.radicaleUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('testUsers', TEST_USERS);
  project.provide('proofUsers', PROOF_USERS);
  project.provide('radicaleRightsFile', services.rightsFile);
  return () => services.stop();
}
