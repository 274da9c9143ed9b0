import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import { clientAddressOf, peerAddressOf, TrustedProxies } from './http/client-address.js';
import { commandRegistry } from './commands/index.js';
import type { GatewayMetrics } from './observability/metrics.js';
import type { Readiness } from './observability/readiness.js';
import { maskUser } from './observability/log-user.js';
import { RequestTallies } from './observability/request-tally.js';
import { answerIn, formatterFor as registeredFormatter } from './output/index.js';
import { readBounded } from './http/bounded-body.js';
import { readUploadBody } from './http/upload-body.js';
import { UploadSpool } from './http/upload-spool.js';
import { looksLikeSessionId } from './state/session-id.js';
import { RawParams, rawQueryOf } from './wcap/raw-params.js';
import { COMMANDS_READING_OWN_BODY, addComponentBody, componentBodyKind } from './wcap/component-body.js';
import { Errno } from './wcap/errno.js';
import { errorResult } from './wcap/result.js';
import { runCommand, type FormatterLookup, type PipelineDeps } from './wcap/run-command.js';

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
  /** Counts requests; serves `/metrics` when given. */
  metrics?: GatewayMetrics | undefined;
  /** Serves `/readyz` when given. */
  readiness?: Readiness | undefined;
  /** Where the CalDAV fetch counts each request's CalDAV requests (see observability/request-tally.ts). */
  tallies?: RequestTallies | undefined;
  /** The user as the request log names it (WCAP_LOG_USER); default: not at all. */
  logUser?: ((user: string) => string | undefined) | undefined;
  /** Proxies whose X-Forwarded-For names the client (WCAP_TRUSTED_PROXIES); none when absent. */
  trustedProxies?: TrustedProxies;
  /** The fmt-out registry; tests wrap it to see what was rendered. Default: output/index.ts. */
  formatterFor?: FormatterLookup;
}

/** A request id a client or proxy may hand in: bounded, and nothing a log reader could trip over. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The HTTP face of the gateway: every `<command>.wcap` under any path prefix, GET or POST, always
 * HTTP 200 with the WCAP errno in the body (Lightning treats any other status as a transport
 * failure, docs/lightning.md#http-status-and-caching). Plus `/healthz` for load balancers.
 */
