import { Writable } from 'node:stream';
import { loadConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { startServices, type RunningServices } from '../test/support/services.js';

/**
 * The gateway the proof suites run against: in this process (so its RSS is this process's RSS),
 * logging at warn level into a sink that keeps every error-level line, because an error the
 * gateway logs is an error nobody anticipated (src/wcap/error-mapping.ts, `unexpected`).
 */

export interface ProofGateway {
  gateway: RunningGateway;
  /** Error-level log lines (pino level ≥ 50): message and error text. */
  errorLines: string[];
  close(): Promise<void>;
}

/** Set here; the same variables from the environment are ignored. */
const FIXED = ['WCAP_HOST', 'WCAP_PORT', 'WCAP_CALDAV_URL', 'WCAP_REDIS_URL', 'WCAP_SECRET'];

/** WCAP_* settings of the environment (minus {@link FIXED} and WCAP_TEST_*), for the CLI runs. */
export function passedThroughEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith('WCAP_') && !e[0].startsWith('WCAP_TEST_') && e[1] !== undefined && !FIXED.includes(e[0]),
    ),
  );
}

export async function startProofGateway(radicaleUrl: string, redisUrl: string, env: Record<string, string> = {}): Promise<ProofGateway> {
  const errorLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          if ((entry.level ?? 0) >= 50) errorLines.push(`${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
        } catch {
          errorLines.push(line.slice(0, 300));
        }
      }
      callback();
    },
  });
  const config = loadConfig({
    WCAP_LOG_LEVEL: 'warn',
    // Every generated request comes from 127.0.0.1, and the fuzz sends wrong passwords, also for
    // the user names it logs in as: throttling would block the suites' own logins. It has its own
    // tests (test/integration/login-throttling.test.ts).
    WCAP_LOGIN_ADDRESS_MAX_FAILURES: '0',
    WCAP_LOGIN_MAX_FAILURES: '0',
    ...env,
    WCAP_HOST: '127.0.0.1',
    WCAP_PORT: '0',
    WCAP_CALDAV_URL: radicaleUrl,
    WCAP_REDIS_URL: redisUrl,
    WCAP_SECRET: 'proof-suite-secret-0123456789abcdef',
  });
  const gateway = await startGateway(config, createLogger(config.logLevel, sink));
  return { gateway, errorLines, close: () => gateway.close() };
}

/** Radicale and Redis (Debian binaries on loopback, as the benchmark) with these users, and the gateway. */
export async function startProofEnvironment(
  users: Record<string, string>,
  log: (line: string) => void,
): Promise<{ services: RunningServices; proof: ProofGateway; passedThrough: Record<string, string>; close(): Promise<void> }> {
  process.env.WCAP_TEST_NO_CONTAINERS ??= '1';
  const services = await startServices(log, { extraUsers: users });
  try {
    const passedThrough = passedThroughEnv();
    const proof = await startProofGateway(services.radicaleUrl, services.redisUrl, passedThrough);
    return {
      services,
      proof,
      passedThrough,
      async close() {
        await proof.close();
        await services.stop();
      },
    };
  } catch (err) {
    await services.stop();
    throw err;
  }
}
