/** The CLI's exit codes (README, Operator's CLI). */
export const EXIT = {
  /** Done; for `check`: every check passed. */
  OK: 0,
  /** A check failed, or a service needed at run time (Redis, the CalDAV server) failed. */
  FAILED: 1,
  /** Wrong usage (unknown subcommand or option, missing value) or an invalid configuration. */
  USAGE: 2,
} as const;
