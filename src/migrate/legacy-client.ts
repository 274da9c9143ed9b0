import ICAL from 'ical.js';
import { Errno, errnoMessage } from '../wcap/errno.js';

/**
 * A WCAP client for the old server (docs/wcap-protocol.md): every command is POSTed as an
 * urlencoded form, so passwords and session ids stay out of URLs and the old server's access logs.
 * Answers are asked for in text/calendar and parsed with ical.js. Read-only apart from login/logout.
 */

export interface LegacyClientOptions {
  /** Base URL of the old server, e.g. `http://old:8080/` (commands are appended to it). */
  baseUrl: string;
  /** Upper bound of each request, body included. */
  timeoutMs: number;
  /** Largest answer read (an export holds a whole calendar). */
  maxAnswerBytes: number;
  fetch?: typeof fetch;
}

/** A WCAP answer with an errno other than success, or a transport failure (errno undefined). */
export class LegacyServerError extends Error {
  override readonly name = 'LegacyServerError';
  constructor(
    message: string,
    readonly errno?: number,
  ) {
    super(message);
  }
}

export interface LoginRequest {
  user: string;
  password: string;
  /** Log in as `user` (an administrator) on behalf of this user (WCAP `proxyauth`). */
  proxyFor?: string;
}

export class LegacyClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: LegacyClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--from must be an http(s) URL');
    if (url.username !== '' || url.password !== '') throw new Error('--from must not contain credentials');
    url.search = '';
    url.hash = '';
    this.base = url.href.endsWith('/') ? url.href : `${url.href}/`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * Logs in and returns the session. With `proxyFor`, checks that the session really is that user's:
   * a server that ignores `proxyauth` (this gateway does) would otherwise hand out the admin's calendars.
   */
  async login(request: LoginRequest): Promise<LegacySession> {
    const params: Record<string, string> = { user: request.user, password: request.password };
    if (request.proxyFor !== undefined) params.proxyauth = request.proxyFor;
    const answer = await this.call('login', params);
    const id = propertyOf(answer, 'x-nscp-wcap-session-id');
    if (!id) throw new LegacyServerError('login: the old server answered without a session id');
    const expected = request.proxyFor ?? request.user;
    const user = propertyOf(answer, 'x-nscp-wcap-user-id') ?? expected;
    const session = new LegacySession(this, id, expected);
    if (user.toLowerCase() !== expected.toLowerCase()) {
      await session.logout();
      throw new LegacyServerError(
        `login: the old server ignored proxyauth and opened a session for ${user} instead of ${expected}; ` +
          'allow proxy logins for the administrator on the old server, or give the users\u2019 passwords in the users file',
      );
    }
    return session;
  }

  /**
   * POSTs one command and returns the VCALENDARs of its answer. Throws LegacyServerError for an
   * errno other than success (the first one of the answer, as clients read it), for an answer
   * that is not iCalendar and for transport failures. Messages never hold parameter values.
   */
  async call(command: string, params: Record<string, string>, options: { acceptErrnos?: readonly number[] } = {}): Promise<ICAL.Component[]> {
    return (await this.answer(command, params, options)).calendars;
  }

  /** {@link call}, with the answer's text as well: ical.js lower-cases property names, the text keeps them as written. */
  async answer(command: string, params: Record<string, string>, options: { acceptErrnos?: readonly number[] } = {}): Promise<LegacyAnswer> {
    const body = new URLSearchParams({ ...params, 'fmt-out': 'text/calendar' });
    let text: string;
    try {
      const res = await this.fetch(`${this.base}${command}.wcap`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (res.status !== 200) throw new LegacyServerError(`${command}: the old server answered HTTP ${res.status}`);
      text = await boundedText(res, this.options.maxAnswerBytes, command);
    } catch (err) {
      if (err instanceof LegacyServerError) throw err;
      throw new LegacyServerError(`${command}: the old server cannot be reached (${(err as Error).message})`);
    }
    const calendars = parseAnswer(text, command);
    const errno = errnoOf(calendars);
    if (errno !== undefined && errno !== Errno.OK && errno !== Errno.LOGOUT && !options.acceptErrnos?.includes(errno)) {
      const message = calendars.map((c) => propertyOf(c, 'x-nscp-wcap-errno-message')).find(Boolean) ?? errnoMessage(errno);
      throw new LegacyServerError(`${command}: the old server answered errno ${errno} (${message})`, errno);
    }
    return { calendars, text };
  }
}

export interface LegacyAnswer {
  calendars: ICAL.Component[];
  text: string;
}

/** A logged-in session on the old server (the id never leaves this object). */
export class LegacySession {
  constructor(
    private readonly client: LegacyClient,
    private readonly id: string,
    /** The user whose calendars the session reads. */
    readonly user: string,
  ) {}

  call(command: string, params: Record<string, string> = {}, options: { acceptErrnos?: readonly number[] } = {}): Promise<ICAL.Component[]> {
    return this.client.call(command, { ...params, id: this.id }, options);
  }

  answer(command: string, params: Record<string, string> = {}): Promise<LegacyAnswer> {
    return this.client.answer(command, { ...params, id: this.id });
  }

  /** Ends the session; a failure to do so is not worth failing a migration for. */
  async logout(): Promise<void> {
    await this.call('logout').catch(() => undefined);
  }
}

/** The value of a property of the first VCALENDAR holding it. */
export function propertyOf(calendars: ICAL.Component | readonly ICAL.Component[], name: string): string | undefined {
  for (const calendar of Array.isArray(calendars) ? calendars : [calendars]) {
    const value = (calendar as ICAL.Component).getFirstPropertyValue(name);
    if (value !== null && value !== undefined) return String(value);
  }
  return undefined;
}

/** The first errno of an answer (undefined when it carries none, as a plain export may). */
export function errnoOf(calendars: readonly ICAL.Component[]): number | undefined {
  const value = propertyOf(calendars, 'x-nscp-wcap-errno');
  if (value === undefined) return undefined;
  const errno = Number.parseInt(value.trim(), 10);
  return Number.isNaN(errno) ? undefined : errno;
}

function parseAnswer(text: string, command: string): ICAL.Component[] {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    throw new LegacyServerError(`${command}: the old server's answer is not iCalendar (${(err as Error).message})`);
  }
  // One component parses to its jCal array, several to an array of them.
  const list = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : parsed) as unknown[];
  const calendars = list.map((jcal) => new ICAL.Component(jcal as unknown[]));
  if (calendars.length === 0 || calendars.some((c) => c.name !== 'vcalendar')) {
    throw new LegacyServerError(`${command}: the old server's answer is not a VCALENDAR`);
  }
  return calendars;
}

async function boundedText(res: Response, maxBytes: number, command: string): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > maxBytes) throw new LegacyServerError(`${command}: the answer is larger than ${maxBytes} bytes`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new LegacyServerError(`${command}: the answer is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
