import type { Logger } from 'pino';
import type { CalendarService } from '../calendars/calendar-service.js';
import type { Clock } from '../model/clock.js';
import type { Session } from '../model/session.js';
import type { SessionStore } from '../state/session-store.js';
import type { Command, CommandContext, ServerProfile } from './command.js';
import { Errno } from './errno.js';
import { errorToErrno } from './error-mapping.js';
import { logFailure } from './failure-log.js';
import type { InputLimits } from './input-limits.js';
import type { LoginThrottle } from './login-throttle.js';
import { decoded, parseParams } from './params.js';
import type { RawParams } from './raw-params.js';
import type { Upload } from './upload.js';
import { errorResult, type Answer, type Formatter, type RenderContext, type WcapResult } from './result.js';
import { sessionControl } from './session-control.js';
import { WcapError } from './wcap-error.js';

export type FormatterLookup = (fmtOut: string | undefined) => Formatter | undefined;

/** A session id can only be [A-Za-z0-9]; anything else cannot be a session (no store lookup). */
export type SessionIdCheck = (id: string) => boolean;

/** What the pipeline needs to run any command (built once by gateway.ts). */
export interface PipelineDeps {
  sessions: SessionStore;
  calendars: CalendarService;
  clock: Clock;
  server: ServerProfile;
  /** What one request may carry. */
  limits: InputLimits;
  /** Login throttling per user name and client address. */
  logins: LoginThrottle;
}

/** Renders any result in a format, files and streamed answers included (output/file-answer.ts). */
export type AnswerRenderer = (formatter: Formatter, result: WcapResult, context?: RenderContext) => Answer;

export interface PipelineOptions {
  formatterFor: FormatterLookup;
  /** How results become answers; without it every result is rendered whole by its formatter. */
  answerIn?: AnswerRenderer;
  looksLikeSessionId: SessionIdCheck;
  /** Set when the request itself was unusable (oversized or broken body): answered with failsWith. */
  inputProblem?: string | undefined;
  /** The client's address, as app.ts determined it (client-address.ts); `unknown` when not given. */
  clientAddress?: string | undefined;
  /** A failure detail as the log shows it, given the acting user (WCAP_LOG_USER); as is when absent. */
  logText?: ((text: string, user: string) => string) | undefined;
  /** Files the request carried (see Command.takesUploads). */
  uploads?: readonly Upload[];
}

const SESSION_EXPIRED = 'Login failed, session ID timed out or invalid';

/** The rendered answer, its errno and, for the request log, the user the request acted as. */
export type CommandOutcome = Answer & {
  errno: number;
  /** The session's user, or the user a login opened a session for; undefined otherwise. */
  user?: string | undefined;
};

/**
 * The one request pipeline (docs/architecture.md#request-pipeline): formatter first (so every
 * answer, errors included, comes in the asked format), then session, parameters, command,
 * rendering. Always produces a body; never throws.
 */
export async function runCommand(
  command: Command | undefined,
  raw: RawParams,
  deps: PipelineDeps,
  log: Logger,
  options: PipelineOptions,
): Promise<CommandOutcome> {
  const render = (format: Formatter, result: WcapResult, errno: number, context?: RenderContext): CommandOutcome => ({
    ...(options.answerIn ? options.answerIn(format, result, context) : format.render(result, context)),
    errno,
  });
  const fmtOut = (command?.formatParam !== undefined ? raw.get(command.formatParam) : undefined) ?? raw.get('fmt-out');
  const fmtText = fmtOut === undefined ? undefined : safeText(fmtOut.text, fmtOut.encoded);
  // A present but undecodable fmt-out is as unknown as a misspelt one.
  const formatter = fmtOut !== undefined && fmtText === undefined ? undefined : options.formatterFor(fmtText);
  if (!formatter) {
    // Never echo the requested format: the real server's echo was an XSS
    // (docs/wcap-protocol.md#never-echo-fmt-out).
    const fallback = options.formatterFor(undefined)!;
    return render(fallback, errorResult(Errno.WCAP_NO_SUCH_FORMAT, 'No such output format'), Errno.WCAP_NO_SUCH_FORMAT);
  }
  const context = renderContextOf(raw, command);
  if (!command) return render(formatter, errorResult(Errno.BAD_COMMAND, 'Unknown command'), Errno.BAD_COMMAND, context);
  const acting: { user?: string } = {};
  try {
    if (options.inputProblem) throw new WcapError(command.failsWith, options.inputProblem);
    checkSizes(raw, deps.limits, command.failsWith);
    const { session, sessionId } = await findSession(command, raw, deps, options.looksLikeSessionId);
    if (session) acting.user = session.user;
    if (session && sessionId) context.session = { id: sessionId, user: session.user };
    const params = parseParams(command.params, raw, command.failsWith, deps.limits.maxListItems);
    const onOpened = (user: string) => {
      acting.user = user;
    };
    const clientAddress = options.clientAddress ?? 'unknown';
    const uploads = options.uploads ?? [];
    const result = await command.run(contextFor({ params, session, sessionId, deps, log, onOpened, clientAddress, uploads }));
    const errno = result.blocks[0]?.errno ?? 0;
    return { ...render(formatter, result, errno, context), user: acting.user };
  } catch (err) {
    const outcome = errorToErrno(err, command.failsWith);
    if (outcome.unexpected) log.error({ err }, 'command failed unexpectedly');
    else logFailure(log, err, outcome, acting.user, options.logText);
    return { ...render(formatter, errorResult(outcome.errno, outcome.message), outcome.errno, context), user: acting.user };
  }
}

