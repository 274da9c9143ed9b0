import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/**
 * The resume state of a migration: per user and calendar (old calid), the UIDs already written to
 * the new server. Saved whole, written to a temporary file next to it and renamed over it, so a
 * crash leaves either the old or the new state, never half a file.
 */
export interface MigrationState {
  version: 1;
  /** The old server's URL and the new server's, so a state file is not reused for another pair. */
  from: string;
  to: string;
  users: Record<string, { calendars: Record<string, { written: string[] }> }>;
}

/** The largest state file read back (about a million UIDs). */
export const MAX_STATE_BYTES = 128 * 1024 * 1024;

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

export function emptyState(from: string, to: string): MigrationState {
  return { version: 1, from, to, users: {} };
}

/** Reads the state at `path`; a missing file is a fresh state. Throws StateFileError for anything else unusable. */
export async function loadState(path: string, from: string, to: string): Promise<MigrationState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(from, to);
    throw new StateFileError(`cannot read the state file ${path}: ${(err as Error).message}`);
  }
  if (text.length > MAX_STATE_BYTES) throw new StateFileError(`the state file ${path} is larger than ${MAX_STATE_BYTES} bytes`);
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new StateFileError(`the state file ${path} is not JSON`);
  }
  if (!isState(state)) throw new StateFileError(`the state file ${path} is not a migration state (version 1)`);
  if (state.from !== from || state.to !== to) {
    throw new StateFileError(`the state file ${path} belongs to a migration from ${state.from} to ${state.to}; use another --state file`);
  }
  return state;
}

/** Writes the state atomically (temporary file in the same folder, then rename). */
export async function saveState(path: string, state: MigrationState): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(state), { mode: 0o600 });
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new StateFileError(`cannot write the state file ${path}: ${(err as Error).message}`);
  }
}

/** The UIDs of one calendar recorded as written; `add` records one in the state (saved by saveState). */
export interface WrittenUids {
  has(uid: string): boolean;
  add(uid: string): void;
  readonly size: number;
}

export function writtenUids(state: MigrationState, user: string, calid: string): WrittenUids {
  const calendars = (state.users[user] ??= { calendars: {} }).calendars;
  const entry = (calendars[calid] ??= { written: [] });
  const known = new Set(entry.written);
  return {
    has: (uid) => known.has(uid),
    add(uid) {
      if (known.has(uid)) return;
      known.add(uid);
      entry.written.push(uid);
    },
    get size() {
      return known.size;
    },
  };
}

function isState(value: unknown): value is MigrationState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<MigrationState>;
  if (state.version !== 1 || typeof state.from !== 'string' || typeof state.to !== 'string') return false;
  if (typeof state.users !== 'object' || state.users === null) return false;
  return Object.values(state.users).every(
    (u) =>
      typeof u === 'object' && u !== null && typeof u.calendars === 'object' && u.calendars !== null &&
      Object.values(u.calendars).every((c) => Array.isArray(c?.written) && c.written.every((uid) => typeof uid === 'string')),
  );
}

/**
 * Saves the state after every `every` recorded writes and on flush, one save at a time (writes
 * finish concurrently). A dry run never saves.
 */
export class StateSaver {
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly state: MigrationState,
    private readonly every: number,
    private readonly enabled: boolean,
  ) {}

  async noteWrite(): Promise<void> {
    this.pending += 1;
    if (this.pending >= this.every) await this.flush();
  }

  flush(): Promise<void> {
    if (!this.enabled || this.pending === 0) return this.chain;
    this.pending = 0;
    this.chain = this.chain.then(() => saveState(this.path, this.state));
    return this.chain;
  }
}
