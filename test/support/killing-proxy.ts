import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startForwardingProxy } from './forwarding-proxy.js';
import { freePort } from './services.js';

/**
 * For SIGKILL tests: a gateway in a child process (src/main.ts, as deployed) whose CalDAV traffic
 * passes a small proxy to the real server. Once armed, the proxy counts the PUTs the server has
 * answered and, at the chosen one, kills the child with SIGKILL before the answer reaches it — a
 * crash at an exact point between two writes, without timing guesses.
 */
export interface KillableGateway {
  /** Base URL of the child gateway (trailing slash). */
  url: string;
  /** Kill the child right after the server answered PUT number `n` (1-based) from now on. */
  killAtPut(n: number): void;
  /** Resolves when the child has died by SIGKILL (true) or exited otherwise (false). */
  exited: Promise<boolean>;
  /** Kills the child if still alive and closes the proxy. */
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function startKillableGateway(caldavUrl: string, redisUrl: string): Promise<KillableGateway> {
  let killAt = 0;
  let puts = 0;
  let child: ChildProcess | undefined;
  const proxy = await startForwardingProxy(caldavUrl, {
    async beforeAnswer(req) {
      if (req.method === 'PUT' && killAt > 0 && ++puts === killAt && child) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  });
  const proxyUrl = proxy.url;
  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
    env: {
      ...process.env,
      WCAP_HOST: '127.0.0.1',
      WCAP_PORT: String(port),
      WCAP_CALDAV_URL: proxyUrl,
      WCAP_REDIS_URL: redisUrl,
      WCAP_SECRET: 'sigkill-test-secret-0123456789',
      WCAP_LOG_LEVEL: 'silent',
      WCAP_MAIL_DOMAIN: 'example.com',
    },
  });
  const exited = new Promise<boolean>((resolve) => child!.once('exit', (_code, signal) => resolve(signal === 'SIGKILL')));
  const url = `http://127.0.0.1:${port}/`;
  await waitUntilAnswering(url, exited);
  return {
    url,
    killAtPut(n) {
      puts = 0;
      killAt = n;
    },
    exited,
    async close() {
      if (child!.exitCode === null && child!.signalCode === null) child!.kill('SIGKILL');
      await exited;
      await proxy.close();
    },
  };
}

/** Polls the child (an external process) until it answers, for at most 20 s. */
async function waitUntilAnswering(url: string, exited: Promise<boolean>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 200 && !gone; i++) {
    const ok = await fetch(`${url}version.wcap`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the child gateway did not start');
}