function contextFor(request: {
  params: unknown;
  session: Session | undefined;
  sessionId: string | undefined;
  deps: PipelineDeps;
  log: Logger;
  onOpened: (user: string) => void;
  clientAddress: string;
  uploads: readonly Upload[];
}): CommandContext<never> {
  const { session, sessionId, deps, log, clientAddress } = request;
  const context = {
    params: request.params,
    session,
    sessions: sessionControl(deps.sessions, deps.calendars, sessionId, log, { throttle: deps.logins, clientAddress }, request.onOpened),
    clock: deps.clock,
    log,
    server: deps.server,
    uploads: request.uploads,
    limits: deps.limits,
  };
  let calendars: CommandContext<never>['calendars'] | undefined;
  // Built on first use: most commands touch calendars, the session commands never do.
  Object.defineProperty(context, 'calendars', {
    enumerable: true,
    get() {
      if (!session) throw new WcapError(Errno.LOGIN_FAILED, SESSION_EXPIRED);
      calendars ??= deps.calendars.forSession(session, log);
      return calendars;
    },
  });
  return context as unknown as CommandContext<never>;
}

/**
 * The request facts a format may use (see {@link RenderContext}). Read leniently: only `brief=1`
 * and `content-out=text/xml` change anything, so a stray value can never fail a command.
 */
function renderContextOf(raw: RawParams, command: Command | undefined): RenderContext {
  const text = (name: string) => {
    const value = raw.get(name);
    return value === undefined ? undefined : safeText(value.text, value.encoded)?.trim().toLowerCase();
  };
  return { command: command?.name, brief: text('brief') === '1', dataAsXml: text('content-out') === 'text/xml' };
}

async function findSession(command: Command, raw: RawParams, deps: PipelineDeps, looksLikeSessionId: SessionIdCheck) {
  const idValue = raw.get('id');
  const sessionId = idValue === undefined ? undefined : safeText(idValue.text, idValue.encoded)?.trim();
  if (!command.needsSession) return { session: undefined, sessionId };
  if (!sessionId || !looksLikeSessionId(sessionId)) throw new WcapError(Errno.LOGIN_FAILED, SESSION_EXPIRED);
  const session = await deps.sessions.get(sessionId);
  if (!session) throw new WcapError(Errno.LOGIN_FAILED, SESSION_EXPIRED);
  return { session, sessionId };
}

/**
 * WCAP documents a 1024-character limit but real clients send long descriptions with GET, so the
 * limit is configurable and large; it only protects the gateway from absurd requests. RawParams
 * stops collecting parameters one past the limit, so a flood of them costs no more than that.
 */
function checkSizes(raw: RawParams, limits: InputLimits, failsWith: number): void {
  if (raw.size > limits.maxParams) {
    throw new WcapError(failsWith, `More than ${limits.maxParams} parameters (WCAP_MAX_PARAMS)`);
  }
  for (const name of raw.names()) {
    const value = raw.get(name);
    if (value && value.text.length > limits.maxParamLength) {
      throw new WcapError(failsWith, `Parameter ${name.slice(0, 40)} is longer than ${limits.maxParamLength} characters (WCAP_MAX_PARAM_LENGTH)`);
    }
  }
}

function safeText(text: string, encoded: boolean): string | undefined {
  try {
    return decoded({ text, encoded }, 'fmt-out', Errno.WCAP_NO_SUCH_FORMAT);
  } catch {
    return undefined;
  }
}
