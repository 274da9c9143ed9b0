import type { Redis } from 'ioredis';
import type { Clock } from '../../model/clock.js';
import {
  checkThrottlePolicy,
  forgetAfterMs,
  limitedSubjects,
  type AttemptVerdict,
  type AttemptTicket,
  type LoginThrottleStore,
  type ThrottlePolicy,
  type ThrottleSubject,
} from '../login-throttle-store.js';
import { callRedis, runScript } from './connection.js';

export interface RedisLoginThrottleStoreOptions {
  /** Connected client; the store does not close it (see `closeRedis`). */
  redis: Redis;
  clock: Clock;
  policy: ThrottlePolicy;
  /** Prepended to every key. Default `wcap:`. */
  keyPrefix?: string;
}

// The rules of login-throttle-store.ts in one atomic step, so replicas counting the same subject
// at the same moment never both slip under the limit. Times come from the gateway's clock (ARGV[1])
// so that tests can move time. Hash fields: n attempts in the window, w window start, b end of the
// block, l block level, e when the record is forgotten (epoch ms by that clock; the key's own
// expiry, in Redis time, only cleans up).
// KEYS: the subjects. ARGV[1] now; per key 5 values: max, window ms, first block ms, max block ms,
// extra lifetime ms. Reply: {0, remaining ms, key index} when refused, else
// {1, window start, block end (0 = none), …} per key.
const ATTEMPT = `
local now = tonumber(ARGV[1])
local longest, by = 0, 0
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'b', 'e')
  local remaining = tonumber(state[1] or '0') - now
  if tonumber(state[2] or '0') > now and remaining > longest then longest, by = remaining, i end
end
if by > 0 then return {0, longest, by} end
local reply = {1}
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 5 + 1
  local max, window, first, cap, extra = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local state = redis.call('HMGET', key, 'n', 'w', 'b', 'l', 'e')
  local n, w, b, l = tonumber(state[1] or '0'), tonumber(state[2] or tostring(now)), tonumber(state[3] or '0'), tonumber(state[4] or '0')
  if tonumber(state[5] or '0') <= now then n, w, b, l = 0, now, 0, 0 end
  if now - w >= window then n, w = 0, now end
  n = n + 1
  local started = 0
  if n >= max then
    l = math.min(l + 1, 64)
    started = now + math.min(first * 2 ^ math.min(l - 1, 40), cap)
    b = started
  end
  local life = math.max(b, now) - now + extra
  redis.call('HSET', key, 'n', n, 'w', string.format('%d', w), 'b', string.format('%d', b), 'l', l, 'e', string.format('%d', now + life))
  redis.call('PEXPIRE', key, string.format('%d', life))
  reply[#reply + 1] = w
  reply[#reply + 1] = started
end
return reply
`;

// Takes one counted attempt back. KEYS: the subjects of the ticket. ARGV[1] now; per key 3 values: the window
// start the attempt was counted in, the block it started (0 = none), 1 to clear the count.
const SETTLE = `
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 3 + 1
  local w, started, clear = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  local state = redis.call('HMGET', key, 'n', 'w', 'b', 'l', 'e')
  if state[2] and tonumber(state[5] or '0') > now then
    local n, b, l = tonumber(state[1] or '0'), tonumber(state[3] or '0'), tonumber(state[4] or '0')
    if started > 0 and b == started then
      redis.call('HSET', key, 'b', 0, 'l', math.max(l - 1, 0))
    end
    if tonumber(state[2]) == w and n > 0 then n = n - 1 end
    if clear then n = 0 end
    redis.call('HSET', key, 'n', n)
  end
end
return 1
`;

/**
 * LoginThrottleStore on Redis, shared by every replica: one hash per subject,
 * `<prefix>login:user:<sha256 of the user name>` and `<prefix>login:addr:<address>`, expiring on
 * its own once the subject has been quiet long enough (see LoginThrottleStore). Deleting a key
 * lifts that subject's block (README, "Login throttling").
 */
export class RedisLoginThrottleStore implements LoginThrottleStore {
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly policy: ThrottlePolicy;
  private readonly prefix: string;

  constructor(options: RedisLoginThrottleStoreOptions) {
    checkThrottlePolicy(options.policy);
    this.redis = options.redis;
    this.clock = options.clock;
    this.policy = options.policy;
    this.prefix = options.keyPrefix ?? 'wcap:';
  }

  async attempt(subjects: readonly ThrottleSubject[]): Promise<AttemptVerdict> {
    const limited = limitedSubjects(this.policy, subjects);
    if (limited.length === 0) return { allowed: true, ticket: { counted: [] }, started: [] };
    const now = this.clock.now();
    const args = [String(now)];
    for (const subject of limited) {
      const limits = this.policy[subject.kind];
      args.push(
        String(limits.maxFailures),
        String(limits.windowSeconds * 1000),
        String(limits.blockSeconds * 1000),
        String(limits.blockMaxSeconds * 1000),
        String(forgetAfterMs(limits)),
      );
    }
    const reply = (await callRedis('counting a login attempt', () =>
      runScript(this.redis, ATTEMPT, limited.map((s) => this.keyOf(s)), args),
    )) as number[];
    if (Number(reply[0]) === 0) {
      return { allowed: false, block: { kind: limited[Number(reply[2]) - 1]!.kind, remainingMs: Number(reply[1]) } };
    }
    const ticket: AttemptTicket = { counted: [] };
    const started = [];
    for (const [i, subject] of limited.entries()) {
      const blockStarted = Number(reply[2 + i * 2]);
      ticket.counted.push({ subject, windowStart: Number(reply[1 + i * 2]), blockStarted });
      if (blockStarted > 0) started.push({ kind: subject.kind, remainingMs: blockStarted - now });
    }
    return { allowed: true, ticket, started };
  }

  async settle(ticket: AttemptTicket, outcome: 'succeeded' | 'undecided'): Promise<void> {
    if (ticket.counted.length === 0) return;
    const args = [String(this.clock.now())];
    args.push(...ticket.counted.flatMap(({ subject, windowStart, blockStarted }) => [
      String(windowStart),
      String(blockStarted),
      outcome === 'succeeded' && subject.kind === 'user' ? '1' : '0',
    ]));
    await callRedis('settling a login attempt', () =>
      runScript(this.redis, SETTLE, ticket.counted.map(({ subject }) => this.keyOf(subject)), args),
    );
  }

  /** Does not close the injected Redis client: its owner may share it with other stores. */
  async close(): Promise<void> {}

  private keyOf(subject: ThrottleSubject): string {
    return `${this.prefix}login:${subject.kind === 'user' ? 'user' : 'addr'}:${subject.id}`;
  }
}
