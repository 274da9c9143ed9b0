/** One dependency /readyz asks: resolves when it answers, rejects (with a reason) when it does not. */
export interface DependencyProbe {
  /** Short name in the reasons, e.g. `redis`. */
  name: string;
  /** `signal` aborts when the timeout runs out (the probe should stop its request then). */
  probe(signal: AbortSignal): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  /** One `<name>: <reason>` per dependency that did not answer, e.g. `redis: connection refused`. */
  problems: string[];
}

/** Texts for the errno codes of failed connections; anything else is reported by its message. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS)',
  UND_ERR_SOCKET: 'connection closed',
};

/**
 * Whether the gateway can serve requests: every dependency answers within `timeoutMs`. All probes
 * run in parallel. Concurrent callers share the check in flight, so a burst of probes (several load
 * balancers, a stuck dependency) never piles up requests on Redis or the CalDAV server.
 */
export class Readiness {
  private inFlight: Promise<ReadinessReport> | undefined;

  constructor(
    private readonly probes: readonly DependencyProbe[],
    private readonly timeoutMs: number,
  ) {}

  check(): Promise<ReadinessReport> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(): Promise<ReadinessReport> {
    const outcomes = await Promise.all(this.probes.map((probe) => this.ask(probe)));
    const problems = outcomes.filter((problem): problem is string => problem !== undefined);
    return { ready: problems.length === 0, problems };
  }

  /** undefined when the dependency answered, else `<name>: <reason>`. */
  private async ask(dependency: DependencyProbe): Promise<string | undefined> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`no answer within ${this.timeoutMs} ms`);
        controller.abort(err);
        reject(err);
      }, this.timeoutMs);
    });
    try {
      await Promise.race([dependency.probe(controller.signal), timeout]);
      return undefined;
    } catch (err) {
      return `${dependency.name}: ${reasonOf(err)}`;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A short reason for a failed probe: the text for a connection error code (also in `cause`, where
 * fetch puts it), else the first line of the message, bounded. Probes only ever see their own
 * request's errors, whose messages carry no credentials (Redis errors are cleaned by
 * state/redis/connection.ts).
 */
export function reasonOf(err: unknown): string {
  for (let current: unknown = err, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && REASONS[code]) return REASONS[code];
  }
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? '').slice(0, 200);
}
