import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { closeRedis, createRedis, waitUntilReady } from '../../src/state/redis/connection.js';

export interface TestRedis {
  /** The connected client (available inside tests and hooks). */
  readonly client: Redis;
  /** A key prefix no other test uses. */
  prefix(): string;
}

/**
 * A Redis client on the test Redis for one test file, with a per-file key prefix whose keys are
 * removed afterwards, so contract suites can share one server.
 */
export function useTestRedis(name: string): TestRedis {
  const filePrefix = `test:${name}:${randomUUID()}:`;
  let client: Redis | undefined;
  beforeAll(async () => {
    client = createRedis(inject('redisUrl'));
    await waitUntilReady(client);
  });
  afterAll(async () => {
    if (!client) return;
    const keys = await client.keys(`${filePrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await closeRedis(client);
  });
  return {
    get client() {
      if (!client) throw new Error('test Redis is not connected yet');
      return client;
    },
    prefix: () => `${filePrefix}${randomUUID()}:`,
  };
}
