import { z } from 'zod';
import { proxyEntryProblem } from './http/client-address.js';

/**
 * How each setting of src/config.ts is checked: its type, range and default (one zod schema), and
 * the rules that span two settings. loadConfig reports every problem at once, named by its
 * environment variable.
 */
const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

export const configSchema = z.object({
  host: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  port: intIn(0, 65535, 8080),
  caldavUrl: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
  ),
  redisUrl: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  secret: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  secretAccepted: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  logLevel: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  defaultCalendar: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'must be a plain collection name (letters, digits, . _ -)')
      .default('calendar'),
  ),
  mailDomain: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name')
      .optional(),
  ),
  sessionIdleSeconds: intIn(1, 7 * 24 * 3600, 1800),
  sessionMaxSeconds: intIn(1, 30 * 24 * 3600, 43200),
  recurrenceBound: intIn(1, 1_000_000, 5000),
  maxParamLength: intIn(1024, 64 * 1024 * 1024, 1024 * 1024),
  maxBodyBytes: intIn(65_536, 1024 * 1024 * 1024, 4 * 1024 * 1024),
  maxUploadBytes: intIn(65_536, 4 * 1024 * 1024 * 1024, 64 * 1024 * 1024),
  maxImportComponents: intIn(1, 10_000_000, 100_000),
  maxImportComponentBytes: intIn(4096, 1024 * 1024 * 1024, 4 * 1024 * 1024),
  maxAttachmentBytes: intIn(1, 1024 * 1024 * 1024, 1024 * 1024),
  maxParams: intIn(50, 1_000_000, 1000),
  maxListItems: intIn(1, 1_000_000, 1000),
  maxAttendees: intIn(1, 1_000_000, 1000),
  rangeDeleteMaxItems: intIn(1, 100_000, 1000),
  maxConnections: intIn(1, 1_000_000, 1000),
  headersTimeoutMs: intIn(100, 600_000, 20_000),
  requestTimeoutMs: intIn(1000, 3_600_000, 120_000),
  shutdownGraceMs: intIn(0, 600_000, 10_000),
  caldavTimeoutMs: intIn(100, 600_000, 15_000),
  dataDir: z.preprocess(emptyToUndefined, z.string().default('./data')),
  radicaleUsersFile: z.preprocess(emptyToUndefined, z.string().default('./config/radicale/users')),
  tombstoneRetentionSeconds: intIn(60, 366 * 24 * 3600, 30 * 24 * 3600),
  caldavConnections: intIn(1, 1024, 16),
  cacheMaxMb: intIn(0, 1024 * 1024, 256),
  cacheValidation: z.preprocess(emptyToUndefined, z.enum(['tag', 'last-modified']).optional()),
  readyTimeoutMs: intIn(100, 60_000, 2000),
  logUser: z.preprocess(emptyToUndefined, z.enum(['on', 'hashed', 'off']).default('hashed')),
  loginMaxFailures: intIn(0, 1000, 5),
  loginAddressMaxFailures: intIn(0, 1_000_000, 20),
  loginWindowSeconds: intIn(1, 7 * 24 * 3600, 900),
  loginBlockSeconds: intIn(1, 7 * 24 * 3600, 60),
  loginBlockMaxSeconds: intIn(1, 30 * 24 * 3600, 3600),
  trustedProxies: z.preprocess(
    // A comma or space separated list in the environment; a list or a string in the YAML file.
    (v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter((e) => e !== '') : (emptyToUndefined(v) ?? [])),
    z.array(z.string().max(100)).max(1000).superRefine((entries, ctx) => {
      for (const problem of entries.map(proxyEntryProblem)) if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  // The message names no value: the URL may hold the relay's password.
  smtpUrl: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional()),
  smtpFrom: z.preprocess(emptyToUndefined, z.email({ error: 'must be a mail address' }).optional()),
  smtpTimeoutMs: intIn(100, 600_000, 10_000),
  adminPort: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  adminHost: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  adminToken: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').max(4096).optional()),
});

/**
 * Rules spanning two settings. They run on the raw values, not inside the zod object, because zod
 * skips object refinements as soon as any field is invalid, which would hide these problems until
 * the others are fixed.
 */
export function crossFieldProblems(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (emptyToUndefined(raw.redisUrl) !== undefined && emptyToUndefined(raw.secret) === undefined) {
    problems.push('WCAP_SECRET: WCAP_SECRET is required when WCAP_REDIS_URL is set (replicas must share the key)');
  }
  if (emptyToUndefined(raw.secretAccepted) !== undefined && emptyToUndefined(raw.secret) === undefined) {
    problems.push('WCAP_SECRET_ACCEPTED: only makes sense beside WCAP_SECRET (it is the other secret of a rotation)');
  }
  const headers = configSchema.shape.headersTimeoutMs.safeParse(raw.headersTimeoutMs);
  const request = configSchema.shape.requestTimeoutMs.safeParse(raw.requestTimeoutMs);
  if (headers.success && request.success && request.data < headers.data) {
    problems.push('WCAP_REQUEST_TIMEOUT_MS: must not be shorter than WCAP_HEADERS_TIMEOUT_MS');
  }
  const idle = configSchema.shape.sessionIdleSeconds.safeParse(raw.sessionIdleSeconds);
  const max = configSchema.shape.sessionMaxSeconds.safeParse(raw.sessionMaxSeconds);
  if (idle.success && max.success && max.data < idle.data) {
    problems.push('WCAP_SESSION_MAX_SECONDS: must not be shorter than WCAP_SESSION_IDLE_SECONDS');
  }
  const block = configSchema.shape.loginBlockSeconds.safeParse(raw.loginBlockSeconds);
  const blockMax = configSchema.shape.loginBlockMaxSeconds.safeParse(raw.loginBlockMaxSeconds);
  if (block.success && blockMax.success && blockMax.data < block.data) {
    problems.push('WCAP_LOGIN_BLOCK_MAX_SECONDS: must not be shorter than WCAP_LOGIN_BLOCK_SECONDS');
  }
  return problems;
}
