import { loadConfig } from '../config.js';
import { sharedSessionStore } from '../gateway-state.js';
import { systemClock } from '../model/clock.js';
import { closeRedis } from '../state/redis/connection.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { reachRedis } from './reach-redis.js';
import { parseOptions, secondsOption, userOption } from './usage.js';

const HELP = `Usage: wcap-gateway sessions [--logout USER] [--timeout SECONDS]

Counts the live WCAP sessions of every replica, kept in Redis (WCAP_REDIS_URL). With --logout,
ends every session of USER instead and prints how many were live; that user's clients get errno 1
(session invalid) on their next request and log in again, Lightning with its stored password: to
lock a user out, change the password on the CalDAV server first. Without Redis, sessions live
inside each gateway process and cannot be counted or ended from outside (exit 2).

Options:
      --logout USER      End all sessions of USER (the WCAP login name)
      --timeout SECONDS  Wait at most this long for Redis (default 5, 1 to 120)
  -h, --help             Show this help

Exit codes: 0 done, 1 Redis failed, 2 usage error, invalid configuration or no Redis configured.
`;

/** `wcap-gateway sessions`. */
export async function runSessions(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    logout: { type: 'string' },
    timeout: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const timeoutMs = secondsOption('timeout', values.timeout, 5, 1, 120) * 1000;
  const user = values.logout === undefined ? undefined : userOption('logout', values.logout);
  const config = loadConfig(io.env);
  if (!config.redisUrl || !config.secret) {
    io.stderr.write(
      'wcap-gateway sessions: WCAP_REDIS_URL is not set, so sessions live inside each gateway process and ' +
        'cannot be counted or ended from outside (restarting a gateway ends its sessions).\n',
    );
    return EXIT.USAGE;
  }
  const reached = await reachRedis(config.redisUrl, timeoutMs);
  if (!reached.ok) {
    io.stderr.write(`wcap-gateway sessions: Redis at ${reached.reason}\n`);
    return EXIT.FAILED;
  }
  const redis = reached.redis;
  try {
    const store = sharedSessionStore(config, redis, systemClock);
    if (user === undefined) {
      const live = await store.count();
      io.stdout.write(`${live} live session${live === 1 ? '' : 's'}\n`);
    } else {
      const ended = await store.deleteForUser(user);
      io.stdout.write(`ended ${ended} session${ended === 1 ? '' : 's'} of ${user}\n`);
    }
    return EXIT.OK;
  } finally {
    await closeRedis(redis);
  }
}
