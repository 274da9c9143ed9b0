import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import { clientAddressOf, peerAddressOf, TrustedProxies } from './client-address.js';
import { commandRegistry } from './commands/index.js';
import { formatterFor } from './output/index.js';
import { looksLikeSessionId } from './state/session-id.js';
import { RawParams, rawQueryOf } from './wcap/raw-params.js';
import { Errno } from './wcap/errno.js';
import { errorResult } from './wcap/result.js';
import { runCommand, type PipelineDeps } from './wcap/run-command.js';

const COMMAND_PATH = /\/([A-Za-z0-9_]+)\.wcap$/;

/** Headers of every WCAP answer: clients must never see a cached answer (docs/wcap-protocol.md#common-answer-headers). */
const NO_CACHE = {
  'Cache-Control': 'no-cache, no-store',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Content-Type-Options': 'nosniff',
};

export interface AppOptions {
  logger: Logger;
  /** Proxies whose X-Forwarded-For names the client (WCAP_TRUSTED_PROXIES); none when absent. */
  trustedProxies?: TrustedProxies;
}

/**
 * The HTTP face of the gateway: every `<command>.wcap` under any path prefix, GET or POST, always
 * HTTP 200 with the WCAP errno in the body (Lightning treats any other status as a transport
 * failure, docs/lightning.md#http-status-and-caching). Plus `/healthz` for load balancers.
 */
export function createApp(deps: PipelineDeps, options: AppOptions): Hono {
  const app = new Hono();
  const trustedProxies = options.trustedProxies ?? new TrustedProxies([]);
  app.get('/healthz', (c) => c.text('ok\n', 200, NO_CACHE));

  app.on(['GET', 'POST'], '*', async (c, next) => {
    const match = COMMAND_PATH.exec(c.req.path);
    if (!match) return next();
    const name = match[1]!;
    const command = commandRegistry.get(name);
    const log = options.logger.child({ reqId: randomUUID(), cmd: command ? name : '(unknown)' });
    const started = performance.now();
    const raw = new RawParams();
    raw.addQueryString(rawQueryOf(c.req.url));
    const inputProblem = await addBodyParams(c, raw, deps.maxParamLength);
    const clientAddress = clientAddressOf(peerAddressOf(c.env), c.req.header('x-forwarded-for'), trustedProxies);
    const rendered = await runCommand(command, raw, deps, log, { formatterFor, looksLikeSessionId, inputProblem, clientAddress });
    log.info({ errno: rendered.errno, ms: Math.round(performance.now() - started), method: c.req.method }, 'wcap');
    return c.body(rendered.body, 200, { ...NO_CACHE, 'Content-Type': rendered.contentType });
  });

  app.notFound((c) => c.text('Not a WCAP command. Requests look like /login.wcap?user=…\n', 404, NO_CACHE));
  app.onError((err, c) => {
    // Only reached for faults outside the pipeline (which renders its own errors). Still a WCAP
    // answer with HTTP 200: Lightning reads any other status as a transport failure.
    options.logger.error({ err }, 'unhandled request error');
    // In the format the request asked for, when it names one the gateway has.
    const asked = URL.canParse(c.req.url) ? new URL(c.req.url).searchParams.get('fmt-out') ?? undefined : undefined;
    const formatter = formatterFor(asked) ?? formatterFor(undefined)!;
    const rendered = formatter.render(errorResult(Errno.UNKNOWN_INTERNAL_ERROR, 'Internal error'));
    return c.body(rendered.body, 200, { ...NO_CACHE, 'Content-Type': rendered.contentType });
  });
  return app;
}

/**
 * Parameters of POST bodies: urlencoded (kept encoded, like the query) and multipart (values
 * arrive decoded). Returns a problem description when the body cannot be used.
 */
async function addBodyParams(c: Context, raw: RawParams, maxParamLength: number): Promise<string | undefined> {
  if (c.req.method !== 'POST') return undefined;
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > maxParamLength * 2 + 65_536) return 'The request body is too large';
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  try {
    if (type.startsWith('multipart/form-data')) {
      const body = await c.req.parseBody({ all: false });
      for (const [name, value] of Object.entries(body)) {
        if (typeof value === 'string') raw.add(name, { text: value, encoded: false });
      }
    } else if (type.startsWith('application/x-www-form-urlencoded') || type === '') {
      raw.addQueryString((await c.req.text()).trim(), true);
    }
  } catch {
    return 'The request body cannot be read as form data';
  }
  return undefined;
}
