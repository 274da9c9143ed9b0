import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, crossFieldProblems } from './config-schema.js';

/**
 * The gateway's settings. `loadConfig` is the only reader of process.env in the code base; every
 * other module receives the frozen Config it returns.
 *
 * Each setting has one environment variable (the names below are relied on by deployment tooling)
 * and the same key in the optional YAML file named by WCAP_CONFIG. The environment wins.
 */
export interface Config {
  host: string;
  port: number;
  /** Base URL of the CalDAV server; undefined → start an embedded Radicale. */
  caldavUrl: string | undefined;
  /** redis://… ; undefined → in-memory state (single replica only). */
  redisUrl: string | undefined;
  /** Key material for credential encryption (required with Redis). */
  secret: string | undefined;
  /** A second secret whose sealed sessions are still opened, never used to seal (rotation). */
  secretAccepted: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  defaultCalendar: string;
  mailDomain: string | undefined;
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  /** X-NSCP-RECURRENCE-BOUND sent at login (Lightning caps open rules at this many instances). */
  recurrenceBound: number;
  /** Longest accepted parameter value in characters (WCAP's documented 1024 is not enforced). */
  maxParamLength: number;
  /** Largest accepted request body in bytes, counted while it streams in. */
  maxBodyBytes: number;
  /** Largest body of a request that carries files (import, stores with attachments), in bytes. */
  maxUploadBytes: number;
  /** Most calendar components (events, todos, zones) one import may carry. */
  maxImportComponents: number;
  /** Largest single component of an import, in bytes of iCalendar or XML text. */
  maxImportComponentBytes: number;
  /** Largest file a store may attach inline (ATTACH;VALUE=BINARY), in bytes before encoding. */
  maxAttachmentBytes: number;
  /** Most parameters in one request. */
  maxParams: number;
  /** Most items in one list parameter (uids, rids, categories, dates…). */
  maxListItems: number;
  /** Most attendees one item may have after a store (errno 43 beyond). */
  maxAttendees: number;
  /** Most items one range delete may delete or shorten per calendar (and EXDATEs per series). */
  rangeDeleteMaxItems: number;
  /** Most client connections at once per process. */
  maxConnections: number;
  /** Time for a new connection's request headers (and its first byte), in milliseconds. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included, in milliseconds. */
  requestTimeoutMs: number;
  /** How long a shutdown waits for requests in flight before closing their connections. */
  shutdownGraceMs: number;
  /** Timeout of one CalDAV request in milliseconds. */
  caldavTimeoutMs: number;
  /** Folder for the embedded Radicale's data (only used when caldavUrl is unset). */
  dataDir: string;
  /** htpasswd file (plain) for the embedded Radicale. */
  radicaleUsersFile: string;
  /** How long deletions are kept for fetch_deletedcomponents, in seconds. */
  tombstoneRetentionSeconds: number;
  /** Most connections open to the CalDAV server at once (a keep-alive pool, and a bulkhead). */
  caldavConnections: number;
  /** Bound of the calendar cache in MiB: in this process, and in Redis when configured. 0 = no cache. */
  cacheMaxMb: number;
  /**
   * How the cache validates a calendar: its content tag (any server) or its last-modified time
   * (Radicale's file storage). Undefined: `tag`, except for the embedded Radicale (cli/serve.ts).
   */
  cacheValidation: 'tag' | 'last-modified' | undefined;
  /** How long /readyz waits for Redis and the CalDAV server to answer, in milliseconds. */
  readyTimeoutMs: number;
  /** How the request log names the user: as is, as a short keyed hash, or not at all. */
  logUser: 'on' | 'hashed' | 'off';
  /** Failed logins of one user name within the window that block it; 0 = no per-user limit. */
  loginMaxFailures: number;
  /** Failed logins from one client address within the window that block it; 0 = no per-address limit. */
  loginAddressMaxFailures: number;
  /** Window in which failed logins are counted, in seconds (from the first one). */
  loginWindowSeconds: number;
  /** First block, in seconds; each further block doubles it. */
  loginBlockSeconds: number;
  /** Longest block, in seconds. */
  loginBlockMaxSeconds: number;
  /** Proxies (addresses, CIDR ranges) whose X-Forwarded-For names the client. */
  trustedProxies: readonly string[];
  /** smtp:// or smtps:// relay for scheduling mail (credentials may be in it); undefined → no mail. */
  smtpUrl: string | undefined;
  /** From address of scheduling mail; undefined → `wcap-gateway@<mail domain>`. */
  smtpFrom: string | undefined;
  /** Longest one scheduling mail may take to hand over, in milliseconds. */
  smtpTimeoutMs: number;
  /** Port of the administrative listener (get_session, admin_logout, refresh, shutdown); undefined = none. */
  adminPort: number | undefined;
  /** Address the administrative listener binds to. */
  adminHost: string;
  /** Bearer token the administrative listener requires; undefined = it refuses every request. */
  adminToken: string | undefined;
}

