/**
 * What a subcommand may use of its process: every subcommand is `(argv, io) => Promise<exit code>`
 * and touches stdout, stderr, stdin and the environment only through this, so tests and other
 * entry points can run it in-process with their own streams.
 */
export interface CliOutput {
  write(text: string): unknown;
  /** True on a terminal (progress bars, colours); absent or false for pipes and files. */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

export interface CliInput extends NodeJS.ReadableStream {
  /** True when stdin is a terminal: only then may a subcommand prompt (e.g. for a password). */
  isTTY?: boolean;
  /** Present on terminals: turns echo and line editing off (password prompts). */
  setRawMode?(mode: boolean): unknown;
}

export interface CliIo {
  /** Results: what an operator reads or a script parses. */
  stdout: CliOutput;
  /** Usage errors, prompts, diagnostics. */
  stderr: CliOutput;
  stdin: CliInput;
  /** The environment settings are read from (WCAP_*, WCAP_CONFIG, WCAP_CHECK_PASSWORD). */
  env: Record<string, string | undefined>;
}

/**
 * The io of this process. A reader that goes away early (`wcap-gateway check | head -1`) makes
 * writes fail with EPIPE; the output is then simply dropped, instead of crashing the command
 * before it has closed its connections.
 */
export function processIo(): CliIo {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