export function createApp(deps: PipelineDeps, options: AppOptions): Hono {
  const app = new Hono();
  const requestIds = new WeakMap<Request, string>();
  const tallies = options.tallies ?? new RequestTallies();
  const logUser = options.logUser ?? (() => undefined);
  const logPaths = options.logUser ? (text: string, user: string) => maskUser(text, user, logUser) : undefined;
  // Every answer carries the request's id, the one a proxy sent when it is sane, so a client's or
  // load balancer's log line can be matched with the gateway's.
  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    requestIds.set(c.req.raw, requestId);
    c.header('X-Request-Id', requestId);
    await next();
  });
  const trustedProxies = options.trustedProxies ?? new TrustedProxies([]);
  const formatterFor = options.formatterFor ?? registeredFormatter;
  app.get('/healthz', (c) => c.text('ok\n', 200, NO_CACHE));
  const readiness = options.readiness;
  if (readiness) {
    app.get('/readyz', async (c) => {
      const report = await readiness.check();
      if (report.ready) return c.text('ready\n', 200, NO_CACHE);
      return c.text(`not ready\n${report.problems.join('\n')}\n`, 503, NO_CACHE);
    });
  }
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { ...NO_CACHE, 'Content-Type': metrics.contentType }));
  }

  app.on(['GET', 'POST'], '*', async (c, next) => {
    const match = COMMAND_PATH.exec(c.req.path);
    if (!match) return next();
    const name = match[1]!;
    const command = commandRegistry.get(name);
    // Only names of the command table become log fields and metric labels (bounded, never input).
    const commandLabel = command ? name : '(unknown)';
    const log = options.logger.child({ reqId: requestIds.get(c.req.raw), cmd: commandLabel });
    const started = performance.now();
    const raw = new RawParams(deps.limits.maxParams);
    raw.addQueryString(rawQueryOf(c.req.url));
    // Files of import and stores are spooled to disk while they stream in (http/upload-body.ts).
    const spool = new UploadSpool();
    const limits = deps.limits;
    const uploadLimits = { maxBytes: limits.maxUploadBytes, maxParts: limits.maxParams, maxFieldBytes: limits.maxParamLength, maxFieldsBytes: limits.maxBodyBytes };
    const uploaded = command?.takesUploads ? await readUploadBody(c.req.raw, raw, spool, uploadLimits, command.takesUploads) : 'not-mine';
    const body = uploaded === 'not-mine' ? await addBodyParams(c, raw, deps.limits.maxBodyBytes, command?.name) : uploaded;
    const inputProblem = body?.problem;
    const clientAddress = clientAddressOf(peerAddressOf(c.env), c.req.header('x-forwarded-for'), trustedProxies);
    const uploads = spool.uploads;
    const { result: rendered, tally } = await tallies
      .run(() => runCommand(command, raw, deps, log, { formatterFor, answerIn, looksLikeSessionId, inputProblem, clientAddress, uploads, logText: logPaths }), log)
      .finally(() => spool.dispose());
    const seconds = (performance.now() - started) / 1000;
    metrics?.wcapRequest(commandLabel, rendered.errno, seconds);
    const user = rendered.user === undefined ? undefined : logUser(rendered.user);
    // The request log: exactly this one line per WCAP request (README, Request log).
    log.info(
      { errno: rendered.errno, ms: Math.round(seconds * 1000), caldav: tally.caldavRequests, ...(user === undefined ? {} : { user }), method: c.req.method },
      'wcap',
    );
    // The rest of an oversized body is not read: closing the connection is the only way to stop it.
    const headers: Record<string, string> = { ...NO_CACHE, ...rendered.headers, 'Content-Type': rendered.contentType };
    if (body?.tooLarge) headers.Connection = 'close';
    return c.body(rendered.body, 200, headers);
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
 * Parameters of POST bodies: urlencoded (kept encoded, like the query), multipart (values arrive
 * decoded) and text/calendar or text/xml items (wcap/component-body.ts). Returns a problem
 * description when the body cannot be used.
 */
async function addBodyParams(c: Context, raw: RawParams, maxBodyBytes: number, command: string | undefined): Promise<{ problem: string; tooLarge?: true } | undefined> {
  if (c.req.method !== 'POST') return undefined;
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const isMultipart = type.startsWith('multipart/form-data');
  const component = componentBodyKind(type);
  if (component && command !== undefined && COMMANDS_READING_OWN_BODY.has(command)) return undefined;
  if (!component && !isMultipart && !type.startsWith('application/x-www-form-urlencoded') && type !== '') return undefined;
  const body = await readBounded(c.req.raw, maxBodyBytes);
  if ('tooLarge' in body) return { problem: `The request body is larger than ${maxBodyBytes} bytes (WCAP_MAX_BODY_BYTES)`, tooLarge: true };
  if (component) {
    // An unknown command answers 52 whatever its body.
    const problem = command === undefined ? undefined : addComponentBody(raw, command, new TextDecoder().decode(body.bytes), component);
    return problem === undefined ? undefined : { problem };
  }
  try {
    if (isMultipart) {
      const form = await new Response(body.bytes, { headers: { 'Content-Type': c.req.header('content-type')! } }).formData();
      for (const [name, value] of form) {
        if (typeof value === 'string') raw.add(name, { text: value, encoded: false });
      }
    } else {
      raw.addQueryString(new TextDecoder().decode(body.bytes).trim(), true);
    }
  } catch {
    return { problem: 'The request body cannot be read as form data' };
  }
  return undefined;
}