/** Environment variable → config key. Tests compare this table with docker-compose.yml. */
export const ENVIRONMENT_VARIABLES = {
  WCAP_HOST: 'host',
  WCAP_PORT: 'port',
  WCAP_CALDAV_URL: 'caldavUrl',
  WCAP_REDIS_URL: 'redisUrl',
  WCAP_SECRET: 'secret',
  WCAP_SECRET_ACCEPTED: 'secretAccepted',
  WCAP_LOG_LEVEL: 'logLevel',
  WCAP_DEFAULT_CALENDAR: 'defaultCalendar',
  WCAP_MAIL_DOMAIN: 'mailDomain',
  WCAP_SESSION_IDLE_SECONDS: 'sessionIdleSeconds',
  WCAP_SESSION_MAX_SECONDS: 'sessionMaxSeconds',
  WCAP_RECURRENCE_BOUND: 'recurrenceBound',
  WCAP_MAX_PARAM_LENGTH: 'maxParamLength',
  WCAP_MAX_BODY_BYTES: 'maxBodyBytes',
  WCAP_MAX_UPLOAD_BYTES: 'maxUploadBytes',
  WCAP_MAX_IMPORT_COMPONENTS: 'maxImportComponents',
  WCAP_MAX_IMPORT_COMPONENT_BYTES: 'maxImportComponentBytes',
  WCAP_MAX_ATTACHMENT_BYTES: 'maxAttachmentBytes',
  WCAP_MAX_PARAMS: 'maxParams',
  WCAP_MAX_LIST_ITEMS: 'maxListItems',
  WCAP_MAX_ATTENDEES: 'maxAttendees',
  WCAP_RANGE_DELETE_MAX_ITEMS: 'rangeDeleteMaxItems',
  WCAP_MAX_CONNECTIONS: 'maxConnections',
  WCAP_HEADERS_TIMEOUT_MS: 'headersTimeoutMs',
  WCAP_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  WCAP_SHUTDOWN_GRACE_MS: 'shutdownGraceMs',
  WCAP_CALDAV_TIMEOUT_MS: 'caldavTimeoutMs',
  WCAP_DATA_DIR: 'dataDir',
  WCAP_RADICALE_USERS: 'radicaleUsersFile',
  WCAP_TOMBSTONE_RETENTION_SECONDS: 'tombstoneRetentionSeconds',
  WCAP_CALDAV_CONNECTIONS: 'caldavConnections',
  WCAP_CACHE_MAX_MB: 'cacheMaxMb',
  WCAP_CACHE_VALIDATION: 'cacheValidation',
  WCAP_READY_TIMEOUT_MS: 'readyTimeoutMs',
  WCAP_LOG_USER: 'logUser',
  WCAP_LOGIN_MAX_FAILURES: 'loginMaxFailures',
  WCAP_LOGIN_ADDRESS_MAX_FAILURES: 'loginAddressMaxFailures',
  WCAP_LOGIN_WINDOW_SECONDS: 'loginWindowSeconds',
  WCAP_LOGIN_BLOCK_SECONDS: 'loginBlockSeconds',
  WCAP_LOGIN_BLOCK_MAX_SECONDS: 'loginBlockMaxSeconds',
  WCAP_TRUSTED_PROXIES: 'trustedProxies',
  WCAP_SMTP_URL: 'smtpUrl',
  WCAP_SMTP_FROM: 'smtpFrom',
  WCAP_SMTP_TIMEOUT_MS: 'smtpTimeoutMs',
  WCAP_ADMIN_PORT: 'adminPort',
  WCAP_ADMIN_HOST: 'adminHost',
  WCAP_ADMIN_TOKEN: 'adminToken',
} as const satisfies Record<string, keyof Config>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const keyToVariable = new Map<string, string>(
  Object.entries(ENVIRONMENT_VARIABLES).map(([variable, key]) => [key, variable]),
);

/**
 * Builds the configuration from the environment and, if WCAP_CONFIG names one, a YAML file whose
 * keys are the config keys above (camelCase) or the environment variable names.
 * Throws ConfigError listing every invalid setting at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};

  const file = env.WCAP_CONFIG;
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping');
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          const key = (ENVIRONMENT_VARIABLES as Record<string, string>)[k] ?? k;
          if (!keyToVariable.has(key)) problems.push(`WCAP_CONFIG (${file}): unknown setting "${k}"`);
          else raw[key] = v;
        }
      }
    } catch (err) {
      problems.push(`WCAP_CONFIG (${file}): ${(err as Error).message}`);
    }
  }
  for (const [variable, key] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const value = env[variable];
    // An empty variable counts as unset, so it does not wipe a value from the WCAP_CONFIG file.
    if (value !== undefined && value !== '') raw[key] = value;
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push(`${keyToVariable.get(key) ?? key}: ${issue.message}`);
    }
  }
  problems.push(...crossFieldProblems(raw));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const config: Config = {
    ...result.data,
    caldavUrl: result.data.caldavUrl,
    redisUrl: result.data.redisUrl,
    secret: result.data.secret,
    secretAccepted: result.data.secretAccepted,
    mailDomain: result.data.mailDomain,
    cacheValidation: result.data.cacheValidation,
    smtpUrl: result.data.smtpUrl,
    smtpFrom: result.data.smtpFrom,
    adminPort: result.data.adminPort,
    adminToken: result.data.adminToken,
  };
  return Object.freeze(config);
}
