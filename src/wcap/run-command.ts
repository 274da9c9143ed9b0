import type { Logger } from 'pino';
import type { Command, GatewayDeps } from './command.js';
import { errorToErrno } from './error-mapping.js';
import { decoded, parseParams } from './params.js';
import type { RawParams } from './raw-params.js';
import { errorResult, type Formatter, type RenderedBody, type WcapResult } from './result.js';
import { WcapError } from './wcap-error.js';

const BAD_COMMAND = 52;
const NO_SUCH_FORMAT = 58;
const LOGIN_FAILED = 1;

export type FormatterLookup = (fmtOut: string | undefined) => Formatter | undefined;

/** A session id can only be [A-Za-z0-9]; anything else cannot be a session (no store lookup). */
export type SessionIdCheck = (id: string) => boolean;

export interface PipelineOptions {
  formatterFor: FormatterLookup;
  looksLikeSessionId: SessionIdCheck;
  /** Set when the request itself was unusable (oversized or broken body): answered with failsWith. */
  inputProblem?: string | undefined;
}

/**
 * The one request pipeline (architecture.md §1): formatter first (so errors render in the asked
 * format), then session, parameters, command, rendering. Always produces a body; never throws.
 */
export async function runCommand(
  command: Command | undefined,
  raw: RawParams,
  deps: GatewayDeps,
  log: Logger,
  options: PipelineOptions,
): Promise<RenderedBody & { errno: number }> {
  const fmtOut = raw.get('fmt-out');
  const fmtText = fmtOut === undefined ? undefined : safeText(fmtOut.text, fmtOut.encoded);
  // A present but undecodable fmt-out is as unknown as a misspelt one.
  const formatter = fmtOut !== undefined && fmtText === undefined ? undefined : options.formatterFor(fmtText);
  if (!formatter) {
    // Never echo the requested format: the real server's echo was an XSS (wcap-protocol.md §6.9).
    const fallback = options.formatterFor(undefined)!;
    return render(fallback, errorResult(NO_SUCH_FORMAT, 'No such output format'), NO_SUCH_FORMAT);
  }
  if (!command) {
    // Architecture.md §1: unknown commands answer in the default format.
    return render(options.formatterFor(undefined)!, errorResult(BAD_COMMAND, 'Unknown command'), BAD_COMMAND);
  }
  try {
    if (options.inputProblem) throw new WcapError(command.failsWith, options.inputProblem);
    checkSizes(raw, deps.config.maxParamLength, command.failsWith);
    const { session, sessionId } = await findSession(command, raw, deps, options.looksLikeSessionId);
    const params = parseParams(command.params, raw, command.failsWith);
    const result = await command.run({ params, session, sessionId, raw, deps, log, format: formatter.name });
    const errno = result.blocks[0]?.errno ?? 0;
    return render(formatter, result, errno);
  } catch (err) {
    const outcome = errorToErrno(err, command.failsWith);
    if (outcome.unexpected) log.error({ err }, 'command failed unexpectedly');
    else log.info({ errno: outcome.errno, reason: outcome.message }, 'command failed');
    return render(formatter, errorResult(outcome.errno, outcome.message), outcome.errno);
  }
}

function render(formatter: Formatter, result: WcapResult, errno: number): RenderedBody & { errno: number } {
  return { ...formatter.render(result), errno };
}

async function findSession(command: Command, raw: RawParams, deps: GatewayDeps, looksLikeSessionId: SessionIdCheck) {
  const idValue = raw.get('id');
  const sessionId = idValue === undefined ? undefined : safeText(idValue.text, idValue.encoded)?.trim();
  if (!command.needsSession) return { session: undefined, sessionId };
  if (!sessionId || !looksLikeSessionId(sessionId)) {
    throw new WcapError(LOGIN_FAILED, 'Login failed, session ID timed out or invalid');
  }
  const session = await deps.sessions.get(sessionId);
  if (!session) throw new WcapError(LOGIN_FAILED, 'Login failed, session ID timed out or invalid');
  return { session, sessionId };
}

/**
 * WCAP documents a 1024-character limit but real clients send long descriptions with GET, so the
 * limit is configurable and large; it only protects the gateway from absurd requests.
 */
function checkSizes(raw: RawParams, limit: number, failsWith: number): void {
  for (const name of raw.names()) {
    const value = raw.get(name);
    if (value && value.text.length > limit) {
      throw new WcapError(failsWith, `Parameter ${name.slice(0, 40)} is longer than ${limit} characters`);
    }
  }
}

function safeText(text: string, encoded: boolean): string | undefined {
  try {
    return decoded({ text, encoded }, 'fmt-out', NO_SUCH_FORMAT);
  } catch {
    return undefined;
  }
}
