/**
 * `store` with every failed call reported to `onFailure` (the failure itself passes through
 * unchanged). For the Redis stores, whose every failure is Redis's: the metrics count them as
 * `wcap_redis_errors_total{source="store"}`, whether or not the caller carries on without them
 * (the shared snapshot store's failures are tolerated, calendars/tolerant-snapshots.ts).
 */
export function countingFailures<T extends object>(store: T, onFailure: () => void): T {
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        let result: unknown;
        try {
          result = Reflect.apply(value, target, args);
        } catch (err) {
          onFailure();
          throw err;
        }
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            onFailure();
            throw err;
          });
        }
        return result;
      };
    },
  });
}
